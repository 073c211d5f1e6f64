"""import_ratio: import 10,000 W3C annotations through the CLI's path (parse,
anchor, link entities, store in one transaction) against a bare sqlite3
executemany of the same rows into the same table, in the same run."""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

from tests.bench.synth import synth_document, synth_spans  # noqa: E402

COUNT = 10_000
REPEAT = 5


def _w3c(text: str, spans: list[tuple[str, int, int]]) -> str:
    items = []
    for label, s, e in spans:
        items.append(
            {
                "@context": "http://www.w3.org/ns/anno.jsonld",
                "id": f"urn:uuid:{uuid.uuid4()}",
                "type": "Annotation",
                "body": [{"type": "TextualBody", "purpose": "tagging", "value": label}],
                "target": {
                    "selector": [
                        {"type": "TextPositionSelector", "start": s, "end": e},
                        {"type": "TextQuoteSelector", "exact": text[s:e], "prefix": text[max(0, s - 32) : s], "suffix": text[e : e + 32]},
                    ]
                },
                "creator": {"type": "Person", "name": "bench"},
                "created": "2026-01-01T00:00:00Z",
                "modified": "2026-01-01T00:00:00Z",
            }
        )
    return json.dumps(items, ensure_ascii=False)


def _ours(tmp: Path, text: str, payload: str) -> float:
    from annotator.core.services import Desk
    from annotator.io.w3c import parse_w3c
    from annotator.store.database import open_database

    db = open_database(tmp / f"ours-{uuid.uuid4().hex}.db")
    desk = Desk(db.repo, "bench")
    desk.ensure_tagset()
    doc = desk.import_document(text, "bench").document
    t0 = time.perf_counter()
    drafts = parse_w3c(payload, "bench.json")
    report = desk.import_annotations(doc.id, drafts)
    dt = time.perf_counter() - t0
    assert len(report.added) == COUNT, (len(report.added), report.orphans[:2])
    db.close()
    return dt


def _bare(tmp: Path, text: str, spans: list[tuple[str, int, int]]) -> float:
    """The same rows with plain sqlite3: one executemany in one transaction."""
    from annotator.store.database import open_database

    path = tmp / f"bare-{uuid.uuid4().hex}.db"
    open_database(path).close()  # the same schema and indexes
    conn = sqlite3.connect(path)
    doc_id, label_id = uuid.uuid4().hex, uuid.uuid4().hex
    now = "2026-01-01 00:00:00.000000"
    rows = [
        (uuid.uuid4().hex, "bench", now, now, 0, doc_id, label_id, s, e, text[s:e], text[max(0, s - 32) : s], text[e : e + 32], None, "")
        for _label, s, e in spans
    ]
    t0 = time.perf_counter()
    conn.execute("PRAGMA foreign_keys=OFF")
    with conn:
        conn.executemany(
            'INSERT INTO annotation (id, creator, created, modified, deleted, document_id, label_id, start, "end", exact, prefix, suffix, entity_id, note) '
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    dt = time.perf_counter() - t0
    conn.close()
    return dt


def bench_import() -> dict:
    text = synth_document()
    spans = synth_spans(text, COUNT)
    payload = _w3c(text, spans)
    ours, bare = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(REPEAT):
            bare.append(_bare(Path(tmp), text, spans))
            ours.append(_ours(Path(tmp), text, payload))
    o, b = statistics.median(ours), statistics.median(bare)
    return {"import_s": round(o, 3), "import_baseline_s": round(b, 3), "import_ratio": round(o / b, 2)}


if __name__ == "__main__":
    print(bench_import())
