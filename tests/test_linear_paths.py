"""Large but legitimate inputs on paths that used to be superlinear (issue 17):
one paragraph holding 100,000 annotations in the brief, a block of 160,000
runs moved into the Word document, and a W3C export that must not hold its
whole file in memory. The speed itself is measured by ``make bench``
(``tests/bench/linear_bench.py``); here generous timeouts bound the work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from annotator.core.claims import Claims
from annotator.core.services import AnnotationDraft, Desk
from annotator.export import ooxml
from annotator.export.brief import BriefOptions, write_brief
from annotator.export.runs import END, RUN, START, Span, render_paragraph, segment
from annotator.io import w3c
from annotator.io.interchange import export_annotation_file
from annotator.store.database import open_database
from tests.docx_reader import articles, open_docx

ROOT = Path(__file__).resolve().parents[1]


def words(n: int) -> str:
    """One line of n eight-character words."""
    return " ".join(f"w{i:06d}" for i in range(n)) + "\n"


def covered_pieces(n_text: int, spans: list[tuple[int, int]]) -> int:
    """How many pieces between consecutive span boundaries lie under a span (counted apart from runs.py)."""
    depth = [0] * (n_text + 1)
    for s, e in spans:
        depth[s] += 1
        depth[e] -= 1
    cuts = sorted({0, n_text, *(p for sp in spans for p in sp)})
    level, count, at = 0, 0, 0
    for a, b in zip(cuts, cuts[1:]):
        while at <= a:
            level += depth[at]
            at += 1
        count += level > 0
    return count


# --- the brief ---------------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_one_paragraph_of_100k_nested_and_overlapping_spans():
    """50,000 spans nested around the middle of one line and 50,000 in a chain
    of overlaps: every covered piece is one marked run, and each group of ends
    is numbered once (it took minutes: each end group copied the rest of the
    paragraph, and each end searched the open spans)."""
    half = 50_000
    n_text = 4 * half + 20
    text = "x" * n_text + "\n"
    raw = [(i, n_text - i) for i in range(half)]  # nested, innermost ends first
    raw += [(2 * half + 4 * j % (half - 10), 2 * half + 4 * j % (half - 10) + 9) for j in range(half)]  # overlapping
    spans = [Span(s, e, k, k % 3, k % 3 == 0) for k, (s, e) in enumerate(raw)]
    [para] = segment(text, spans)
    items = para.items
    marked = sum(1 for it in items if it[0] == RUN and it[3] is not None)
    assert marked == covered_pieces(n_text, raw)
    assert sum(1 for it in items if it[0] == START) == sum(1 for it in items if it[0] == END) == len(spans)
    groups: list[list] = []
    ends: list = []
    xml = render_paragraph(
        text, para, style="A", mark_style=lambda m: "M", on_end=lambda k: ends.append(k) or "",
        before_ends=lambda keys, first: groups.append(keys) or "",
    )  # fmt: skip
    assert xml.count('<w:rStyle w:val="M"/>') == marked
    assert sorted(k for g in groups for k in g) == list(range(len(spans)))
    assert len(groups) == len({e for _s, e in raw})  # one call per place where annotations end
    assert [k for g in groups for k in g] == ends  # in the order the ends are written


@pytest.mark.timeout(120)
def test_a_block_with_160k_runs_moves_into_the_document_unchanged():
    """A table whose four cells each hold a paragraph of 40,000 runs: appended
    to the document body in a few seconds, element for element as written (a
    parsed element moved between lxml documents cost the square of its size)."""
    import docx

    run = '<w:r><w:rPr><w:rStyle w:val="M"/></w:rPr><w:t xml:space="preserve">w{}</w:t></w:r>'
    rows = "".join("<w:tr><w:tc><w:p>" + "".join(run.format(i) for i in range(40_000)) + "</w:p></w:tc></w:tr>" for _ in range(4))
    xml = f"<w:tbl>{rows}</w:tbl><w:p/>"
    document = docx.Document()
    body = document.element.body
    ooxml.append_blocks(body, xml)
    def canonical(el):  # the namespaces it uses, not those in scope where it sits
        return etree.tostring(el, method="c14n", exclusive=True)

    expected = [canonical(el) for el in ooxml.parse_children(xml)]
    assert [canonical(el) for el in body[-3:-1]] == expected
    assert body[-1].tag.endswith("}sectPr")


@pytest.mark.timeout(120)
def test_a_brief_of_one_paragraph_with_20k_overlapping_annotations(tmp_path):
    """Each annotation spans three words and overlaps the next two; one in ten
    has a note (a comment): the brief marks every piece, and comments stay on
    exactly their annotation's text."""
    n = 20_000
    text = words(n + 2)
    kinds = ("Actor", "Location", "Claim")
    raw = [(8 * i, 8 * i + 23) for i in range(n)]
    db = open_database(tmp_path / "paragraph.db")
    try:
        desk = Desk(db.repo, "ana")
        desk.ensure_tagset()
        doc = desk.import_document(text, "One paragraph").document
        drafts = [
            AnnotationDraft(label=kinds[i % 3], start=s, end=e, note="Checked." if i % 10 == 0 else "",
                            entity_name=f"Name {i % 40}" if i % 3 < 2 else "")
            for i, (s, e) in enumerate(raw)
        ]  # fmt: skip
        assert len(desk.import_annotations(doc.id, drafts).added) == n
        out = tmp_path / "brief.docx"
        write_brief(db.repo, BriefOptions([doc.id], include_tables=False, include_key_claims=False), out)
    finally:
        db.close()
    [art] = articles(open_docx(out)).values()
    assert art.text == text[:-1]
    marked = [r for r in art.runs if r.style is not None]
    assert len(marked) == covered_pieces(len(text) - 1, raw)
    assert marked[0].start == 0 and marked[-1].end == raw[-1][1]
    assert all(a.end == b.start for a, b in zip(marked, marked[1:]))  # no gap: every piece is under a span
    assert sorted(tuple(v) for v in art.comments.values()) == [raw[i] for i in range(0, n, 10)]


