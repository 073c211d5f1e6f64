"""Rejected suggestions (schema 8): stored, read, tombstoned; merged, checked
in a colleague's file, shared with their documents only; noted in the change log."""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import replace

import pytest

from annotator.core.errors import StoreError
from annotator.core.model import RejectedSuggestion, now
from annotator.store.database import open_database
from annotator.store.merge import apply_merge, conflicts, plan_merge
from annotator.store.share import share
from annotator.store.sqlite.untrusted import read_untrusted
from tests.merge_helpers import TEXT, TEXT2, Analyst, base_database, content, raw_dump, span, sql
from tests.schema_helpers import file_at_version

MIXED = "قال مسؤولون 🇸🇾 إن دمشق 👍🏽 أرسلت قوات إلى الحدود. Officials in Damascus 😀 said so."


def rejection(a: Analyst, doc_id: uuid.UUID, label: str, word: str, text: str, **kw) -> RejectedSuggestion:
    """``a`` rejects ``label`` on the first ``word`` of ``text``."""
    start, end = span(text, word)
    return RejectedSuggestion(document_id=doc_id, label_id=a.label(label).id, start=start, end=end, exact=word,
                              creator=a.user, **kw)  # fmt: skip


def tick():
    time.sleep(0.002)  # distinct modification times


@pytest.fixture
def ana(tmp_path):
    a = Analyst(tmp_path / "ana.db", "ana")
    a.desk.ensure_tagset()
    yield a
    a.close()


# --- the repository ------------------------------------------------------------------------


def test_put_read_and_tombstone_in_code_points(ana):
    doc = ana.doc(MIXED, "Mixed")
    city = rejection(ana, doc.id, "Location", "دمشق", MIXED)
    thumb = rejection(ana, doc.id, "Actor", "👍🏽 أرسلت", MIXED)
    emoji = rejection(ana, doc.id, "Actor", "Damascus 😀", MIXED)
    ana.repo.put_rejections([emoji, thumb, city])
    got = ana.repo.rejections(doc.id)
    assert got == [city, thumb, emoji]  # in text order, every field as written
    assert all(MIXED[r.start : r.end] == r.exact for r in got)
    assert thumb.end - thumb.start == len("👍🏽 أرسلت") == 8  # code points: the emoji and its skin tone are two
    assert ana.repo.all_rejections() == got

    gone = replace(thumb, deleted=True, modified=now())  # undoing the rejection
    ana.repo.put_rejections([gone])
    assert ana.repo.rejections(doc.id) == ana.repo.all_rejections() == [city, emoji]
    assert ana.repo.rejections(doc.id, include_deleted=True) == [city, gone, emoji]
    again = open_database(ana.path)  # another connection: as stored
    try:
        assert again.repo.rejections(doc.id, include_deleted=True) == [city, gone, emoji]
    finally:
        again.close()


def test_rejections_with_an_entity_and_across_documents(ana):
    doc, other = ana.doc(TEXT), ana.doc(TEXT2, "Drones")
    syria = ana.tag(doc.id, "Actor", *span(TEXT, "Syria"))
    here = rejection(ana, doc.id, "Actor", "Damascus", TEXT, entity_id=syria.entity_id)
    there = rejection(ana, other.id, "Location", "Ankara", TEXT2)
    ana.repo.put_rejections([here, there])
    assert ana.repo.rejections(doc.id) == [here] and ana.repo.rejections(other.id) == [there]
    assert sorted(ana.repo.all_rejections(), key=lambda r: r.exact) == [there, here]
    assert ana.repo.rejections(uuid.uuid4()) == []


def test_ten_thousand_are_written_and_tombstoned_in_well_under_a_second(ana):
    text = "word " * 12_000
    doc = ana.doc(text, "Long")
    label = ana.label("Actor").id
    rows = [RejectedSuggestion(document_id=doc.id, label_id=label, start=5 * i, end=5 * i + 4, exact="word") for i in range(10_000)]
    started = time.perf_counter()
    ana.repo.put_rejections(rows)
    inserted = time.perf_counter() - started
    stamp = now()
    started = time.perf_counter()
    ana.repo.put_rejections([replace(r, deleted=True, modified=stamp) for r in rows])
    tombstoned = time.perf_counter() - started
    assert inserted < 1.0 and tombstoned < 1.0, (inserted, tombstoned)
    assert ana.repo.rejections(doc.id) == [] and len(ana.repo.rejections(doc.id, include_deleted=True)) == 10_000


