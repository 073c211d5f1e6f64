"""Desk operations: documents, annotations, entities and annotation imports."""

import sqlite3
import uuid
from datetime import UTC, datetime

import pytest

from annotator.core.errors import InputError
from annotator.core.model import Entity, LabelKind
from annotator.core.offsets import Quote, make_quote
from annotator.core.services import AnnotationDraft, Desk
from annotator.store.database import open_database

TEXT = (
    "Syrian officials said 3,000 troops were sent to the border with Iraq.\n"
    "An Iraqi source denied it. قالت قوات الحشد الشعبي إن الحدود هادئة.\n"
    "Officials in Damascus 🇸🇾 repeated the claim.\n"
)
TABLES = ("document", "label", "entity", "annotation", "claim")


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield db
    db.close()


@pytest.fixture
def desk(db):
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    return desk


@pytest.fixture
def doc(desk):
    return desk.import_document(TEXT, "Border report").document


def label(desk, name):
    return desk.label_named(name)


def dump(path):
    con = sqlite3.connect(path)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    finally:
        con.close()


def span(text, exact, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(exact, i + 1)
    return i, i + len(exact)


# --- documents ----------------------------------------------------------------------------


def test_import_dedups_by_canonical_text(desk, doc):
    again = desk.import_document(TEXT.replace("\n", "\r\n"), "Another title")
    assert not again.created and again.document.id == doc.id
    assert desk.repo.document_ids() == [doc.id]
    other = desk.import_document(TEXT + "More.", "Longer")
    assert other.created and other.document.id != doc.id


def test_import_keeps_text_verbatim(desk):
    text = "  indented\n\n\ttabbed cafe\u0301  \n"
    doc = desk.import_document(text, "  Title  ").document
    assert desk.repo.get_document(doc.id).text == text
    assert doc.title == "Title"


def test_empty_document_is_refused(desk):
    with pytest.raises(InputError, match="no text"):
        desk.import_document(" \n\t", "Blank", filename="blank.txt")


def test_rtl_document_direction(desk):
    doc = desk.import_document("قالت قوات الحشد الشعبي إن الحدود هادئة", "AR").document
    assert doc.direction.value == "rtl"


# --- annotations ----------------------------------------------------------------------------


def test_add_delete_restore_update(desk, doc):
    s, e = span(TEXT, "3,000 troops were sent to the border")
    ann, change = desk.add_annotation(doc.id, label(desk, "Claim").id, s, e, note="first")
    assert change.added == [ann.id] and change.spans == [(s, e)]
    q = make_quote(TEXT, s, e)
    assert (ann.exact, ann.prefix, ann.suffix, ann.creator) == (q.exact, q.prefix, q.suffix, "ana")
    assert ann.entity_id is None  # claims have no entity

    assert desk.delete_annotation(ann.id).removed == [ann.id]
    assert list(desk.repo.annotations(doc.id)) == []
    assert desk.restore_annotation(ann.id).added == [ann.id]

    desk.update_annotation(ann.id, note="second")
    assert desk.repo.get_annotation(ann.id).note == "second"
    desk.update_annotation(ann.id, label_id=label(desk, "Actor").id)
    changed = desk.repo.get_annotation(ann.id)
    assert changed.label_id == label(desk, "Actor").id and changed.entity_id is not None
    assert desk.repo.get_entity(changed.entity_id).name == ann.exact


def test_bad_spans_are_refused(desk, doc):
    for s, e in ((5, 5), (-1, 3), (0, len(TEXT) + 1)):
        with pytest.raises(ValueError):
            desk.add_annotation(doc.id, label(desk, "Actor").id, s, e)


def test_entities_link_by_name_or_alias_ignoring_case(desk, doc):
    with desk.repo.transaction():
        hashd = Entity(kind=LabelKind.ACTOR, name="Popular Mobilisation Forces", aliases=["الحشد  الشعبي", "PMF"])
        desk.repo.add_entity(hashd)
    actor = label(desk, "Actor").id
    a1, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "الحشد الشعبي"))
    assert a1.entity_id == hashd.id  # alias with different spacing

    o1, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "officials"))
    o2, _ = desk.add_annotation(doc.id, actor, *span(TEXT, "Officials"))
    assert o1.entity_id == o2.entity_id != hashd.id
    assert desk.find_entity(LabelKind.ACTOR, "OFFICIALS").id == o1.entity_id
    assert desk.find_entity(LabelKind.ACTOR, "pmf").id == hashd.id
    assert desk.find_entity(LabelKind.LOCATION, "pmf") is None

    loc, _ = desk.add_annotation(doc.id, label(desk, "Location").id, *span(TEXT, "Iraq"))
    assert desk.repo.get_entity(loc.entity_id).kind is LabelKind.LOCATION


def test_tagging_reports_the_entity_it_created(desk, doc):
    """``Change.entities_added`` names a new entity (the GUI then offers gazetteer places), only once."""
    place = label(desk, "Location").id
    first, change = desk.add_annotation(doc.id, place, *span(TEXT, "Iraq"))
    assert change.entities_added == [first.entity_id] and change.entities_changed
    again, change = desk.add_annotation(doc.id, label(desk, "Actor").id, *span(TEXT, "Iraq"))
    assert change.entities_added == [again.entity_id] != [first.entity_id]  # another kind: another entity
    damascus, _ = desk.add_annotation(doc.id, label(desk, "Claim").id, *span(TEXT, "Damascus"))
    change = desk.update_annotation(damascus.id, label_id=place)  # a label change that creates a location
    assert change.entities_added == [desk.repo.get_annotation(damascus.id).entity_id]
    _ann, change = desk.add_annotation(doc.id, place, *span(TEXT, "Iraq", 1))
    assert change.entities_added == []  # linked to the existing location


