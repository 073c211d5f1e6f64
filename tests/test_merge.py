"""Merging a colleague's database: the rules, idempotence, symmetry, rollback, conflicts."""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import replace

import pytest

from annotator.core.agreement import agreeing_groups
from annotator.core.errors import InputError, NotFound
from annotator.core.model import Annotation, AnnotationExtra, Claim, ClaimSubject, Label, LabelKind, now
from annotator.store import merge as merge_mod
from annotator.store.database import open_database
from annotator.store.merge import apply_merge, conflicts, plan_merge, resolve_conflict, reverse_conflict
from tests.merge_helpers import TEXT, TEXT2, Analyst, content, raw_dump, span


def tick():
    time.sleep(0.002)  # distinct modification times


def merge(into: Analyst, other: Analyst):
    return apply_merge(into.db, other.path, user=into.user)


def zero(report) -> bool:
    return report.total.changes() == 0


# --- the rules -----------------------------------------------------------------------------


def test_identical_copies_merge_to_nothing(pair):
    ana, bo, _ = pair
    plan = plan_merge(ana.db, bo.path)
    assert plan.is_noop and plan.total.unchanged > 0
    assert zero(merge(ana, bo))


def test_rows_only_in_theirs_are_added_with_creator_and_times(pair):
    ana, bo, ids = pair
    new = bo.tag(ids["doc"], "Actor", *span(TEXT, "Baghdad"), note="bo's find")
    before = raw_dump(bo.path)
    report = merge(ana, bo)
    assert report.counts["annotation"].added == 1 and report.counts["entity"].added == 1
    assert report.document_ids == [ids["doc"]]
    got = ana.repo.get_annotation(new.id)
    assert got == new and got.creator == "bo" and got.created == new.created and got.modified == new.modified
    assert ana.repo.get_entity(new.entity_id).creator == "bo"
    assert raw_dump(bo.path) == before  # their file is never touched


def test_newer_edit_wins_and_the_older_version_is_a_conflict(pair):
    ana, bo, ids = pair
    ana.desk.update_annotation(ids["syria"], note="ana: state actor")
    tick()
    bo.desk.update_annotation(ids["syria"], note="bo: the army")
    report = merge(ana, bo)
    c = report.counts["annotation"]
    assert (c.updated, c.conflicts, c.added, c.deleted) == (1, 1, 0, 0)
    assert ana.repo.get_annotation(ids["syria"]).note == "bo: the army"
    [conflict] = conflicts(ana.db)
    assert conflict.id == report.conflict_ids[0]
    assert (conflict.table, conflict.row_id, conflict.document_id) == ("annotation", ids["syria"], ids["doc"])
    assert (conflict.kept_side, conflict.other_side, conflict.other_creator) == ("theirs", "ours", "ana")
    assert conflict.differences() == [("note", "bo: the army", "ana: state actor")]
    assert conflict.merged_by == "ana" and conflict.source == "bo.db" and not conflict.resolved


def test_our_newer_edit_stays_and_theirs_is_recorded(pair):
    ana, bo, ids = pair
    bo.desk.update_annotation(ids["syria"], note="bo: the army")
    tick()
    ana.desk.update_annotation(ids["syria"], note="ana: state actor")
    before = ana.repo.get_annotation(ids["syria"])
    report = merge(ana, bo)
    c = report.counts["annotation"]
    assert (c.updated, c.conflicts) == (0, 1)
    assert ana.repo.get_annotation(ids["syria"]) == before
    [conflict] = conflicts(ana.db)
    assert (conflict.kept_side, conflict.other["note"], conflict.other_creator) == ("ours", "bo: the army", "ana")


def test_a_change_only_in_time_is_an_update_not_a_conflict(pair):
    ana, bo, ids = pair
    bo.desk.update_annotation(ids["syria"], note="x")
    tick()
    bo.desk.update_annotation(ids["syria"], note="")  # back to the original content, later time
    report = merge(ana, bo)
    assert report.counts["annotation"].updated == 1 and report.total.conflicts == 0
    assert ana.repo.get_annotation(ids["syria"]).modified == bo.repo.get_annotation(ids["syria"]).modified