def test_the_last_version_of_an_id_wins_and_one_failure_writes_nothing(ana):
    doc = ana.doc()
    first = rejection(ana, doc.id, "Actor", "Syria", TEXT)
    ana.repo.put_rejections([first, replace(first, deleted=True)])
    assert ana.repo.rejections(doc.id) == [] and ana.repo.rejections(doc.id, include_deleted=True)[0].deleted
    orphan = replace(first, id=uuid.uuid4(), document_id=uuid.uuid4())  # no such document: the foreign key refuses it
    fine = rejection(ana, doc.id, "Location", "Iraq", TEXT)
    with pytest.raises(StoreError):
        ana.repo.put_rejections([fine, orphan])
    assert ana.repo.rejections(doc.id, include_deleted=True) == [replace(first, deleted=True)]


def test_a_write_is_in_the_change_log_with_its_document(ana):
    doc = ana.doc()
    other = open_database(ana.path)  # another window on the same file
    try:
        seq = other.repo.change_position()
        ana.repo.put_rejections([rejection(ana, doc.id, "Actor", "Syria", TEXT)])
        changes = other.repo.changes_since(seq)
        assert changes.tables == {"rejected_suggestion"} and changes.documents == {doc.id}
        assert changes.touches(doc.id)
    finally:
        other.close()


# --- merging -----------------------------------------------------------------------------------


def test_a_merge_carries_a_rejection_and_a_newer_tombstone_wins(pair):
    ana, bo, ids = pair
    r = rejection(bo, ids["doc"], "Location", "Bukamal", TEXT, entity_id=ids["syria_entity"])
    bo.repo.put_rejections([r])
    report = apply_merge(ana.db, bo.path, user="ana")
    assert report.counts["rejected_suggestion"].added == 1 and report.document_ids == [ids["doc"]]
    assert ana.repo.rejections(ids["doc"]) == [r]
    assert apply_merge(ana.db, bo.path, user="ana").is_noop  # again: nothing

    tick()
    bo.repo.put_rejections([replace(r, deleted=True, modified=now())])  # bo undid it later
    report = apply_merge(ana.db, bo.path, user="ana")
    assert report.counts["rejected_suggestion"].deleted == 1 and report.conflict_ids == []
    assert ana.repo.rejections(ids["doc"]) == [] and ana.repo.rejections(ids["doc"], include_deleted=True)[0].deleted

    tick()
    ana.repo.put_rejections([replace(r, modified=now())])  # ana rejects it again, later still
    assert apply_merge(bo.db, ana.path, user="bo").counts["rejected_suggestion"].updated == 1
    assert bo.repo.rejections(ids["doc"]) == ana.repo.rejections(ids["doc"])
    assert content(ana.path) == content(bo.path)


def test_their_rows_point_to_our_document_and_label(tmp_path):
    ana, bo = Analyst(tmp_path / "ana.db", "ana"), Analyst(tmp_path / "bo.db", "bo")
    try:
        for a in (ana, bo):
            a.desk.ensure_tagset()
        ours, theirs = ana.doc(), bo.doc()  # the same article imported twice: two ids
        assert ours.id != theirs.id and ana.label("Actor").id != bo.label("Actor").id
        r = rejection(bo, theirs.id, "Actor", "Damascus", TEXT)
        bo.repo.put_rejections([r])
        assert apply_merge(ana.db, bo.path, user="ana").counts["rejected_suggestion"].added == 1
        [got] = ana.repo.rejections(ours.id)
        assert got == replace(r, document_id=ours.id, label_id=ana.label("Actor").id)
    finally:
        ana.close()
        bo.close()


