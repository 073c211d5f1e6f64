"""Start-up as a user lives it, each a fresh process timed from spawn.

* ``launch_ratio``: the desk launched on the 1 MB / 10,000-annotation
  document until the reader's first paint with the highlights in place,
  against a bare Qt launch that shows the same text with the same spans
  highlighted (QPlainTextEdit + a minimal QSyntaxHighlighter, spans handed
  over ready in UTF-16 from a JSON file: less than any annotation tool must
  do), timed the same way (the first paint of its viewport). The desk draws
  before its store is loaded (see ``annotator.store.sqlite.first_look``);
  ``launch_ready_s`` is when it has opened the database properly and takes input.
* ``cli_start_s``: ``annotator --db DB docs`` on a small database, start to
  exit, beside the interpreter's own start and ``import sqlmodel`` alone
  (the store's fixed dependency, the floor any command that reads the
  database stands on); ``cli_own_start_s`` is what the command costs beyond
  that floor (each run's ``docs`` minus its ``import sqlmodel``), and
  ``cli_help_s``: ``annotator --help``, which loads no store.
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

_FIRST_PAINT = """
import sys, time
from PySide6.QtCore import QEvent, QObject
class FirstPaint(QObject):  # the wall-clock time of the first paint of a viewport showing a highlight
    def __init__(self, viewport_of):
        super().__init__()
        self.viewport_of, self.done = viewport_of, False
    def eventFilter(self, obj, ev):
        if not self.done and ev.type() == QEvent.Type.Paint and self.viewport_of(obj):
            self.done = True
            sys.stdout.write(f"drawn {{time.time()!r}}\\n"); sys.stdout.flush()
        return False
"""

_OURS = _FIRST_PAINT + """
import os, uuid
sys.path.insert(0, {root!r})
from annotator.ui.app import ensure_app, start_window
from annotator.ui.reader import ReaderView
from tests.ui_helpers import format_at
app = ensure_app()
spy = FirstPaint(lambda o: isinstance(o.parent(), ReaderView) and format_at(o.parent(), {first!r}) is not None)
app.installEventFilter(spy)
w = start_window({db!r})
limit = time.perf_counter() + 60
while not spy.done:  # a window system that exposes the window late: it paints once the store is loaded
    app.processEvents()
    assert time.perf_counter() < limit, "the highlights were never drawn"
assert str(w.ctl.document.id) == {doc_id!r} and format_at(w.reader, {first!r}) is not None
sys.stdout.write(f"ready {{time.time()!r}}\\n"); sys.stdout.flush()
os._exit(0)
"""

_BARE = _FIRST_PAINT + """
import json, os
sys.path.insert(0, {root!r})
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from tests.bench.bare_qt import bare_highlighter
app = QApplication(sys.argv)
text = open({text!r}, encoding="utf-8").read()
per_block = {{int(k): v for k, v in json.load(open({spans!r})).items()}}
edit = QPlainTextEdit()
spy = FirstPaint(lambda o: o is edit.viewport())
app.installEventFilter(spy)
edit.resize(1400, 860)
bare_highlighter(edit.document(), per_block)
edit.setPlainText(text)
edit.show()
while not spy.done:
    app.processEvents()
os._exit(0)
"""


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"bench: {cmd[:3]} failed: {out.stderr.strip()[-400:]}")
    return dt


def _marks(cmd: list[str], env: dict) -> dict[str, float]:
    """The times a child prints (``drawn T``, ``ready T``: wall clock) as seconds since its spawn."""
    t0 = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(f"bench: {cmd[:3]} failed: {out.stderr.strip()[-400:]}")
    marks = dict(line.split() for line in out.stdout.splitlines() if line.startswith(("drawn ", "ready ")))
    return {k: float(v) - t0 for k, v in marks.items()}


def bench_launch(db_path: Path, doc_id: str, text: str) -> dict:
    import compileall
    import uuid

    # Byte-compiled first, as pip does when it installs the package (and as
    # Python does on a first run, unless PYTHONDONTWRITEBYTECODE is set, as
    # on some build machines: then every start would compile our sources).
    for folder in (ROOT / "annotator", ROOT / "tests"):
        compileall.compile_dir(folder, quiet=1)

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
        ours, ready, bare = [], [], []
        for _ in range(RUNS):  # interleaved, so the machine's noise hits both alike
            bare.append(_marks([sys.executable, "-c", bare_code], env)["drawn"])
            marks = _marks([sys.executable, "-c", ours_code], env)
            ours.append(marks["drawn"])
            ready.append(marks["ready"])

        small = folder / "small.db"
        small_db = open_database(small)
        small_db.close()
        exe = Path(sys.executable).with_name("annotator")
        cli = [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator.cli"]
        cli_env = {**env, "ANNOTATOR_NO_SEED": "1"}
        starts, helps, pythons, sqlmodels = [], [], [], []
        for _ in range(RUNS):
            pythons.append(_timed([sys.executable, "-c", "pass"], cli_env))
            sqlmodels.append(_timed([sys.executable, "-c", "import sqlmodel"], cli_env))
            starts.append(_timed([*cli, "--db", str(small), "docs"], cli_env))
            helps.append(_timed([*cli, "--help"], cli_env))
    return {
        "launch_s": round(statistics.median(ours), 3),
        "launch_ready_s": round(statistics.median(ready), 3),
        "launch_bare_qt_s": round(statistics.median(bare), 3),
        "launch_ratio": round(statistics.median(ours) / statistics.median(bare), 3),
        "cli_start_s": round(statistics.median(starts), 3),
        "cli_own_start_s": round(statistics.median(s - m for s, m in zip(starts, sqlmodels)), 3),
        "cli_help_s": round(statistics.median(helps), 3),
        "python_start_s": round(statistics.median(pythons), 3),
        "import_sqlmodel_s": round(statistics.median(sqlmodels), 3),
    }