def test_tombstones_propagate_deletions(pair):
    ana, bo, ids = pair
    bo.desk.delete_annotation(ids["damascus"])
    report = merge(ana, bo)
    c = report.counts["annotation"]
    assert (c.deleted, c.updated, c.conflicts) == (1, 0, 0)
    assert ana.repo.get_annotation(ids["damascus"]).deleted
    assert ids["damascus"] not in {s.id for s in ana.repo.annotation_spans(ids["doc"])}


def test_our_later_restore_beats_their_deletion(pair):
    ana, bo, ids = pair
    bo.desk.delete_annotation(ids["damascus"])
    ana.desk.delete_annotation(ids["damascus"])
    tick()
    ana.desk.restore_annotation(ids["damascus"])
    report = merge(ana, bo)
    assert zero(report) and report.counts["annotation"].unchanged > 0  # ours is newer; same content
    assert not ana.repo.get_annotation(ids["damascus"]).deleted


def test_a_row_they_created_and_deleted_arrives_as_a_tombstone(pair):
    ana, bo, ids = pair
    gone = bo.tag(ids["doc"], "Location", *span(TEXT, "Iraq"))
    bo.desk.delete_annotation(gone.id)
    report = merge(ana, bo)
    assert report.counts["annotation"].tombstones == 1 and report.counts["annotation"].added == 0
    assert ana.repo.get_annotation(gone.id).deleted


def test_a_later_edit_brings_a_deleted_row_back_and_records_the_deletion(pair):
    ana, bo, ids = pair
    ana.desk.delete_annotation(ids["syria"])
    tick()
    bo.desk.update_annotation(ids["syria"], note="still relevant")
    report = merge(ana, bo)
    assert report.counts["annotation"].updated == 1 and report.counts["annotation"].conflicts == 1
    back = ana.repo.get_annotation(ids["syria"])
    assert not back.deleted and back.note == "still relevant"
    [c] = conflicts(ana.db)
    assert c.other["deleted"] is True and c.other["note"] == ""


def test_same_document_imported_by_two_analysts_is_one_document(tmp_path):
    ana, bo = Analyst(tmp_path / "ana.db", "ana"), Analyst(tmp_path / "bo.db", "bo")
    for a in (ana, bo):
        a.desk.ensure_tagset()
    doc_a = ana.doc(TEXT2, "Drones")
    tick()
    doc_b = bo.doc(TEXT2, "Drones")
    assert doc_a.id != doc_b.id and doc_a.sha256 == doc_b.sha256
    a1 = ana.tag(doc_a.id, "Location", *span(TEXT2, "Hasakah"))
    b1 = bo.tag(doc_b.id, "Location", *span(TEXT2, "Hasakah"))  # same span and label, another UUID
    b2 = bo.tag(doc_b.id, "Location", *span(TEXT2, "Ankara"))
    report = merge(ana, bo)
    assert report.counts["document"].added == 0 and report.total.conflicts == 0
    assert ana.repo.document_ids() == [doc_a.id]
    doc = ana.repo.get_document(doc_a.id)
    assert doc.creator == "ana"  # credited to whoever imported it first
    rows = {r.id: r for r in ana.repo.annotations(doc_a.id)}
    assert set(rows) == {a1.id, b1.id, b2.id}  # both of the agreeing annotations are kept
    assert rows[b1.id].document_id == doc_a.id and rows[b1.id].creator == "bo"
    assert {lb.name for lb in ana.repo.labels()} == {lb.name for lb in bo.repo.labels()}  # labels matched by name
    assert rows[b1.id].label_id == ana.label("Location").id
    [group] = agreeing_groups(ana.repo, doc_a.id)
    assert set(group.annotation_ids) == {a1.id, b1.id} and group.creators == ("ana", "bo")
    # and the other way round, bo keeps his document id but ana's metadata (she was first)
    merge(bo, ana)
    assert bo.repo.document_ids() == [doc_b.id] and bo.repo.get_document(doc_b.id).creator == "ana"
    ana.close()
    bo.close()


