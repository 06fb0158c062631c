"""The local dev stack: one place that knows how each service starts, runs and is watched.

`make up / down / status / logs` (``ailp stack …``), the foreground targets (``make gateway``),
the images' entrypoint (``ailp stack run <service>``) and the tests' ``Stack`` all build their
commands and start, stop and health-check processes through this package:

* ``procfs``     — the only reader of ``/proc`` (start times, process groups, children);
* ``process``    — ``ManagedProcess``: one service in its own session, its log, its metrics folder;
* ``services``   — the services, their commands and their readiness checks;
* ``supervisor`` — restarts a service that exits, with backoff, and logs the restart;
* ``stack``      — the background stack of ``make up``: PID files, readiness, status, stop;
* ``cli``        — ``ailp stack up|down|status|logs|run``.

A small module of our own rather than honcho or supervisord: it is ~600 lines, typed, has no
dependency, and the tests reuse its pieces (honcho cannot restart a process; supervisord is a
daemon with its own configuration format that the tests could not share).
"""
