"""The household: its users (their grants' secrets), purging one, adopting a single-user lake."""