# --- W3C export ---------------------------------------------------------------------------------


def build_export_db(path: Path, n: int) -> None:
    """n annotations on one line: actors naming 40 entities, locations, claims
    (graded, with subjects and links every few), one in ten with a note."""
    text = words(n)
    kinds = ("Actor", "Location", "Claim")
    db = open_database(path)
    try:
        desk = Desk(db.repo, "ana")
        desk.ensure_tagset()
        doc = desk.import_document(text, "Export").document
        drafts = [
            AnnotationDraft(label=kinds[i % 3], start=8 * i, end=8 * i + 7, note="A note\non two lines" if i % 10 == 0 else "",
                            entity_name=f"Name «{i % 40}»" if i % 3 == 0 else "")
            for i in range(n)
        ]  # fmt: skip
        assert len(desk.import_annotations(doc.id, drafts).added) == n
        spans = db.repo.annotation_spans(doc.id)
        claims = Claims(db.repo, "ana")
        actors = [s for s in spans if s.entity_id is not None]
        claim_label = desk.label_named("Claim").id
        claim_rows = [s for s in spans if s.label_id == claim_label][:200]
        with db.repo.transaction():
            for k, c in enumerate(claim_rows):
                if k % 2 == 0:
                    claims.set_details(c.id, source_entity_id=actors[k % len(actors)].entity_id, reliability="B", credibility="2")
                if k % 3 == 0:
                    claims.set_subjects(c.id, [actors[(k + 1) % len(actors)].entity_id])
                if k % 5 == 1:
                    claims.link(c.id, claim_rows[k - 1].id, "corroborates")
    finally:
        db.close()


@pytest.fixture(scope="module")
def export_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "export.db"
    build_export_db(path, 3_000)
    return path


def test_the_streamed_export_is_the_same_text(export_db, tmp_path):
    """The file written annotation by annotation is w3c_json's text, byte for byte."""
    db = open_database(export_db)
    try:
        doc = db.repo.get_document(db.repo.document_ids()[0])
        out = tmp_path / "export.json"
        assert export_annotation_file(db.repo, doc, out) == ([out], [])
        data = out.read_bytes()
        assert data == w3c.w3c_json(db.repo, doc).encode("utf-8")
        exported = json.loads(data)
        assert exported == w3c.export_w3c(db.repo, doc)
        assert len(exported) == 3_000
        assert sum(w3c.CLAIM_KEY in a for a in exported) >= 100
        assert "«" in data.decode("utf-8") and "\\n" in data.decode("utf-8")  # not escaped; a note's line break is
    finally:
        db.close()