def test_labels_match_by_name_and_kind(pair):
    ana, bo, ids = pair
    with ana.repo.transaction():
        ana.repo.add_label(Label(name="Weapon", kind=LabelKind.OTHER, color="#111111", creator="ana"))
    tick()
    with bo.repo.transaction():
        bo.repo.add_label(Label(name="weapon ", kind=LabelKind.OTHER, color="#222222", creator="bo"))
        bo.repo.add_label(Label(name="Weapon", kind=LabelKind.ACTOR, color="#333333", creator="bo"))
    theirs = next(lb for lb in bo.repo.labels() if lb.color == "#222222")
    ann = bo.desk.add_annotation(ids["doc"], theirs.id, *span(TEXT, "troops"))[0]
    report = merge(ana, bo)
    assert report.counts["label"].added == 1  # the actor one; "weapon " is ana's "Weapon"
    ours = next(lb for lb in ana.repo.labels() if lb.name.strip().casefold() == "weapon" and lb.kind == LabelKind.OTHER)
    assert ana.repo.get_annotation(ann.id).label_id == ours.id
    assert report.counts["label"].conflicts == 1  # the colour and spelling differ: bo's newer version won
    assert ours.color == "#222222"


def test_claims_match_by_annotation(pair):
    ana, bo, ids = pair
    target = ids["second"]
    ana.desk.set_claim(Claim(annotation_id=target, reliability="C", credibility="3"))
    tick()
    bo.desk.set_claim(Claim(annotation_id=target, reliability="A", credibility="1"))
    ours_id = ana.repo.claim_for(target).id
    assert ours_id != bo.repo.claim_for(target).id
    report = merge(ana, bo)
    claim = ana.repo.claim_for(target)
    assert claim.id == ours_id and claim.grading == "A1" and claim.creator == "bo"
    assert report.counts["claim"].updated == 1 and report.counts["claim"].conflicts == 1


def test_claim_subjects_and_links_by_uuid(pair):
    ana, bo, ids = pair
    other = bo.tag(ids["doc"], "Actor", *span(TEXT, "Baghdad"))
    with bo.repo.transaction():
        bo.repo.put_claim_subject(ClaimSubject(claim_annotation_id=ids["claim"], entity_id=other.entity_id, creator="bo"))
    [link] = bo.repo.claim_links(ids["claim"])
    with bo.repo.transaction():
        bo.repo.put_claim_link(replace(link, deleted=True, modified=now()))
    report = merge(ana, bo)
    assert report.counts["claim_subject"].added == 1 and report.counts["claim_link"].deleted == 1
    assert {s.entity_id for s in ana.repo.claim_subjects(ids["claim"])} == {ids["syria_entity"], other.entity_id}
    assert ana.repo.claim_links(ids["claim"]) == []


def test_fragments_and_import_extras_travel_with_their_annotation(pair):
    ana, bo, ids = pair
    ann = Annotation(document_id=ids["doc"], label_id=bo.label("Claim").id, start=0, end=30, exact=TEXT[:30],
                     fragments=[(0, 5), (20, 30)], creator="bo")  # fmt: skip
    extra = AnnotationExtra(annotation_id=ann.id, kind="attribute", name="Negated", value={"v": True}, creator="bo")
    with bo.repo.transaction():
        bo.repo.add_annotations([ann])
        bo.repo.add_annotation_extras([extra])
    report = merge(ana, bo)
    assert report.counts["annotation"].added == 1 and report.counts["annotation_extra"].added == 1
    assert ana.repo.get_annotation(ann.id).fragments == [(0, 5), (20, 30)]
    [got] = ana.repo.annotation_extras(ids["doc"])
    assert (got.id, got.name, got.value, got.creator) == (extra.id, "Negated", {"v": True}, "bo")
    assert zero(merge(ana, bo))


# --- idempotence and symmetry ----------------------------------------------------------------


def diverge(ana: Analyst, bo: Analyst, ids: dict) -> None:
    """Edits on both sides after the hand-over, covering every rule."""
    ana.desk.update_annotation(ids["syria"], note="ana first")
    tick()
    bo.desk.update_annotation(ids["syria"], note="bo later")  # bo wins, conflict
    bo.desk.update_annotation(ids["bukamal"], note="bo first")
    tick()
    ana.desk.update_annotation(ids["bukamal"], label_id=ana.label("Actor").id)  # ana wins, conflict
    ana.desk.delete_annotation(ids["damascus"])  # deletion propagates
    bo.tag(ids["doc"], "Actor", *span(TEXT, "Baghdad"))
    ana.tag(ids["doc"], "Location", *span(TEXT, "Iraq"))
    bo.tag(ids["doc"], "Location", *span(TEXT, "Iraq"))  # same span and label, other UUID
    gone = bo.tag(ids["doc"], "Actor", *span(TEXT, "militias"))
    bo.desk.delete_annotation(gone.id)
    for who in (ana, bo):
        doc = who.doc(TEXT2, "Drones")  # the same article imported twice
        who.tag(doc.id, "Location", *span(TEXT2, "Hasakah"))
        tick()
    with bo.repo.transaction():
        bo.repo.add_label(Label(name="Weapon", kind=LabelKind.OTHER, color="#222222", creator="bo"))
    with ana.repo.transaction():
        ana.repo.add_label(Label(name="weapon", kind=LabelKind.OTHER, color="#222222", creator="ana"))
    ent = bo.repo.get_entity(ids["syria_entity"])
    with bo.repo.transaction():
        bo.repo.update_entity(replace(ent, aliases=["Syrian government"], modified=now()))
    bo.desk.set_claim(Claim(annotation_id=ids["second"], reliability="A", credibility="2"))
    tick()
    ana.desk.set_claim(Claim(annotation_id=ids["second"], reliability="D", credibility="4"))


