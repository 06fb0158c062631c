"""The local dev stack: one place that knows how each service starts, runs and is watched.

`make up / down / status / logs` (``ailp stack …``), the foreground targets (``make gateway``),
the images' entrypoint (``ailp stack run <service>``) and the tests' ``Stack`` all build their
commands and start, stop and health-check processes through this package:

* ``procfs``      — the only reader of ``/proc`` (start times, process groups, children);
* ``process``     — ``ManagedProcess``: one service in its own session, its log, its metrics folder;
* ``services``    — the services, their commands and their readiness checks;
* ``supervisor``  — restarts a service that exits, with backoff, and logs the restart;
* ``pidfiles``    — where the stack's state lives (AILP_RUN_DIR) and its PID records;
* ``environment`` — the services' environment, the signing secret, the database, Redis's policy;
* ``web``         — the web app's build (and ``make web-dev``);
* ``stack``       — ``make up / down / status / logs / clean`` and one service in the foreground;
* ``cli``         — ``ailp stack …``.

A small module of our own rather than honcho or supervisord: it is typed, has no dependency, and
the tests reuse its pieces (honcho cannot restart a process that exits; supervisord is a daemon
with its own configuration format that the tests could not share).
"""
