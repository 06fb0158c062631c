"""What `ailp stack` says: `==>` steps, ` ok` results, warnings and errors on stderr (coloured on
a terminal unless NO_COLOR is set), as the scripts' own lines look."""

from __future__ import annotations

import os
import sys

_COLOUR = sys.stderr.isatty() and not os.environ.get("NO_COLOR")


def _say(colour: str, prefix: str, message: str) -> None:
    if _COLOUR:
        prefix = f"\033[{colour}m{prefix}\033[0m"
    print(f"{prefix} {message}", file=sys.stderr, flush=True)


def log(message: str) -> None:
    _say("34", "==>", message)


def ok(message: str) -> None:
    _say("32", " ok", message)


def warn(message: str) -> None:
    _say("1;33", "WARNING:", message)


def error(message: str) -> None:
    _say("1;31", "ERROR:", message)
