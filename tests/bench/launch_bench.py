"""Start-up as a user lives it, each a fresh process timed from spawn to exit.

* ``launch_ratio``: the desk launched on the 1 MB / 10,000-annotation
  document until every highlight of the visible text is drawn, against a
  bare Qt launch that shows the same text with the same spans highlighted
  (QPlainTextEdit + a minimal QSyntaxHighlighter, spans handed over ready in
  UTF-16 from a JSON file: less than any annotation tool must do).
* ``cli_start_s``: ``annotator --db DB docs`` on a small database, start to
  exit, beside the interpreter's own start and ``import sqlmodel`` alone
  (the store's fixed dependency, the floor any command that reads the
  database stands on).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench.bare_qt import block_spans

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5

_OURS = """
import os, sys, uuid
sys.path.insert(0, {root!r})
from PySide6.QtCore import Qt
from annotator.ui.app import ensure_app, start_window
app = ensure_app()
w = start_window({db!r})
w.resize(1400, 860)
from tests.ui_helpers import format_at
import time
limit = time.perf_counter() + 60
while not (w.ctl.document is not None and format_at(w.reader, {first!r}) is not None):  # the spans arrive from a thread
    app.processEvents()
    assert time.perf_counter() < limit, "the highlights were never drawn"
assert str(w.ctl.document.id) == {doc_id!r}
w.reader.viewport().repaint()
sys.stdout.write("drawn\\n"); sys.stdout.flush()
os._exit(0)
"""

_BARE = """
import json, os, sys
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from tests.bench.bare_qt import bare_highlighter
app = QApplication(sys.argv)
text = open({text!r}, encoding="utf-8").read()
per_block = {{int(k): v for k, v in json.load(open({spans!r})).items()}}
edit = QPlainTextEdit()
edit.resize(1400, 860)
bare_highlighter(edit.document(), per_block)
edit.setPlainText(text)
edit.show()
app.processEvents()
edit.viewport().repaint()
sys.stdout.write("drawn\\n"); sys.stdout.flush()
os._exit(0)
"""


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"bench: {cmd[:3]} failed: {out.stderr.strip()[-400:]}")
    return dt


def bench_launch(db_path: Path, doc_id: str, text: str) -> dict:
    import uuid

    from annotator.store.database import open_database

    db = open_database(db_path)
    try:
        spans = [(a.start, a.end) for a in db.repo.annotations(uuid.UUID(doc_id))]
    finally:
        db.close()
    first = min(spans)[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        text_file, spans_file = folder / "report.txt", folder / "spans.json"
        text_file.write_text(text, "utf-8")
        spans_file.write_text(json.dumps(block_spans(text, spans)))
        env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               "XDG_CONFIG_HOME": str(folder / "config"), "ANNOTATOR_USER": "bench"}  # fmt: skip
        ours_code = _OURS.format(root=str(ROOT), db=str(db_path), doc_id=doc_id, first=first)
        bare_code = _BARE.format(root=str(ROOT), text=str(text_file), spans=str(spans_file))
        ours, bare = [], []
        for _ in range(RUNS):  # interleaved, so the machine's noise hits both alike
            bare.append(_timed([sys.executable, "-c", bare_code], env))
            ours.append(_timed([sys.executable, "-c", ours_code], env))

        small = folder / "small.db"
        small_db = open_database(small)
        small_db.close()
        exe = Path(sys.executable).with_name("annotator")
        cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator.cli"]
        cli_env = {**env, "ANNOTATOR_NO_SEED": "1"}
        starts, pythons, sqlmodels = [], [], []
        for _ in range(RUNS):
            pythons.append(_timed([sys.executable, "-c", "pass"], cli_env))
            sqlmodels.append(_timed([sys.executable, "-c", "import sqlmodel"], cli_env))
            starts.append(_timed([*cli, "--db", str(small), "docs"], cli_env))
    return {
        "launch_s": round(statistics.median(ours), 3),
        "launch_bare_qt_s": round(statistics.median(bare), 3),
        "launch_ratio": round(statistics.median(ours) / statistics.median(bare), 3),
        "cli_start_s": round(statistics.median(starts), 3),
        "python_start_s": round(statistics.median(pythons), 3),
        "import_sqlmodel_s": round(statistics.median(sqlmodels), 3),
    }
