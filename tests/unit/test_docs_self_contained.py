"""The repository stands alone: nothing in it points at files a user's clone does not have.

The HTTP contract is docs/api.md and the design reasons are docs/architecture.md; a comment or a
document that cites a file kept outside the repository (the product owner's specification, a
path on a development machine) sends a newcomer nowhere. Relative links in the Markdown files
must lead to files that exist.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# Folders that hold no sources of ours (installed packages, builds, run-time files).
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "dist",
    ".run",
    "bench-results",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "test-results",
    "playwright-report",
}
TEXT_SUFFIXES = {".py", ".md", ".ts", ".tsx", ".sh", ".yml", ".yaml", ".toml", ".mjs", ".ini"}
# Spelled in two parts so that this file does not match itself.
OUTSIDE_FILES = re.compile(r"\b(?:" + "API" + r"|" + "DESIGN" + r")\.md\b")
MACHINE_PATHS = re.compile(r"(?<![\w.])/(?:work|home)/[\w.-]+")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _sources() -> list[Path]:
    found = []
    for path in REPO_ROOT.rglob("*"):
        parts = path.relative_to(REPO_ROOT).parts
        if any(part in SKIPPED_DIRS for part in parts):
            continue
        if path.is_file() and (path.suffix in TEXT_SUFFIXES or path.name == "Makefile"):
            found.append(path)
    return found


def test_no_file_cites_documents_kept_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_FILES.search(line) or MACHINE_PATHS.search(line)
    ]
    assert offenders == [], (
        "cite docs/api.md (the HTTP contract) or docs/architecture.md (design reasons) "
        "instead:\n" + "\n".join(offenders)
    )


def test_relative_markdown_links_lead_to_existing_files() -> None:
    broken = []
    for path in _sources():
        if path.suffix != ".md":
            continue
        for target in MARKDOWN_LINK.findall(path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/")):
                continue  # a URL, an anchor on the same page, or a path on the served site
            file_part = target.split("#", 1)[0]
            if file_part and not (path.parent / file_part).exists():
                broken.append(f"{path.relative_to(REPO_ROOT)}: {target}")
    assert broken == [], "links to files that do not exist:\n" + "\n".join(broken)
