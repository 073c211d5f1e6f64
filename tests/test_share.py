"""Need-to-know sharing: a new database with only the chosen documents and what they need."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from annotator.core.errors import InputError, NotFound
from annotator.core.model import Annotation, AnnotationExtra, Claim, ClaimLink, ClaimSubject, Label, LabelKind
from annotator.store import share as share_mod
from annotator.store.merge import apply_merge
from annotator.store.share import share
from annotator.store.sqlite.untrusted import read_untrusted
from tests.merge_helpers import TEXT, TEXT2, Analyst, base_database, raw_dump, span, sql


@pytest.fixture
def desk(tmp_path):
    """ana's database: the report (with claim, subject, link) and a second, unrelated article."""
    ids = base_database(tmp_path / "ana.db", "ana")
    a = Analyst(tmp_path / "ana.db", "ana")
    other = a.doc(TEXT2, "Drones")
    ankara = a.tag(other.id, "Actor", *span(TEXT2, "Ankara"))
    with a.repo.transaction():
        a.repo.add_label(Label(name="Unused", kind=LabelKind.OTHER, color="#000000", creator="ana"))
    ids.update(other=other.id, ankara=ankara.id, ankara_entity=ankara.entity_id)
    yield a, ids
    a.close()


def rows(path: Path, table: str, where: str = "1") -> list:
    return sorted(sql(path, f'SELECT * FROM "{table}" WHERE {where}'))


def test_only_the_chosen_document_and_what_it_needs(desk, tmp_path):
    a, ids = desk
    gone = a.tag(ids["doc"], "Actor", *span(TEXT, "Baghdad"))
    a.desk.delete_annotation(gone.id)
    with a.repo.transaction():
        a.repo.add_annotation_extras([AnnotationExtra(annotation_id=ids["syria"], kind="source_id", name="brat",
                                                      value={"id": "T1"}, creator="ana")])  # fmt: skip
    out = tmp_path / "for-bo.db"
    report = share(a.db, [ids["doc"]], out)
    assert report.path == out and report.trimmed_sources == 0
    assert report.counts == {"document": 1, "label": 3, "entity": 4, "annotation": 6, "annotation_extra": 1,
                             "claim": 1, "claim_subject": 1, "claim_link": 1, "rejected_suggestion": 0}  # fmt: skip
    doc_hex = ids["doc"].hex
    assert rows(out, "document") == rows(a.path, "document", f"id = '{doc_hex}'")
    assert rows(out, "annotation") == rows(a.path, "annotation", f"document_id = '{doc_hex}'")  # tombstone included
    for table in ("claim", "claim_subject", "claim_link", "annotation_extra"):
        assert rows(out, table) == rows(a.path, table)
    names = {r[0] for r in sql(out, "SELECT name FROM label")}
    assert names == {"Actor", "Location", "Claim"}  # not "Unused"
    entity_ids = {r[0] for r in sql(out, "SELECT id FROM entity")}
    assert ids["ankara_entity"].hex not in entity_ids and ids["syria_entity"].hex in entity_ids
    assert "Ankara" not in out.read_bytes().decode("utf-8", "replace")  # the other article is not in the file
    assert not Path(f"{out}-wal").exists() and not Path(f"{out}-shm").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_the_shared_file_merges_back_to_nothing_and_into_an_empty_desk(desk, tmp_path):
    a, ids = desk
    out = tmp_path / "for-bo.db"
    share(a.db, [ids["doc"], ids["other"]], out)
    theirs = read_untrusted(out)
    assert len(theirs.rows["document"]) == 2
    assert apply_merge(a.db, out).total.changes() == 0
    bo = Analyst(tmp_path / "bo.db", "bo")
    report = apply_merge(bo.db, out)
    assert report.counts["annotation"].added == 6 and report.total.conflicts == 0
    assert bo.repo.get_annotation(ids["syria"]) == a.repo.get_annotation(ids["syria"])
    bo.close()


def test_a_claim_source_mention_in_another_document_is_left_out(desk, tmp_path):
    a, ids = desk
    with a.repo.transaction():
        a.repo.put_claim(Claim(annotation_id=ids["second"], source_annotation_id=ids["ankara"],
                               source_entity_id=ids["ankara_entity"], creator="ana"))  # fmt: skip
    out = tmp_path / "for-bo.db"
    report = share(a.db, [ids["doc"]], out)
    assert report.trimmed_sources == 1
    [(source_ann, source_entity)] = sql(
        out, "SELECT source_annotation_id, source_entity_id FROM claim WHERE annotation_id = ?", ids["second"].hex
    )
    assert source_ann is None and source_entity == ids["ankara_entity"].hex  # the actor is kept, his mention is not
    assert sql(out, "SELECT count(*) FROM annotation WHERE id = ?", ids["ankara"].hex) == [(0,)]
    # Merged back unedited, our fuller version stays.
    report = apply_merge(a.db, out)
    assert report.total.updated == 0
    assert a.repo.claim_for(ids["second"]).source_annotation_id == ids["ankara"]


