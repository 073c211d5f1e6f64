"""Corpus search benchmark: 1,000 synthetic documents (50 MB of text),
500,000 annotations and 20,000 entities with aliases, built here.

- ``index_overhead_ratio``: importing the corpus (documents, then their
  annotations, document by document as an analyst's imports do) with the
  search index written in each transaction, against the same import with the
  index left unwritten (the repository given no index), in one run.
- ``search_p50_ms`` / ``search_p95_ms``: 100 queries through the store's
  search (parse, index, verification on the original text, contexts), mixed:
  single words common and rare, phrases, prefixes, Arabic, and filtered ones
  (claims graded A–C, a document date range, an analyst).
- ``open_corpus_s``: a fresh process opening the desk on that database until
  the document list holds its 1,000 rows (see :mod:`.launch_bench`'s way of
  timing from spawn).

Run alone: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/search_bench.py [DOCS]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.synth import synth_document, synth_spans  # noqa: E402

DOCUMENTS = 1_000
DOC_CHARS = 50_000
SPANS_PER_DOC = 500
ENTITIES = 20_000
QUERIES = [
    "troops", "pipeline", "Palmyra", "Bukamal", '"border crossing"', '"security source said"', "milit*", "negot*",
    "الحشد", '"قوات سوريا الديمقراطية"', "Damascus convoy", "refugees humanitarian", "Kirkuk", "commander 1234",
]  # fmt: skip


def _corpus(n: int) -> list[tuple[str, list[tuple[str, int, int]]]]:
    out = []
    for i in range(n):
        text = synth_document(DOC_CHARS, seed=1000 + i)
        out.append((text, synth_spans(text, SPANS_PER_DOC, seed=2000 + i)))
    return out


def _build(path: Path, corpus, with_index: bool) -> float:
    """Import the corpus into a new database; the seconds it took."""
    from annotator.core.model import Entity, LabelKind, now
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    db = open_database(path)
    index = db.repo.index
    if not with_index:
        db.repo.index = None
    desk = Desk(db.repo, "bench")
    desk.ensure_tagset()
    stamp = now()
    rnd = random.Random(5)
    entities = [
        Entity(id=uuid.uuid4(), creator="bench", created=stamp, modified=stamp, kind=LabelKind.ACTOR if i % 3 else LabelKind.LOCATION,
               name=f"Commander {i}", aliases=[f"Cmdr {i}", f"Brigade {rnd.randint(1, 999)} chief"], note="synthetic")
        for i in range(ENTITIES)
    ]  # fmt: skip
    started = time.perf_counter()
    with db.repo.transaction():
        db.repo.add_entities(entities)
    for i, (text, spans) in enumerate(corpus):
        doc = desk.import_document(text, f"Report {i}", published=f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", source="Synthetic").document
        desk.import_annotations(doc.id, [AnnotationDraft(label=lb, start=s, end=e) for lb, s, e in spans])
    elapsed = time.perf_counter() - started
    db.repo.index = index
    db.close()
    return elapsed


def _queries(n: int = 100):
    from annotator.core.search import SearchFilters

    filtered = [
        ("troops", SearchFilters(kinds=("claim",), reliability="ABC")),  # few pass (no claim is graded): each checked
        ("Damascus", SearchFilters(date_from="2025-03", date_to="2025-04")),
        ("Palmyra", SearchFilters(analysts=("bench",), kinds=("location",))),  # many pass: through the paragraphs
        ("border crossing", SearchFilters(kinds=("claim",))),
    ]
    plain = [(q, SearchFilters()) for q in QUERIES]
    mix = plain + filtered
    return [mix[i % len(mix)] for i in range(n)]


_OPEN = """
import os, sys, time
sys.path.insert(0, {root!r})
from annotator.ui.app import ensure_app, start_window
app = ensure_app()
w = start_window({db!r})
limit = time.perf_counter() + 120
while w.documents.model.rowCount() < {docs} or not w.isEnabled() or w.ctl.db is None:
    app.processEvents()
    assert time.perf_counter() < limit, "the document list never filled"
sys.stdout.write(f"ready {{time.time()!r}}\\n"); sys.stdout.flush()
os._exit(0)
"""


def open_corpus(db: Path, documents: int, runs: int = 3) -> float:
    """A fresh desk on the corpus until its document list holds every document (median of ``runs``)."""
    import os
    import subprocess

    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "XDG_CONFIG_HOME": tempfile.mkdtemp(prefix="annotator-bench-config-"), "ANNOTATOR_USER": "bench"}  # fmt: skip
    code = _OPEN.format(root=str(ROOT), db=str(db), docs=documents)
    times = []
    for _ in range(runs):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise SystemExit(f"bench: opening the corpus failed: {out.stderr.strip()[-400:]}")
        ready = next(float(line.split()[1]) for line in out.stdout.splitlines() if line.startswith("ready "))
        times.append(ready - t0)
    return statistics.median(times)


def bench_search(documents: int = DOCUMENTS) -> dict:
    from annotator.store.database import open_database

    folder = Path(tempfile.mkdtemp(prefix="annotator-search-bench-"))
    corpus = _corpus(documents)
    without = _build(folder / "plain.db", corpus, with_index=False)
    with_index = _build(folder / "corpus.db", corpus, with_index=True)
    db = open_database(folder / "corpus.db")
    times, hits = [], []
    try:
        for query, filters in _queries():
            t = time.perf_counter()
            result = db.repo.search(query, filters)
            times.append((time.perf_counter() - t) * 1000)
            hits.append(len(result.hits))
    finally:
        db.close()
    times.sort()
    # The worst case, apart: a filter many annotations pass, words in every
    # paragraph, and no annotation holding them (no actor is called "border").
    from annotator.core.search import SearchFilters

    db = open_database(folder / "corpus.db")
    try:
        t = time.perf_counter()
        db.repo.search("border", SearchFilters(kinds=("actor",)))
        worst = (time.perf_counter() - t) * 1000
    finally:
        db.close()
    return {
        "search_corpus_docs": documents,
        "search_corpus_mb": round(sum(len(t) for t, _s in corpus) / 1e6, 1),
        "search_corpus_annotations": sum(len(s) for _t, s in corpus),
        "corpus_import_s": round(with_index, 2),
        "corpus_import_no_index_s": round(without, 2),
        "index_overhead_ratio": round(with_index / without, 3),
        "search_p50_ms": round(statistics.median(times), 2),
        "search_p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        "search_max_ms": round(times[-1], 2),
        "search_worst_case_ms": round(worst, 1),
        "search_hits_mean": round(statistics.mean(hits), 1),
        "open_corpus_s": round(open_corpus(folder / "corpus.db", documents), 2),
    }


if __name__ == "__main__":
    out = bench_search(int(sys.argv[1]) if len(sys.argv) > 1 else DOCUMENTS)
    for k, v in out.items():
        print(f"{k:32} {v}")
