"""The reader's read of a document's spans: columns in one aggregate, the
rest of each row when shown, in parts that join to the whole."""

from __future__ import annotations

import uuid

import pytest

from annotator.core.claims import Claims
from annotator.core.model import SpanTable
from annotator.core.services import AnnotationDraft, Desk
from annotator.store.database import open_database

TEXT = "The army of Syria moved.\nThen 👨\u200d👩\u200d👧 Iraq answered and Syria waited.\n\nDamascus said nothing.\n" * 40


@pytest.fixture
def loaded(tmp_path):
    db = open_database(tmp_path / "spans.db")
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    doc = desk.import_document(TEXT, "Spans").document
    drafts = []
    for k in range(40):
        base = k * (len(TEXT) // 40)
        drafts += [
            AnnotationDraft(label="Actor", start=base + 12, end=base + 17, note="the regime" if k % 7 == 0 else ""),
            AnnotationDraft(label="Claim", start=base, end=base + 24),
            AnnotationDraft(label="Location", start=base + 12, end=base + 17),  # the same span, another label
        ]
    drafts.append(AnnotationDraft(label="Actor", fragments=[(4, 8), (12, 17)]))
    report = desk.import_annotations(doc.id, drafts)
    assert not report.orphans
    claim = next(a for a in db.repo.annotation_spans(doc.id) if a.start == 0 and a.end == 24)
    Claims(db.repo, "ana").set_details(claim.id, reliability="B", credibility="2")
    gone = next(a for a in db.repo.annotation_spans(doc.id) if a.start == 12 + len(TEXT) // 40)
    desk.delete_annotations([gone.id])
    yield db, doc, claim, gone
    db.close()


def test_the_columns_hold_every_live_span_with_its_details(loaded):
    db, doc, claim, gone = loaded
    table, fragments = db.repo.document_spans(doc.id)
    assert table.starts == sorted(table.starts)
    assert sorted(table.rows()) == sorted(db.repo.annotation_spans(doc.id))  # quotes, entities, notes read lazily
    assert gone.id.hex not in table.ids
    assert fragments == db.repo.annotation_fragments(doc.id)
    assert table.gradings == {claim.id.hex: ("B", "2")}


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_parts_join_to_the_whole(loaded, parts, monkeypatch):
    db, doc, _claim, _gone = loaded
    table, fragments = db.repo.document_spans(doc.id)
    joined, pieces = SpanTable(), {}
    count = 0
    monkeypatch.setattr("annotator.store.repository.SPAN_PART_MIN", 1)
    for part, frags in db.repo.document_span_parts(doc.id, parts):
        joined.extend(part)
        pieces.update(frags)
        count += 1
    assert count == parts
    assert (joined.ids, joined.starts, joined.ends, joined.label_ids) == (table.ids, table.starts, table.ends, table.label_ids)
    assert pieces == fragments
    assert sorted(joined.rows()) == sorted(table.rows())


def test_an_unknown_document_reads_empty(loaded):
    db = loaded[0]
    table, fragments = db.repo.document_spans(uuid.uuid4())
    assert len(table) == 0 and fragments == {}
    assert [len(t) for t, _f in db.repo.document_span_parts(uuid.uuid4(), 3)] == [0]