def test_links_to_claims_outside_the_share_are_left_out(desk, tmp_path):
    a, ids = desk
    other_claim = a.tag(ids["other"], "Claim", 0, len(TEXT2))
    with a.repo.transaction():
        a.repo.put_claim_link(ClaimLink(from_annotation_id=ids["claim"], to_annotation_id=other_claim.id,
                                        relation="contradicts", creator="ana"))  # fmt: skip
        a.repo.put_claim_subject(ClaimSubject(claim_annotation_id=other_claim.id, entity_id=ids["syria_entity"], creator="ana"))
    out = tmp_path / "for-bo.db"
    report = share(a.db, [ids["doc"]], out)
    assert report.counts["claim_link"] == 1 and report.counts["claim_subject"] == 1


def test_merged_entities_come_with_what_they_were_merged_into(desk, tmp_path):
    a, ids = desk
    from dataclasses import replace

    from annotator.core.model import now

    target = a.repo.get_entity(ids["ankara_entity"])
    syria = a.repo.get_entity(ids["syria_entity"])
    with a.repo.transaction():
        a.repo.update_entity(replace(syria, deleted=True, merged_into=target.id, modified=now()))
    out = tmp_path / "for-bo.db"
    share(a.db, [ids["doc"]], out)
    assert ids["ankara_entity"].hex in {r[0] for r in sql(out, "SELECT id FROM entity")}


def test_refuses_to_overwrite_unless_asked(desk, tmp_path):
    a, ids = desk
    out = tmp_path / "for-bo.db"
    out.write_text("precious")
    with pytest.raises(InputError, match="already exists"):
        share(a.db, [ids["doc"]], out)
    assert out.read_text() == "precious"
    share(a.db, [ids["doc"]], out, overwrite=True)
    assert read_untrusted(out).rows["document"][0]["id"] == ids["doc"]
    with pytest.raises(InputError, match="being shared"):
        share(a.db, [ids["doc"]], a.path, overwrite=True)
    with pytest.raises(InputError, match="no such folder"):
        share(a.db, [ids["doc"]], tmp_path / "nowhere" / "x.db")
    with pytest.raises(InputError, match="at least one"):
        share(a.db, [], tmp_path / "x.db")


def test_unknown_or_deleted_documents_are_refused(desk, tmp_path):
    a, ids = desk
    with pytest.raises(NotFound):
        share(a.db, [uuid.uuid4()], tmp_path / "x.db")
    assert not (tmp_path / "x.db").exists()


def test_a_failure_part_way_leaves_the_old_file_and_no_debris(desk, tmp_path, monkeypatch):
    a, ids = desk
    out = tmp_path / "for-bo.db"
    share(a.db, [ids["other"]], out)
    before = raw_dump(out)
    real = share_mod.collect

    def broken(conn, doc_ids):
        got, trimmed = real(conn, doc_ids)
        bad = Annotation(document_id=uuid.uuid4(), label_id=uuid.uuid4(), start=0, end=1, exact="x")
        got["annotation"].append({**vars(bad)})  # a reference to nothing: the insert fails
        return got, trimmed

    monkeypatch.setattr(share_mod, "collect", broken)
    with pytest.raises(Exception, match="FOREIGN KEY"):
        share(a.db, [ids["doc"]], out, overwrite=True)
    assert raw_dump(out) == before
    assert [name for name in os.listdir(tmp_path) if ".part" in name] == []


def test_the_shared_file_is_searched_as_the_original(desk, tmp_path):
    """The rows go into the new file without the repository: its search index
    is built there, so a colleague opening it finds what the sender finds."""
    from annotator.store.database import open_database

    a, ids = desk
    out = tmp_path / "for-bo.db"
    share(a.db, [ids["doc"]], out)
    mine = {(h.where, h.start, h.end) for h in a.repo.search("Syria", limit=1000).hits if h.document_id == ids["doc"]}
    theirs_db = open_database(out)
    try:
        found = theirs_db.repo.search("Syria", limit=1000).hits
        theirs = {(h.where, h.start, h.end) for h in found if h.document_id is not None}
        assert [h.entity_id for h in found if h.document_id is None] == [ids["syria_entity"]]  # its entity came along
        assert not theirs_db.repo.search("Ankara").hits  # the other article is not in the file, nor in its index
    finally:
        theirs_db.close()
    assert mine and theirs == mine
