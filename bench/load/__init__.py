"""The load test's parts: raw pages, the moto servers, feeding, draining, checking, reporting.

``bench/load_test.py`` is the entry point (``make bench-load``).
"""
