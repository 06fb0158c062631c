"""`make bench`: load benchmark of the gateway against ceilings served the same way.

Run with `uv run python -m bench` (or `make bench`). It starts its own throw-away database, Redis
database, gateway, ceiling apps and analytics worker, drives them with wrk on loopback, prints one
table and writes the figures to `bench-results/<timestamp>.json`.
"""
