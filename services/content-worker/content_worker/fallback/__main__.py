"""`python -m content_worker.fallback`: write the JSON Schemas of the wording files (`texts/`)."""

from content_worker.fallback.wording import main

main()