def test_a_conflicting_version_is_recorded_with_its_document(pair):
    ana, bo, ids = pair
    r = rejection(ana, ids["doc"], "Actor", "Damascus", TEXT)
    ana.repo.put_rejections([r])
    bo.repo.put_rejections([r])  # the same row on both sides
    tick()
    bo.repo.put_rejections([replace(r, entity_id=ids["syria_entity"], modified=now())])
    report = apply_merge(ana.db, bo.path, user="ana")
    assert report.counts["rejected_suggestion"].conflicts == 1
    [c] = conflicts(ana.db)
    assert (c.table, c.row_id, c.document_id) == ("rejected_suggestion", r.id, ids["doc"])
    assert ana.repo.rejections(ids["doc"])[0].entity_id == ids["syria_entity"]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ("UPDATE rejected_suggestion SET exact = 'Damascvs'", "rejected suggestion .*: its quote is not the text at"),
        ('UPDATE rejected_suggestion SET "end" = 100000', r"rejected suggestion .*: span \d+\.\.100000 is outside"),
        ('UPDATE rejected_suggestion SET start = "end"', "rejected suggestion .*: span .* is outside"),
        (f"UPDATE rejected_suggestion SET label_id = '{uuid.uuid4().hex}'", "row 1 of rejected_suggestion refers to a missing label row"),
        (f"UPDATE rejected_suggestion SET entity_id = '{uuid.uuid4().hex}'", "row 1 of rejected_suggestion refers to a missing entity row"),
    ],
)
def test_a_damaged_foreign_row_is_refused(pair, change, match):
    ana, bo, ids = pair
    bo.repo.put_rejections([rejection(bo, ids["doc"], "Location", "Damascus", TEXT)])
    con = sqlite3.connect(bo.path)
    try:
        con.executescript(f"PRAGMA foreign_keys=OFF; {change};")
    finally:
        con.close()
    before = raw_dump(ana.path)
    with pytest.raises(StoreError, match="damaged Annotator database: " + match):
        plan_merge(ana.db, bo.path)
    with pytest.raises(StoreError, match="damaged"):
        apply_merge(ana.db, bo.path, user="ana")
    assert raw_dump(ana.path) == before


def test_a_file_of_schema_7_has_no_rejections(tmp_path):
    path = tmp_path / "v7.db"
    file_at_version(path, 7)
    theirs = read_untrusted(path)
    assert theirs.version == 7 and theirs.rows["rejected_suggestion"] == []


# --- sharing -------------------------------------------------------------------------------------


def test_a_share_carries_the_rejections_of_the_shared_documents_only(tmp_path):
    ids = base_database(tmp_path / "ana.db", "ana")
    a = Analyst(tmp_path / "ana.db", "ana")
    try:
        other = a.doc(TEXT2, "Drones")
        ankara = a.tag(other.id, "Actor", *span(TEXT2, "Ankara"))
        here = rejection(a, ids["doc"], "Location", "Iraq", TEXT, entity_id=ankara.entity_id)  # an entity of the other article
        undone = replace(rejection(a, ids["doc"], "Actor", "Baghdad", TEXT), deleted=True)
        there = rejection(a, other.id, "Location", "Hasakah", TEXT2)
        a.repo.put_rejections([here, undone, there])
        out = tmp_path / "for-bo.db"
        report = share(a.db, [ids["doc"]], out)
        assert report.counts["rejected_suggestion"] == 2
        shared = sorted(r[0] for r in sql(out, "SELECT id FROM rejected_suggestion"))
        assert shared == sorted([here.id.hex, undone.id.hex])  # the tombstone too, so the undo reaches bo
        assert ankara.entity_id.hex in {r[0] for r in sql(out, "SELECT id FROM entity")}  # what the row refers to
        theirs = read_untrusted(out)  # a sound file
        assert {r["id"] for r in theirs.rows["rejected_suggestion"]} == {here.id, undone.id}
        assert apply_merge(a.db, out, user="ana").is_noop  # merged back: exactly our rows
    finally:
        a.close()
