"""Write annotator/store/sqlite/catalogue_snapshot.py from the migrations
(run after adding one: `.venv/bin/python tests/write_catalogue_snapshot.py`;
tests/test_migrations.py fails until the snapshot is current)."""

from __future__ import annotations

import pprint
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.store.migrations import CURRENT_VERSION  # noqa: E402
from annotator.store.sqlite.schema_check import built_catalogue  # noqa: E402

HEADER = '''"""The catalogue of the current schema, as the migrations build it, kept
here so that opening a database need not run every migration on an
in-memory database first (50 ms at every open). Written by
tests/write_catalogue_snapshot.py; tests/test_migrations.py checks that it is
exactly what the migrations build. Do not edit by hand."""

# fmt: off
VERSION = {version}
CATALOGUE = {catalogue}
'''


def main() -> None:
    text = HEADER.format(version=CURRENT_VERSION, catalogue=pprint.pformat(built_catalogue(CURRENT_VERSION), width=200))
    (ROOT / "annotator" / "store" / "sqlite" / "catalogue_snapshot.py").write_text(text, "utf-8")


if __name__ == "__main__":
    main()
