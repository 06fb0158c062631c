"""The chaos campaign: the whole stack under steady mixed load, one fault per cycle.

`python -m tests.chaos --cycles 30 --seed 7` (or `make chaos`) starts a private PostgreSQL
cluster, a private Redis, the loopback model server and the four services, drives them with
bounded mixed load, injects one fault per cycle (SIGKILL a worker, a pool child, the gateway or
the sweeper; restart Redis with or without its data; stop PostgreSQL; freeze a worker) and
restarts what it broke, as a supervisor would. At the end it counts from PostgreSQL and the model
server's own log whether any accepted job was lost, duplicated, stuck or overspent, and whether
any request answered a 5xx other than 503. See docs/reliability.md.

Modules: `config` (what a campaign is), `environment` (the private servers and services),
`load` (the clients), `ledger` (what the clients saw), `faults` (what breaks and how it is
repaired), `audit` (the invariants, counted after the run), `report` (table and JSON),
`campaign` (the cycles).
"""
