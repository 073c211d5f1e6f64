"""The reader's read of a document's spans: columns in one aggregate, the
rest of each row when shown."""

from __future__ import annotations

import uuid

import pytest

from annotator.core.claims import Claims
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


def test_the_caller_hears_when_the_read_begins(loaded):
    db, doc, _claim, _gone = loaded
    heard = []
    table, _fragments = db.repo.document_spans(doc.id, lambda: heard.append(len(heard)))
    assert heard == [0] and len(table) == 3 * 40  # one read, announced once


def test_an_unknown_document_reads_empty(loaded):
    db = loaded[0]
    table, fragments = db.repo.document_spans(uuid.uuid4())
    assert len(table) == 0 and fragments == {}
