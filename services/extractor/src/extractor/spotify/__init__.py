"""Talking to Spotify: the HTTP client and its pacing (limiter, retry, circuit), access
tokens, the user's grant and the authorisation flow that gives it, the typed views of
answers, and the adapter's errors."""