def test_the_streamed_export_of_one_and_of_no_annotation(tmp_path):
    db = open_database(tmp_path / "small.db")
    try:
        desk = Desk(db.repo, "ana")
        desk.ensure_tagset()
        doc = desk.import_document("Troops in Damascus.\n", "Small").document
        out = tmp_path / "none.json"
        export_annotation_file(db.repo, doc, out)
        assert out.read_text("utf-8") == "[]\n"
        ann, _ = desk.add_annotation(doc.id, desk.label_named("Location").id, 10, 18, note="Capital")
        export_annotation_file(db.repo, doc, tmp_path / "one.json")
        [got] = json.loads((tmp_path / "one.json").read_text("utf-8"))
        entity = db.repo.get_entity(ann.entity_id)
        assert got == {
            "@context": ["http://www.w3.org/ns/anno.jsonld", {"annotator": "https://annotator.invalid/ns#"}],
            "id": f"urn:uuid:{ann.id}",
            "type": "Annotation",
            "motivation": "tagging",
            "creator": {"type": "Person", "name": "ana"},
            "created": w3c.iso(ann.created),
            "modified": w3c.iso(ann.modified),
            "body": [
                {"type": "TextualBody", "purpose": "tagging", "value": "Location"},
                {"type": "SpecificResource", "purpose": "identifying", "source": f"urn:uuid:{entity.id}", "name": "Damascus",
                 "annotator:entity": w3c.entity_json(entity)},
                {"type": "TextualBody", "purpose": "commenting", "value": "Capital"},
            ],
            "target": {
                "source": f"urn:uuid:{doc.id}",
                "selector": [
                    {"type": "TextPositionSelector", "start": 10, "end": 18},
                    {"type": "TextQuoteSelector", "exact": "Damascus", "prefix": "Troops in ", "suffix": ".\n"},
                ],
            },
        }  # fmt: skip
    finally:
        db.close()


def test_a_failed_export_leaves_the_old_file(export_db, tmp_path, monkeypatch):
    out = tmp_path / "export.json"
    out.write_text("the old file\n", "utf-8")
    real = w3c._Writer.annotation_json
    calls = []

    def failing(self, ann):
        calls.append(ann.id)
        if len(calls) == 1_000:
            raise OSError(28, "No space left on device")
        return real(self, ann)

    monkeypatch.setattr(w3c._Writer, "annotation_json", failing)
    db = open_database(export_db)
    try:
        with pytest.raises(OSError, match="No space left"):
            export_annotation_file(db.repo, db.repo.get_document(db.repo.document_ids()[0]), out)
    finally:
        db.close()
    assert out.read_text("utf-8") == "the old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.json"]


_EXPORT_CHILD = """
import json, resource, sys
sys.path.insert(0, {root!r})
from annotator.io.interchange import export_annotation_file
from annotator.store.database import open_database
db = open_database({db!r})
doc = db.repo.get_document(db.repo.document_ids()[0])
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # the high-water mark of resident memory starts again from here
def kib(key):
    with open("/proc/self/status") as fh:
        return int(next(line for line in fh if line.startswith(key)).split()[1])
before = kib("VmRSS:")
export_annotation_file(db.repo, doc, {out!r})
print(json.dumps({{"rise_kib": kib("VmHWM:") - before}}))
"""


def _export_rise(db: Path, out: Path) -> tuple[float, float]:
    """Export in a fresh process: how far its resident memory rose above
    what it was once the database was open, and the file's size (MiB)."""
    code = _EXPORT_CHILD.format(root=str(ROOT), db=str(db), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])["rise_kib"] / 1024, out.stat().st_size / 2**20


@pytest.mark.timeout(300)
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc/self/clear_refs")
def test_export_memory_does_not_grow_with_the_file(tmp_path):
    """Ten times the annotations: the export's peak memory grows by less than
    half of what the file grows (it grew about nine times the file: the whole
    list of dicts and its JSON text were built before writing).

    Why this measure: each export runs in a fresh process whose high-water
    mark is reset once the database is open (opening a bigger database costs
    memory of its own), so the rise is the export's alone; the difference
    between the two sizes cancels what any export costs (imports, caches)."""
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    build_export_db(small, 2_000)
    build_export_db(large, 20_000)
    rise_small, file_small = _export_rise(small, tmp_path / "small.json")
    rise_large, file_large = _export_rise(large, tmp_path / "large.json")
    assert file_large - file_small > 15  # MiB: the measure means something
    assert rise_large - rise_small < (file_large - file_small) / 2, (rise_small, rise_large, file_small, file_large)
