"""`python -m content_worker.fallback`: write the JSON Schemas of the offline builder's data files
(`texts/*.schema.json` and `library/library.schema.json`), after a change to their models."""

import sys

from content_worker.fallback import library, wording

for path in [*wording.write_schemas(), library.write_schema()]:
    print(f"wrote {path}", file=sys.stderr)
