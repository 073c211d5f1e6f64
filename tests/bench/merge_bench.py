"""Merge benchmark: two analysts' databases of 50,000 annotations each.

Both imported the same five synthetic articles (so documents match by
SHA-256 and labels by name). Half of each side's annotations share UUIDs
with the other side — same spans, different modification times, and one in
ten with a different note (a conflict) — the other half are each side's own.
``merge_50k_s`` times merging B into A (reading and checking B's file
included); ``merge_noop_s`` the same merge again, which must change nothing.
Target: each under 10 s.

Run alone: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/merge_bench.py
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.bench.synth import synth_document  # noqa: E402

ANNOTATIONS = 50_000
DOCUMENTS = 5
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _word_spans(text: str) -> list[tuple[int, int]]:
    import regex

    return [m.span() for m in regex.finditer(r"\b[A-Za-z]{3,}\b", text)]


def build_pair(folder: Path) -> tuple[Path, Path]:
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    texts = [synth_document(200_000, seed=100 + i) for i in range(DOCUMENTS)]
    per_doc = ANNOTATIONS // DOCUMENTS
    rnd = random.Random(5)
    plan = []  # per document: (shared drafts spec, own-A spec, own-B spec)
    for text in texts:
        words = _word_spans(text)
        picks = [rnd.choice(words) for _ in range(per_doc + per_doc // 2)]
        shared = [(uuid.UUID(int=rnd.getrandbits(128), version=4), s, e) for s, e in picks[: per_doc // 2]]
        own_a = picks[per_doc // 2 : per_doc]
        own_b = picks[per_doc:]
        plan.append((shared, own_a, own_b))
    paths = []
    for side, user in ((0, "ana"), (1, "bo")):
        path = folder / f"{user}.db"
        db = open_database(path)
        desk = Desk(db.repo, user)
        desk.ensure_tagset()
        for (shared, own_a, own_b), text in zip(plan, texts, strict=True):
            doc = desk.import_document(text, f"Article {texts.index(text) + 1}").document
            drafts = []
            for n, (ann_id, s, e) in enumerate(shared):
                # the same annotation, last edited at different times (ana newer for even n, bo for odd n)
                edited = T0 + timedelta(minutes=n % 97, seconds=(side + n) % 2)
                note = f"{user}'s reading" if n % 10 == 0 else ""
                drafts.append(AnnotationDraft(label="Claim", start=s, end=e, id=ann_id, creator="ana", created=T0,
                                              modified=edited, note=note))  # fmt: skip
            for s, e in own_a if side == 0 else own_b:
                drafts.append(AnnotationDraft(label="Claim", start=s, end=e, creator=user, created=T0 + timedelta(hours=1)))
            report = desk.import_annotations(doc.id, drafts)
            assert not report.orphans, report.orphans[:2]
        db.close()
        paths.append(path)
    return paths[0], paths[1]


def bench_merge() -> dict:
    from annotator.store.database import open_database
    from annotator.store.merge import apply_merge

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ana, bo = build_pair(folder)
        work = folder / "work.db"
        shutil.copyfile(ana, work)
        db = open_database(work)
        try:
            t0 = time.perf_counter()
            first = apply_merge(db, bo, user="ana")
            merge_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = apply_merge(db, bo, user="ana")
            noop_s = time.perf_counter() - t0
        finally:
            db.close()
    ann = first.counts["annotation"]
    assert ann.added == ANNOTATIONS // 2 and ann.updated + ann.unchanged + ann.conflicts >= ANNOTATIONS // 2 - ann.conflicts
    assert ann.conflicts > 0, first.lines()
    assert again.total.changes() == 0, again.lines()
    return {"merge_50k_s": round(merge_s, 2), "merge_noop_s": round(noop_s, 2)}


if __name__ == "__main__":
    t = time.perf_counter()
    print(bench_merge(), f"(with setup {time.perf_counter() - t:.1f} s)")
