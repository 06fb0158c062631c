"""Which signing secrets a running stack refuses: short ones and documented placeholders.

The list is the documentation of what must never sign a token: every value that ever stood in
this repository's code, templates or docs as a secret, and the usual "change me" stand-ins.
"""

from __future__ import annotations

import hashlib

MIN_SECRET_LENGTH = 32

# Exact values (compared case-insensitively) that appear, or appeared, in the repository.
PLACEHOLDER_SECRETS = frozenset(
    {
        # The built-in development secret of earlier releases (shared/ailp/config.py).
        "dev-only-secret-change-me-in-production-0123456789",
        # deploy/k8s/secret.template.yaml
        "replace_with_a_long_random_string",
        # tests and examples
        "unit-test-secret-of-a-decent-length-0123456789",
    }
)
# Fragments that only a stand-in contains ("change-me", "your-secret-here", ...).
PLACEHOLDER_MARKERS = (
    "change-me",
    "change_me",
    "changeme",
    "replace-with",
    "replace_with",
    "replace-me",
    "placeholder",
    "your-secret",
    "your_secret",
    "dev-only",
    "insecure",
)
# A secret of 32+ characters made of very few distinct ones ("aaaa…", "abab…") is not random.
MIN_DISTINCT_CHARACTERS = 10


class InsecureSecret(RuntimeError):
    """A signing secret that must not be used outside tests. Its message says how to fix it."""


def check_jwt_secret(name: str, value: str) -> None:
    """Raise `InsecureSecret` unless `value` is long, not a placeholder and not repetitive.

    The message never includes the value itself (logs would keep it).
    """
    how = (
        f"Set {name} to a random value of at least {MIN_SECRET_LENGTH} characters, e.g. "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'` "
        "(`make up` writes one into .env for you)."
    )
    if not value:
        raise InsecureSecret(f"{name} is not set. {how}")
    if len(value) < MIN_SECRET_LENGTH:
        raise InsecureSecret(f"{name} is only {len(value)} characters long. {how}")
    lowered = value.strip().lower()
    if lowered in PLACEHOLDER_SECRETS or any(mark in lowered for mark in PLACEHOLDER_MARKERS):
        raise InsecureSecret(f"{name} is a documented placeholder, known to everyone. {how}")
    if len(set(value)) < MIN_DISTINCT_CHARACTERS:
        raise InsecureSecret(f"{name} repeats too few characters to be random. {how}")


def key_id(secret: str) -> str:
    """The `kid` of tokens signed with `secret`: names the key without revealing it."""
    return hashlib.sha256(secret.encode()).hexdigest()[:8]