def test_merging_the_same_file_twice_changes_nothing(pair, tmp_path):
    ana, bo, ids = pair
    diverge(ana, bo, ids)
    first = merge(ana, bo)
    assert first.total.changes() > 0 and first.total.conflicts >= 3
    after = raw_dump(ana.path)
    second = merge(ana, bo)
    assert zero(second), second.lines()
    assert raw_dump(ana.path) == after
    assert plan_merge(ana.db, bo.path).is_noop


def test_merging_a_into_b_and_b_into_a_gives_the_same_content(pair, tmp_path):
    ana, bo, ids = pair
    diverge(ana, bo, ids)
    ana.close()
    bo.close()
    ab = Analyst(shutil.copyfile(tmp_path / "ana.db", tmp_path / "ab.db"), "ana")
    ba = Analyst(shutil.copyfile(tmp_path / "bo.db", tmp_path / "ba.db"), "bo")
    r1 = apply_merge(ab.db, tmp_path / "bo.db")
    r2 = apply_merge(ba.db, tmp_path / "ana.db")
    assert r1.total.conflicts == r2.total.conflicts >= 3
    ab.close()
    ba.close()
    assert content(tmp_path / "ab.db") == content(tmp_path / "ba.db")
    # Each side now holds the same content, so merging one into the other is a no-op.
    ab = Analyst(tmp_path / "ab.db", "ana")
    assert zero(apply_merge(ab.db, tmp_path / "ba.db"))
    ab.close()
    ana.db = open_database(tmp_path / "ana.db")  # for the fixture's close
    bo.db = open_database(tmp_path / "bo.db")


def test_creators_survive_a_round_trip(pair, tmp_path):
    ana, bo, ids = pair
    diverge(ana, bo, ids)
    merge(ana, bo)
    merge(bo, ana)
    for who in (ana, bo):
        creators = {a.creator for d in who.repo.document_ids() for a in who.repo.annotations(d, include_deleted=True)}
        assert creators == {"ana", "bo"}


# --- dry run, preview, rollback ------------------------------------------------------------------


def test_dry_run_writes_nothing_and_predicts_the_merge(pair):
    ana, bo, ids = pair
    diverge(ana, bo, ids)
    before = raw_dump(ana.path)
    plan = plan_merge(ana.db, bo.path)
    assert raw_dump(ana.path) == before
    added = plan.tables["annotation"].added
    assert added and all(row["creator"] == "bo" for row in added)
    assert [c.differences() for c in plan.tables["annotation"].conflicts]
    assert ids["doc"] in plan.affected_documents()
    report = apply_merge(ana.db, plan, user="ana")
    assert report.counts == plan.counts


def test_apply_a_preview_after_more_edits(pair):
    ana, bo, ids = pair
    bo.desk.update_annotation(ids["syria"], note="bo")
    plan = plan_merge(ana.db, bo.path)
    assert plan.counts["annotation"].updated == 1
    tick()
    ana.desk.update_annotation(ids["syria"], note="ana, after the preview")
    report = apply_merge(ana.db, plan, user="ana")  # worked out again: ours is now newer
    assert report.counts["annotation"].updated == 0 and report.counts["annotation"].conflicts == 1
    assert ana.repo.get_annotation(ids["syria"]).note == "ana, after the preview"


def test_a_preview_belongs_to_its_database(pair, tmp_path):
    ana, bo, _ = pair
    plan = plan_merge(ana.db, bo.path)
    with pytest.raises(InputError, match="made for"):
        apply_merge(bo.db, plan)


