"""`make bench`: every speed target as a ratio to a raw baseline measured in
the same run, plus absolute times. Writes bench-results.json (flat JSON) in
the repository root and prints a table.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/run.py [PART...]
PART: reader (open, add, memory), launch (the desk's and a CLI command's start-up,
each a fresh process), brief, merge, import, linear (paths that must stay
linear: ratios time(4n) / 4 time(n)), gazetteer (the place index: build, first answer,
memory), search (a 1,000-document corpus: import with and without the index, queries, opening the
desk on it), suggest (a 1 MB report against 20,000 known names and the gazetteer: finding, drawing,
accepting 10,000 and undoing them); none: all of them.
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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNOTATOR_USER", "bench")

from tests.bench.bare_qt import bare_highlighter, block_spans  # noqa: E402
from tests.bench.brief_bench import bench_brief  # noqa: E402
from tests.bench.edit_bench import bench_service, window_adds  # noqa: E402
from tests.bench.gazetteer_bench import bench_gazetteer  # noqa: E402
from tests.bench.import_bench import bench_import  # noqa: E402
from tests.bench.launch_bench import bench_launch  # noqa: E402
from tests.bench.linear_bench import bench_linear  # noqa: E402
from tests.bench.merge_bench import bench_merge  # noqa: E402
from tests.bench.search_bench import bench_search  # noqa: E402
from tests.bench.suggest_bench import bench_suggest  # noqa: E402
from tests.bench.synth import synth_document, synth_spans  # noqa: E402
from tests.prompts import RecordingPrompter  # noqa: E402

RESULTS = ROOT / "bench-results.json"
# The desk remembers recent databases and window layouts: not the bench's, in the user's settings.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="annotator-bench-config-")
REPEAT = 5


def build_database(path: Path) -> tuple[str, str]:
    """A database with a 1 MB document holding 10,000 annotations."""
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    text = synth_document()
    spans = synth_spans(text)
    db = open_database(path)
    desk = Desk(db.repo, "bench")
    desk.ensure_tagset()
    doc = desk.import_document(text, "Synthetic 1 MB report").document
    report = desk.import_annotations(doc.id, [AnnotationDraft(label=l, start=s, end=e) for l, s, e in spans])
    assert len(report.added) == len(spans), report.orphans[:3]
    db.close()
    return str(doc.id), text


# --- the reader: open, add -----------------------------------------------------------------


def bench_open_and_add(db_path: Path, doc_id: str) -> dict:
    import uuid

    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from annotator.store.database import open_database
    from annotator.ui.app import ensure_app
    from annotator.ui.main_window import MainWindow

    app = ensure_app()
    db = open_database(db_path)
    doc = db.repo.get_document(uuid.UUID(doc_id))
    anns = list(db.repo.annotations(doc.id))
    db.close()
    text = doc.text

    # Baseline: bare QPlainTextEdit.setPlainText plus a bare QSyntaxHighlighter
    # that paints the same spans (pre-bucketed per block, UTF-16 precomputed).
    per_block = block_spans(text, [(a.start, a.end) for a in anns])

    def bare_open() -> float:
        edit = QPlainTextEdit()
        edit.resize(900, 700)
        edit.show()
        bare_highlighter(edit.document(), per_block)
        t0 = time.perf_counter()
        edit.setPlainText(text)
        app.processEvents()
        dt = time.perf_counter() - t0
        edit.close()
        edit.deleteLater()
        app.processEvents()
        return dt

    window = MainWindow(prompter=RecordingPrompter())  # an error is recorded, not a modal box that waits
    window.resize(1400, 860)
    window.show()
    window.databases.open_database(db_path)
    app.processEvents()
    if window.prompter.errors:
        raise SystemExit(f"bench: {window.prompter.last_error}")

    def our_open() -> float:
        window.open_document(None)
        app.processEvents()
        t0 = time.perf_counter()
        window.open_document(uuid.UUID(doc_id))
        app.processEvents()
        return time.perf_counter() - t0

    bare_times, our_times = [], []
    for _ in range(REPEAT):  # interleaved so machine noise hits both alike
        bare_times.append(bare_open())
        our_times.append(our_open())
    bare = statistics.median(bare_times)
    ours = statistics.median(our_times)

    adds = window_adds(window, app, text)  # 1,000 tags, key press to committed and drawn
    window.close()
    QApplication.processEvents()
    return {
        "open_s": round(ours, 4),
        "open_baseline_s": round(bare, 4),
        "open_ratio": round(ours / bare, 3),
        **adds,
    }


def child_peak_rss(db_path: Path, doc_id: str) -> float:
    """Peak RSS (MB) of a fresh app process that opens the document."""
    code = (
        "import sys, resource, uuid; sys.path.insert(0, %r)\n"
        "from annotator.ui.app import ensure_app\n"
        "from annotator.ui.main_window import MainWindow\n"
        "app = ensure_app(); w = MainWindow(); w.show(); w.databases.open_database(%r)\n"
        "w.open_document(uuid.UUID(%r)); app.processEvents()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    ) % (str(ROOT), str(db_path), doc_id)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ})
    return int(out.stdout.strip().splitlines()[-1]) / 1024


PARTS = ("reader", "launch", "brief", "merge", "import", "linear", "gazetteer", "search", "suggest")


def main(argv: list[str] | None = None) -> int:
    parts = list(argv if argv is not None else sys.argv[1:]) or list(PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        print(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}", file=sys.stderr)
        return 2
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "reader" in parts or "launch" in parts:
            db_path = Path(tmp) / "bench.db"
            t0 = time.perf_counter()
            doc_id, text = build_database(db_path)
            results["setup_s"] = round(time.perf_counter() - t0, 2)
            results["doc_chars"] = len(text)
        if "launch" in parts:  # before the reader's 1,000 tags change the document
            results.update(bench_launch(db_path, doc_id, text))
        if "reader" in parts:
            results.update(bench_open_and_add(db_path, doc_id))
            results["peak_rss_mb"] = round(child_peak_rss(db_path, doc_id), 1)
            results.update(bench_service())
        if "brief" in parts:
            results.update(bench_brief())
        if "merge" in parts:
            results.update(bench_merge())
        if "import" in parts:
            results.update(bench_import())
        if "linear" in parts:
            results.update(bench_linear())
        if "gazetteer" in parts:
            results.update(bench_gazetteer())
        if "search" in parts:
            results.update(bench_search())
        if "suggest" in parts:
            results.update(bench_suggest())
    old = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    old.update(results)
    RESULTS.write_text(json.dumps(old, indent=2) + "\n")
    targets = {"open_ratio": "<= 1.5", "add_p95_ms": "<= 16", "add_p50_ms": "<= 8", "add_service_p95_ms": "<= 2",
               "rss_growth_1k_adds_mb": "< 30", "add_p95_ratio_50k_entities": "<= 1.2", "add_drift_ratio": "<= 1.2", "peak_rss_mb": "< 400", "brief_1k_ratio": "<= 1.5", "brief_10k_ratio": "<= 1.5",
               "merge_50k_s": "< 10", "merge_noop_s": "< 10", "import_ratio": "<= 5", "brief_paragraph_linear": "<= 1.5",
               "w3c_export_linear": "<= 1.5", "w3c_export_mem_per_file": "< 0.5", "w3c_new_labels_linear": "<= 1.5",
               "docx_footnotes_linear": "<= 1.5", "gazetteer_first_ms": "< 50", "gazetteer_rss_mb": "<= 50",
               "launch_ratio": "<= 2", "cli_start_s": "<= 0.3", "search_p95_ms": "< 50", "index_overhead_ratio": "<= 1.2",
               "open_corpus_s": "< 1", "suggest_1mb_ms": "< 300", "suggest_ratio": "<= 2", "accept_ratio": "<= 1.5",
               "undo_accept_10k_s": "< 2", "suggest_window_ms": "< 750", "accept_all_10k_s": "< 2"}  # fmt: skip
    width = max([18, *(len(k) + 1 for k in results)])
    print(f"{'measure':<{width}}{'value':>12}  target")
    for key, value in results.items():
        print(f"{key:<{width}}{value:>12}  {targets.get(key, '')}")
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