def test_linking_ignores_harakat_tatweel_hamza_and_hyphens(desk):
    text = "الحَشـد الشَّعبى قال. Hashd al-Shaabi said.\n"
    d = desk.import_document(text, "Variants").document
    hashd = Entity(kind=LabelKind.ACTOR, name="Popular Mobilisation Forces", aliases=["الحشد الشعبي", "Hashd Al Shaabi"])
    with desk.repo.transaction():
        desk.repo.add_entity(hashd)
    actor = label(desk, "Actor").id
    a, change = desk.add_annotation(d.id, actor, *span(text, "الحَشـد الشَّعبى"))
    b, _ = desk.add_annotation(d.id, actor, *span(text, "Hashd al-Shaabi"))
    assert a.entity_id == b.entity_id == hashd.id and change.entities_added == []
    assert desk.find_entity(LabelKind.ACTOR, "hashd-al-shaabi").id == hashd.id


# --- importing annotations ------------------------------------------------------------------


def draft(exact, label_name="Actor", *, nth=0, start=None, end=None, id=None, **kw):
    s, e = span(TEXT, exact, nth)
    return AnnotationDraft(
        label=label_name,
        start=s if start is None else start,
        end=e if end is None else end,
        quote=make_quote(TEXT, s, e),
        id=id,
        **kw,
    )


def test_quote_wins_when_position_disagrees(desk, doc):
    d = draft("Officials", start=0, end=9)  # position points at "Syrian of"
    report = desk.import_annotations(doc.id, [d])
    [ann] = desk.repo.annotations(doc.id)
    assert report.added == [ann.id]
    assert (ann.start, ann.end) == span(TEXT, "Officials")


def test_quote_only_and_position_only(desk, doc):
    s, e = span(TEXT, "Damascus")
    drafts = [
        AnnotationDraft(label="Location", quote=Quote("Iraq", "border with ", ".\n")),
        AnnotationDraft(label="Location", start=s, end=e),
    ]
    report = desk.import_annotations(doc.id, drafts)
    assert len(report.added) == 2 and not report.orphans
    got = sorted((a.start, a.end) for a in desk.repo.annotations(doc.id))
    assert got == sorted([span(TEXT, "Iraq"), (s, e)])


def test_urn_uuid_kept_and_second_import_unchanged(desk, doc):
    ids = [uuid.uuid4(), uuid.uuid4()]
    created = datetime(2025, 6, 21, 8, 15, 0, 250000, tzinfo=UTC)
    drafts = [
        draft("Officials", id=ids[0], creator="Rana", created=created, note="n"),
        draft("Iraq", "Location", id=ids[1]),
    ]
    first = desk.import_annotations(doc.id, drafts)
    assert sorted(first.added) == sorted(ids) and first.unchanged == []
    ann = desk.repo.get_annotation(ids[0])
    assert (ann.creator, ann.created, ann.modified, ann.note) == ("Rana", created, created, "n")
    again = desk.import_annotations(doc.id, drafts)
    assert again.added == [] and sorted(again.unchanged) == sorted(ids)
    assert len(list(desk.repo.annotations(doc.id))) == 2


def test_orphans_reported_rest_imported(desk, doc):
    drafts = [
        draft("Officials"),
        AnnotationDraft(label="Actor", quote=Quote("Hezbollah")),
        AnnotationDraft(label="Actor", start=10, end=len(TEXT) + 5),
        AnnotationDraft(label="Actor", problem="only a RangeSelector"),
        AnnotationDraft(label="Actor"),
        AnnotationDraft(label="Location", start=span(TEXT, "🇸🇾")[0], end=span(TEXT, "🇸🇾")[0] + 1),
    ]
    report = desk.import_annotations(doc.id, drafts)
    assert len(report.added) == 1
    reasons = [o.reason for o in report.orphans]
    assert "is not in the document" in reasons[0]
    assert "outside the text" in reasons[1]
    assert reasons[2] == "only a RangeSelector"
    assert reasons[3] == "neither a position nor a quote"
    assert "splits a character" in reasons[4]


def test_unknown_label_added_to_tagset(desk, doc):
    report = desk.import_annotations(doc.id, [draft("3,000 troops", "Weapon"), draft("Iraq", "WEAPON"), draft("Iraq", "location", nth=1)])
    assert report.labels_added == ["Weapon"]
    weapon = label(desk, "weapon")
    assert weapon.kind is LabelKind.OTHER and weapon.color.startswith("#")
    kinds = sorted(desk._label(a.label_id).name for a in desk.repo.annotations(doc.id))
    assert kinds == ["Location", "Weapon", "Weapon"]


def test_import_is_one_transaction(desk, doc, db, monkeypatch):
    desk.add_annotation(doc.id, label(desk, "Actor").id, *span(TEXT, "officials"))
    before = dump(db.path)
    real = db.repo.add_annotations

    def write_then_fail(rows):
        real(rows)  # the rows are written inside the transaction...
        raise RuntimeError("disk on fire")  # ...and then something goes wrong

    monkeypatch.setattr(db.repo, "add_annotations", write_then_fail)
    drafts = [draft("Iraq", "Location", nth=1), draft("Damascus", "Location"), draft("3,000 troops", "NewLabel")]
    with pytest.raises(RuntimeError):
        desk.import_annotations(doc.id, drafts)
    assert dump(db.path) == before  # no annotation, no new label, no new entity
