"""Suggestions benchmark: a database that knows the synthetic corpus's 26
names (each tagged once in a short report) and 20,000 more entities with two
aliases each, the real gazetteer, and a 1 MB report no one has tagged yet.

- ``suggest_first_s``: the first suggestions in a process (the gazetteer's
  places read from the place index, built before (``place_index_build_s``,
  once per installation), the automaton built over every name, the 1 MB
  text matched).
- ``suggest_1mb_ms``: the same document again (median of 5), against
  ``suggest_raw_ms``: ahocorasick_rs alone finding the same names, lower-cased,
  in the lower-cased text (no words, no normalisation, no labels, no
  rejections); ``suggest_ratio`` = ours / raw.
- ``suggest_window_ms``: the desk opening the 1 MB report until its outlines
  are drawn (the search waits 250 ms for the document to be drawn first) (in this process, offscreen; the automaton already built, as
  after the first document of a session).
- ``suggest_corpus_s``: every document's suggestions (the 1 MB report and
  40 more of 25,000 characters), as *Accept all suggestions in every
  document* finds them; ``accept_all_10k_s``: accepting 10,000 of them, spread
  over the 40 (``accept_all_documents``), as one operation.
- ``accept_10k_s``: accepting 10,000 suggestions in the 1 MB report, against
  ``import_10k_s``: the same 10,000 spans imported as annotations
  (``import_annotations``, the bulk path) into a copy of the report;
  ``accept_ratio`` = accept / import. ``undo_accept_10k_s``: its inverse.

Run alone: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/suggest_bench.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.synth import ACTORS, NAMES, synth_document  # noqa: E402

ENTITIES = 20_000
ACCEPTED = 10_000
SMALL_DOCS, SMALL_CHARS = 40, 25_000


def _build(path: Path) -> tuple[uuid.UUID, str]:
    from annotator.core.model import Entity, LabelKind, now
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    db = open_database(path)
    desk = Desk(db.repo, "bench")
    desk.ensure_tagset()
    stamp = now()
    with db.repo.transaction():
        db.repo.add_entities([
            Entity(kind=LabelKind.ACTOR, name=f"Commander {i}", aliases=[f"Cmdr {i}", f"Brigade {i} chief"],
                   creator="bench", created=stamp, modified=stamp)
            for i in range(ENTITIES)
        ])  # fmt: skip
    known = " and ".join([*NAMES, *ACTORS]) + ".\n"
    small = desk.import_document(known, "What we know", source="Synthetic").document
    drafts, at = [], 0
    for name in [*NAMES, *ACTORS]:
        drafts.append(AnnotationDraft(label="Actor" if name in ACTORS else "Location", start=at, end=at + len(name)))
        at += len(name) + len(" and ")
    desk.import_annotations(small.id, drafts)
    text = synth_document(1_000_000, seed=31)
    big = desk.import_document(text, "The new report", source="Synthetic").document
    for i in range(SMALL_DOCS):  # the rest of the corpus: reports no one has tagged either
        desk.import_document(synth_document(SMALL_CHARS, seed=100 + i), f"Report {i}", source="Synthetic")
    db.close()
    return big.id, text


def _raw_ms(names: list[str], text: str) -> float:
    import ahocorasick_rs

    started = time.perf_counter()
    ac = ahocorasick_rs.AhoCorasick([n.lower() for n in names], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    ac.find_matches_as_indexes(text.lower())
    return (time.perf_counter() - started) * 1000


def _window_ms(path: Path, doc_id: uuid.UUID, places) -> float:
    from PySide6.QtCore import QCoreApplication

    from annotator.ui.app import ensure_app
    from annotator.ui.controller import DeskController
    from annotator.ui.main_window import MainWindow
    from tests.prompts import RecordingPrompter

    ensure_app([])
    win = MainWindow(DeskController(places=places), RecordingPrompter())
    win.resize(1200, 800)
    win.show()
    win.databases.open_database(path)
    win.ctl.suggestions.automaton()  # built, as after a session's first document
    tools = win.suggestion_tools
    drawn = []
    win.reader.overlays.append(lambda _clip: drawn.append(time.perf_counter()) if tools.shown else None)
    started = time.perf_counter()
    win.open_document(doc_id)
    while not drawn and time.perf_counter() - started < 60:
        QCoreApplication.processEvents()
        time.sleep(0.001)
    elapsed = (drawn[0] - started) * 1000 if drawn else float("nan")
    # The part waits OPENED_DELAY_MS after opening (the document drawn first): counted in.
    win.close()
    win.deleteLater()
    QCoreApplication.processEvents()
    return elapsed


def bench_suggest() -> dict:
    from annotator.core.change import Op
    from annotator.core.operations import Operations, services_for
    from annotator.core.services import AnnotationDraft
    from annotator.core.suggestions import default_gazetteer
    from annotator.store.database import open_database

    from annotator.core import gazetteer
    from annotator.store.sqlite.place_index import open_place_index

    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ANNOTATOR_CACHE"] = tmp  # the place index built here, as on a first start
        gazetteer.use_index(open_place_index)
        started = time.perf_counter()
        gazetteer.preload()
        out["place_index_build_s"] = round(time.perf_counter() - started, 2)
        path = Path(tmp) / "suggest.db"
        doc_id, text = _build(path)
        db = open_database(path)
        services = services_for(db.repo, "bench", default_gazetteer)
        started = time.perf_counter()
        found = services.suggestions.for_document(doc_id, text)
        out["suggest_first_s"] = round(time.perf_counter() - started, 2)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            found = services.suggestions.for_document(doc_id, text)
            times.append((time.perf_counter() - started) * 1000)
        out["suggest_count"] = len(found)
        out["suggest_1mb_ms"] = round(statistics.median(times), 1)
        names = [n for e in db.repo.entities() for n in e.names()] + [k.name for k in default_gazetteer()]
        raw = statistics.median(_raw_ms(names, text) for _ in range(5))
        out["suggest_raw_ms"] = round(raw, 1)
        out["suggest_ratio"] = round(out["suggest_1mb_ms"] / raw, 2)

        started = time.perf_counter()
        everywhere = services.suggestions.for_corpus()
        out["suggest_corpus_s"] = round(time.perf_counter() - started, 2)  # 42 documents, 2 MB
        spread = [s for s in everywhere if s.document_id != doc_id][:ACCEPTED]
        out["accept_all_documents"] = len({s.document_id for s in spread})
        ops = Operations(services)
        started = time.perf_counter()
        change = ops.run(Op("accept_suggestions", {"suggestions": spread}))
        out["accept_all_10k_s"] = round(time.perf_counter() - started, 2)
        assert len(change.added) == len(spread) == ACCEPTED, (len(change.added), len(spread))
        ops.run(change.inverse)

        chosen = found[:ACCEPTED]
        copy = services.desk.import_document(text + "A copy.\n", "A copy", source="Synthetic").document  # (the same text is the same document)
        label_names = {lb.id: lb.name for lb in db.repo.labels()}
        drafts = [AnnotationDraft(label=label_names[s.label_id], start=s.start, end=s.end) for s in chosen]
        started = time.perf_counter()
        services.desk.import_annotations(copy.id, drafts)
        out["import_10k_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        change = ops.run(Op("accept_suggestions", {"suggestions": chosen}))
        out["accept_10k_s"] = round(time.perf_counter() - started, 2)
        out["accept_ratio"] = round(out["accept_10k_s"] / out["import_10k_s"], 2)
        assert len(change.added) == len(chosen), (len(change.added), len(chosen))
        started = time.perf_counter()
        ops.run(change.inverse)
        out["undo_accept_10k_s"] = round(time.perf_counter() - started, 2)
        db.close()
        out["suggest_window_ms"] = round(_window_ms(path, doc_id, default_gazetteer), 1)
    return out


if __name__ == "__main__":
    for key, value in bench_suggest().items():
        print(f"{key:<20}{value:>12}")
