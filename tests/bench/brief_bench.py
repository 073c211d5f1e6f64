"""The Word brief of a 1 MB document, against bare python-docx.

Two databases hold the synthetic 1 MB document (tests/bench/synth.py), one
with 10,000 annotations and one with 1,000; every claim is graded and one
annotation in ten carries a note, so the brief writes key claims, tables
and comments as well as the marked text.

The baseline is what a plain python-docx program does to write the same
text with the same marked runs: ``paragraph.add_run(piece)`` per piece,
``run.font.highlight_color`` for a fill, ``run.font.underline`` for a claim,
then ``save``. Its pieces are computed before the clock starts. The brief
is timed from the database to the saved file. Both run interleaved in the
same process; each figure is the median of ``repeat`` runs.

Run alone: .venv/bin/python tests/bench/brief_bench.py
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


def build(path: Path, text: str, count: int) -> uuid.UUID:
    """A database with ``text`` and ``count`` annotations: claims graded, one in
    five linked to the claim before it, one annotation in ten with a note."""
    from annotator.core.model import Claim, ClaimLink, LabelKind
    from annotator.core.services import AnnotationDraft, Desk
    from annotator.store.database import open_database

    rnd = random.Random(5)
    spans = synth_spans(text, count=count)
    db = open_database(path)
    try:
        desk = Desk(db.repo, "bench")
        desk.ensure_tagset()
        doc = desk.import_document(text, "Synthetic 1 MB report", source="Bench wire", published="2025-06").document
        drafts = [
            AnnotationDraft(label=lb, start=s, end=e, note="Checked against a second source." if rnd.random() < 0.1 else "")
            for lb, s, e in spans
        ]
        report = desk.import_annotations(doc.id, drafts)
        assert len(report.added) == len(spans), report.orphans[:3]
        claim_label = {lb.id for lb in db.repo.labels() if lb.kind is LabelKind.CLAIM}
        with db.repo.transaction():
            previous = None
            for span in db.repo.annotation_spans(doc.id):
                if span.label_id not in claim_label:
                    continue
                if previous is not None and rnd.random() < 0.2:
                    relation = rnd.choice(["corroborates", "contradicts"])
                    db.repo.put_claim_link(ClaimLink(from_annotation_id=span.id, to_annotation_id=previous, relation=relation))
                previous = span.id
                db.repo.put_claim(
                    Claim(
                        annotation_id=span.id,
                        reliability=rnd.choice("ABCDEF"),
                        credibility=rnd.choice("123456"),
                        likelihood=rnd.choice(["", "likely", "unlikely", "almost certain"]),
                        stance=rnd.choice(["asserted", "denied"]),
                        creator="bench",
                    )
                )
        return doc.id
    finally:
        db.close()


def bare_python_docx(text: str, paragraphs, fills: dict, out: Path) -> None:
    """Plain python-docx: one add_run per piece, highlight and underline set through the API."""
    from docx import Document
    from docx.enum.text import WD_UNDERLINE

    doc = Document()
    for para in paragraphs:
        p = doc.add_paragraph()
        for item in para.items:
            if item[0] != 0:  # START/END events: nothing to write
                continue
            _tag, s, e, mark = item
            r = p.add_run(text[s:e])
            if mark is not None:
                if mark.fill is not None:
                    r.font.highlight_color = fills[mark.fill]
                if mark.claim is not None:
                    r.font.underline = WD_UNDERLINE.DOUBLE if mark.claims > 1 else WD_UNDERLINE.SINGLE
    doc.save(str(out))


def _pieces(db_path: Path, doc_id: uuid.UUID):
    from docx.enum.text import WD_COLOR_INDEX

    from annotator.core.model import LabelKind
    from annotator.export.runs import Span, segment
    from annotator.store.database import open_database

    db = open_database(db_path)
    try:
        doc = db.repo.get_document(doc_id)
        labels = {lb.id: lb for lb in db.repo.labels()}
        spans = [Span(s.start, s.end, s.id, s.label_id, labels[s.label_id].kind is LabelKind.CLAIM) for s in db.repo.annotation_spans(doc_id)]
    finally:
        db.close()
    colours = [WD_COLOR_INDEX.YELLOW, WD_COLOR_INDEX.BRIGHT_GREEN, WD_COLOR_INDEX.TURQUOISE, WD_COLOR_INDEX.PINK]
    fills = {lid: colours[i % len(colours)] for i, lid in enumerate(labels)}
    return doc.text, segment(doc.text, spans), fills


def measure(db_path: Path, doc_id: uuid.UUID, out_dir: Path, repeat: int) -> tuple[float, float]:
    from annotator.export.brief import BriefOptions, write_brief
    from annotator.store.database import open_database

    text, paragraphs, fills = _pieces(db_path, doc_id)
    ours, bare = [], []
    for i in range(repeat):  # interleaved so machine noise hits both alike
        t0 = time.perf_counter()
        bare_python_docx(text, paragraphs, fills, out_dir / f"bare-{i}.docx")
        bare.append(time.perf_counter() - t0)
        db = open_database(db_path)
        try:
            t0 = time.perf_counter()
            write_brief(db.repo, BriefOptions([doc_id], tlp="amber", analyst="bench"), out_dir / f"brief-{i}.docx")
            ours.append(time.perf_counter() - t0)
        finally:
            db.close()
    return statistics.median(ours), statistics.median(bare)


def bench_brief(repeat: int = 3) -> dict:
    text = synth_document()
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for key, count in (("1k", 1_000), ("10k", 10_000)):
            db_path = tmp / f"brief-{key}.db"
            doc_id = build(db_path, text, count)
            ours, bare = measure(db_path, doc_id, tmp, repeat)
            results[f"brief_{key}_s"] = round(ours, 3)
            results[f"brief_{key}_baseline_s"] = round(bare, 3)
            results[f"brief_{key}_ratio"] = round(ours / bare, 3)
    return results


if __name__ == "__main__":
    for k, v in bench_brief().items():
        print(f"{k:<24}{v:>10}")
