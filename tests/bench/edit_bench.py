"""The edit path, as an analyst lives it: 1,000 tags one after another.

* Through the real window: key press to committed AND drawn (the reader's
  repaint done), p50/p95, the drift between the first and the last 100, and
  the RSS the process gained over the 1,000 tags.
* The core operation alone (``Desk.add_annotation``, entity linking
  included), p50/p95, beside the raw baseline measured in the same run: one
  plain ``sqlite3`` INSERT of an annotation row + COMMIT, with the same
  pragmas as the store (WAL, ``synchronous=NORMAL``) on the same disk.
* The same 1,000 service adds in a database holding 50,000 entities and in
  one holding 50: an edit must cost the same in a big corpus.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import regex

ADDS = 1000


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


def _spans(text: str, n: int, seed: int) -> list[tuple[int, int]]:
    words = [m.span() for m in regex.finditer(r"\b[a-z]{5,}\b", text)]
    rnd = random.Random(seed)
    return [rnd.choice(words) for _ in range(n)]


def window_adds(window, app, text: str) -> dict:
    """1,000 tags through the window: Actor key on a selected word."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    reader = window.reader
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    reader.setFocus()
    app.processEvents()
    start_count = len(window.ctl.annotations())
    rss_open = _rss_mb()
    times: list[float] = []
    for s, e in _spans(text, ADDS, seed=3):
        reader.select_span(s, e)
        app.processEvents()
        t0 = time.perf_counter()
        QTest.keyClick(reader, Qt.Key.Key_A)
        app.processEvents()  # drawn: the repaints the edit asked for (the changed block, the table's row) are done
        times.append((time.perf_counter() - t0) * 1000)
    rss_after = _rss_mb()
    added = len(window.ctl.annotations()) - start_count
    assert added >= ADDS * 0.9, f"only {added} of {ADDS} tags were added"
    first, last = times[:100], times[-100:]
    return {
        "add_p50_ms": round(statistics.median(times), 2),
        "add_p95_ms": round(_p(times, 0.95), 2),
        "add_drift_ratio": round(statistics.median(last) / statistics.median(first), 3),
        "rss_after_open_mb": round(rss_open, 1),
        "rss_growth_1k_adds_mb": round(rss_after - rss_open, 1),
    }


def _service_adds(db_path: Path, doc_id: uuid.UUID, text: str) -> list[float]:
    from annotator.core.operations import services_for
    from annotator.store.database import open_database

    db = open_database(db_path)
    try:
        desk = services_for(db.repo, "bench").desk
        actor = next(lb.id for lb in db.repo.labels() if lb.name == "Actor")
        times = []
        for s, e in _spans(text, ADDS, seed=5):
            t0 = time.perf_counter()
            desk.add_annotation(doc_id, actor, s, e)
            times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        db.close()


def _raw_baseline(folder: Path) -> list[float]:
    """INSERT one annotation-like row + COMMIT, plain sqlite3, same pragmas."""
    con = sqlite3.connect(folder / "raw.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE annotation (id TEXT PRIMARY KEY, document_id TEXT, label_id TEXT, start INT, "
                "\"end\" INT, exact TEXT, prefix TEXT, suffix TEXT, entity_id TEXT, note TEXT, creator TEXT, "
                "created TEXT, modified TEXT, deleted INT)")  # fmt: skip
    con.execute('CREATE INDEX ix_doc_start ON annotation (document_id, start)')
    times = []
    for i in range(ADDS):
        row = (uuid.uuid4().hex, "d", "l", i, i + 5, "troops", "the ", " moved", None, "", "bench", "t", "t", 0)
        t0 = time.perf_counter()
        con.execute("BEGIN")
        con.execute("INSERT INTO annotation VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        con.execute("COMMIT")
        times.append((time.perf_counter() - t0) * 1000)
    con.close()
    return times


def _with_entities(db_path: Path, n: int) -> tuple[uuid.UUID, str]:
    from annotator.core.model import Entity, LabelKind
    from annotator.core.services import Desk
    from annotator.store.database import open_database
    from tests.bench.synth import synth_document

    text = synth_document()
    db = open_database(db_path)
    try:
        desk = Desk(db.repo, "bench")
        desk.ensure_tagset()
        doc = desk.import_document(text, "Synthetic 1 MB report").document
        with db.repo.transaction():
            db.repo.add_entities(Entity(kind=LabelKind.ACTOR if i % 2 else LabelKind.LOCATION,
                                        name=f"Entity {i:05d} of the corpus", creator="bench") for i in range(n))  # fmt: skip
        return doc.id, text
    finally:
        db.close()


def bench_service() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small_doc, text = _with_entities(folder / "small.db", 50)
        big_doc, _ = _with_entities(folder / "big.db", 50_000)
        raw = _raw_baseline(folder)
        small = _service_adds(folder / "small.db", small_doc, text)
        big = _service_adds(folder / "big.db", big_doc, text)
    return {
        "add_service_p50_ms": round(statistics.median(small), 3),
        "add_service_p95_ms": round(_p(small, 0.95), 3),
        "add_raw_p50_ms": round(statistics.median(raw), 3),
        "add_raw_p95_ms": round(_p(raw, 0.95), 3),
        "add_service_vs_raw_p95": round(_p(small, 0.95) / _p(raw, 0.95), 2),
        "add_service_p95_50k_entities_ms": round(_p(big, 0.95), 3),
        "add_p95_ratio_50k_entities": round(_p(big, 0.95) / _p(small, 0.95), 3),
        "add_service_first_50k_entities_ms": round(big[0], 1),
    }