@pytest.mark.parametrize("where", ["annotation", "claim_link", "conflicts"])
def test_a_failure_mid_merge_leaves_our_database_as_it_was(pair, monkeypatch, where):
    ana, bo, ids = pair
    diverge(ana, bo, ids)
    before = raw_dump(ana.path)
    real_write, real_record = merge_mod._write, merge_mod._record_conflicts

    def failing_write(conn, name, tp, touched):
        real_write(conn, name, tp, touched)
        if name == where:
            raise RuntimeError("injected failure")

    def failing_record(conn, plan, user):
        real_record(conn, plan, user)
        raise RuntimeError("injected failure")

    monkeypatch.setattr(merge_mod, "_write", failing_write)
    if where == "conflicts":
        monkeypatch.setattr(merge_mod, "_record_conflicts", failing_record)
    with pytest.raises(RuntimeError, match="injected"):
        merge(ana, bo)
    assert raw_dump(ana.path) == before
    monkeypatch.undo()
    assert merge(ana, bo).total.changes() > 0  # and the merge works once nothing fails


# --- conflicts: review and reverse ---------------------------------------------------------------


def test_reverse_a_conflict_and_reverse_it_again(pair):
    ana, bo, ids = pair
    ana.desk.update_annotation(ids["syria"], note="ana")
    tick()
    bo.desk.update_annotation(ids["syria"], note="bo")
    merge(ana, bo)
    [c] = conflicts(ana.db)
    change = reverse_conflict(ana.db, c.id)
    assert change.document_id == ids["doc"] and change.updated == [ids["syria"]]
    now_row = ana.repo.get_annotation(ids["syria"])
    assert now_row.note == "ana" and now_row.modified > bo.repo.get_annotation(ids["syria"]).modified
    [c2] = conflicts(ana.db)
    assert c2.swapped and (c2.kept_side, c2.other_side) == ("ours", "theirs")
    assert (c2.kept["note"], c2.other["note"]) == ("ana", "bo")
    # The analyst's choice sticks: merging the same file again changes nothing.
    assert zero(merge(ana, bo))
    assert ana.repo.get_annotation(ids["syria"]).note == "ana"
    # And it reaches bo on his next merge, as a normal newer edit.
    merge(bo, ana)
    assert bo.repo.get_annotation(ids["syria"]).note == "ana"
    # Reversing again (the GUI's undo) brings bo's version back.
    reverse_conflict(ana.db, c.id)
    assert ana.repo.get_annotation(ids["syria"]).note == "bo"
    assert not conflicts(ana.db)[0].swapped


def test_reverse_restores_a_deleted_row_and_says_so(pair):
    ana, bo, ids = pair
    ana.desk.update_annotation(ids["damascus"], note="keep this")
    tick()
    bo.desk.delete_annotation(ids["damascus"])
    merge(ana, bo)
    assert ana.repo.get_annotation(ids["damascus"]).deleted
    [c] = conflicts(ana.db)
    change = reverse_conflict(ana.db, c.id)
    assert change.added == [ids["damascus"]]
    got = ana.repo.get_annotation(ids["damascus"])
    assert not got.deleted and got.note == "keep this"


def test_resolve_and_filter_conflicts(pair):
    ana, bo, ids = pair
    ana.desk.update_annotation(ids["syria"], note="ana")
    tick()
    bo.desk.update_annotation(ids["syria"], note="bo")
    merge(ana, bo)
    [c] = conflicts(ana.db)
    resolve_conflict(ana.db, c.id)
    assert conflicts(ana.db, include_resolved=False) == []
    assert conflicts(ana.db, document_id=ids["doc"])[0].resolved
    resolve_conflict(ana.db, c.id, resolved=False)
    assert len(conflicts(ana.db, include_resolved=False)) == 1
    with pytest.raises(NotFound):
        reverse_conflict(ana.db, uuid.uuid4())


def test_conflicts_are_not_merged_onwards(pair, tmp_path):
    ana, bo, ids = pair
    ana.desk.update_annotation(ids["syria"], note="ana")
    tick()
    bo.desk.update_annotation(ids["syria"], note="bo")
    merge(ana, bo)
    carol = Analyst(tmp_path / "carol.db", "carol")
    apply_merge(carol.db, ana.path)
    assert conflicts(carol.db) == []
    carol.close()
