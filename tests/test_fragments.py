"""Discontinuous spans: drafts with fragments are anchored piece by piece."""

import pytest

from annotator.core.offsets import Quote
from annotator.core.services import AnnotationDraft, Desk
from annotator.store.database import open_database

TEXT = "This is\na test. 😀 done"


@pytest.fixture
def desk(tmp_path):
    db = open_database(tmp_path / "a.db")
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    yield desk
    db.close()


def _doc(desk):
    return desk.import_document(TEXT, "T").document


def test_fragments_are_stored_sorted_with_the_whole_extent(desk):
    doc = _doc(desk)
    report = desk.import_annotations(doc.id, [AnnotationDraft(label="Token", fragments=[(8, 9), (5, 7)])])
    [ann] = [desk.repo.get_annotation(i) for i in report.added]
    assert (ann.start, ann.end, ann.exact) == (5, 9, "is\na")
    assert ann.fragments == [(5, 7), (8, 9)] and ann.pieces() == [(5, 7), (8, 9)]
    assert desk.repo.annotation_fragments(doc.id) == {ann.id: [(5, 7), (8, 9)]}
    assert "Token" in report.labels_added


def test_one_fragment_is_a_plain_span(desk):
    doc = _doc(desk)
    report = desk.import_annotations(doc.id, [AnnotationDraft(label="Token", fragments=[(0, 4)])])
    ann = desk.repo.get_annotation(report.added[0])
    assert (ann.start, ann.end, ann.fragments) == (0, 4, None)
    assert ann.pieces() == [(0, 4)]


@pytest.mark.parametrize(
    "text, fragments, reason",
    [
        (TEXT, [(0, 4), (2, 6)], "fragments 0..4 and 2..6 overlap"),
        (TEXT, [(0, 4), (20, 99)], "fragment 2 of 2: position 20..99 is outside the text"),
        (TEXT, [(0, 4), (-3, 2)], "fragment 2 of 2: position -3..2 is outside the text"),
        (TEXT, [(0, 4), (6, 5)], "fragment 2 of 2: position 6..5 is outside the text"),
        ("abe\u0301 cd", [(0, 2), (2, 3)], "fragment 2 of 2: position 2..3 splits a character"),
    ],
)
def test_bad_fragments_make_an_orphan(desk, text, fragments, reason):
    doc = desk.import_document(text, "T").document
    report = desk.import_annotations(doc.id, [AnnotationDraft(label="Token", fragments=fragments, source_line="T1")])
    assert not report.added
    [orphan] = report.orphans
    assert orphan.reason.startswith(reason)
    assert list(desk.repo.annotations(doc.id)) == []


def test_fragment_quotes_reanchor_each_piece(desk):
    doc = _doc(desk)
    draft = AnnotationDraft(label="Token", fragments=[(1, 3), (9, 10)], fragment_quotes=[Quote("This"), Quote("a")])
    report = desk.import_annotations(doc.id, [draft])
    ann = desk.repo.get_annotation(report.added[0])
    assert ann.fragments == [(0, 4), (8, 9)]
