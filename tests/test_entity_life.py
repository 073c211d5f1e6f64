"""An entity lives while something refers to it (core.entity_life): the last
reference gone, it goes in the same transaction; undo brings it back; a
merge leaves no orphan and no live mention of a tombstoned entity."""

from __future__ import annotations

import time

import pytest

from annotator.core.change import Op
from annotator.core.entities import Entities
from annotator.core.model import LabelKind
from annotator.core.operations import History, Operations
from annotator.store.merge import apply_merge
from tests.merge_helpers import TEXT, open_services, span


@pytest.fixture
def env(tmp_path):
    db, services, doc = open_services(tmp_path / "a.db", TEXT)
    yield db.repo, services, History(Operations(services)), doc
    db.close()


def tag(services, doc, label: str, word: str, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    ann, _ = services.desk.add_annotation(doc.id, services.desk.label_named(label).id, start, start + len(word))
    return ann


def live_names(repo) -> set[str]:
    return {e.name for e in repo.entities()}


def count_transactions(repo, monkeypatch) -> list:
    opened, real = [], repo.transaction

    def counting():
        opened.append(1)
        return real()

    monkeypatch.setattr(repo, "transaction", counting)
    return opened


def test_deleting_the_last_mention_removes_its_entity_in_the_same_edit_and_undo_brings_it_back(env, monkeypatch):
    repo, services, history, doc = env
    ann = tag(services, doc, "Location", "Bukamal")
    entity = repo.get_entity(ann.entity_id)
    opened = count_transactions(repo, monkeypatch)
    change = services.desk.delete_annotations([ann.id])
    assert len(opened) == 1
    assert repo.get_entity(entity.id).deleted and "Bukamal" not in live_names(repo)
    assert change.entities_changed and entity.id in {r.id for r in change.rows}
    assert services.entities.index.find_id(LabelKind.LOCATION, "Bukamal") is None  # not linked to again
    Operations(services).run(change.inverse)
    assert not repo.get_entity(entity.id).deleted and "Bukamal" in live_names(repo)
    assert services.entities.index.find_id(LabelKind.LOCATION, "Bukamal") == entity.id


def test_an_entity_with_another_mention_stays(env):
    repo, services, history, doc = env
    first = tag(services, doc, "Actor", "Syria")
    second, _ = services.desk.add_annotation(doc.id, first.label_id, *span(TEXT, "Damascus"), entity_id=first.entity_id)
    services.desk.delete_annotations([first.id])
    assert not repo.get_entity(first.entity_id).deleted
    services.desk.delete_annotations([second.id])
    assert repo.get_entity(first.entity_id).deleted


def test_undoing_a_tag_takes_the_entity_it_made_and_redo_restores_the_same_row(env):
    repo, services, history, doc = env
    label = services.desk.label_named("Actor").id
    change = history.do(_add(doc, label, "Baghdad"))
    entity_id = repo.get_annotation(change.added[0]).entity_id
    history.undo()
    assert repo.get_entity(entity_id).deleted
    history.redo()
    assert not repo.get_entity(entity_id).deleted and repo.get_annotation(change.added[0]).entity_id == entity_id


def _add(doc, label_id, word):
    start, end = span(TEXT, word)
    return Op("add_annotation", {"doc_id": doc.id, "label_id": label_id, "start": start, "end": end})


def test_a_label_change_leaves_no_orphan_and_undo_restores_the_old_entity(env):
    repo, services, history, doc = env
    ann = tag(services, doc, "Actor", "Damascus")
    actor = ann.entity_id
    history.do(_update(ann.id, services.desk.label_named("Location").id))
    now_linked = repo.get_annotation(ann.id).entity_id
    assert now_linked != actor and repo.get_entity(actor).deleted, "the actor nothing refers to any more goes"
    history.undo()
    assert repo.get_annotation(ann.id).entity_id == actor and not repo.get_entity(actor).deleted
    assert repo.get_entity(now_linked).deleted, "the location the change made goes with the undo"
    history.redo()
    assert repo.get_annotation(ann.id).entity_id == now_linked and not repo.get_entity(now_linked).deleted
    assert repo.get_entity(actor).deleted


def _update(ann_id, label_id):
    return Op("update_annotation", {"ann_id": ann_id, "fields": {"label_id": label_id}})


def test_deleting_a_claim_takes_its_source_and_subjects_along_unless_they_are_used(env):
    repo, services, history, doc = env
    claim = tag(services, doc, "Claim", "Syria has sent 3,000 troops")
    bukamal = tag(services, doc, "Location", "Bukamal")
    source, _ = services.claims.set_source(claim.id, "a source in Baghdad")
    services.claims.set_subjects(claim.id, [bukamal.entity_id])
    services.desk.delete_annotations([bukamal.id])
    assert not repo.get_entity(bukamal.entity_id).deleted, "still the claim's subject"
    change = services.desk.delete_annotations([claim.id])
    assert repo.get_entity(source.id).deleted and repo.get_entity(bukamal.entity_id).deleted
    Operations(services).run(change.inverse)
    assert not repo.get_entity(source.id).deleted and not repo.get_entity(bukamal.entity_id).deleted


def test_dropping_a_subject_nothing_else_refers_to_removes_it_and_undo_brings_it_back(env):
    repo, services, history, doc = env
    claim = tag(services, doc, "Claim", "Syria has sent 3,000 troops")
    iraq = tag(services, doc, "Location", "Iraq")
    services.claims.set_subjects(claim.id, [iraq.entity_id])
    services.desk.delete_annotations([iraq.id])
    change = services.claims.set_subjects(claim.id, [])
    assert repo.get_entity(iraq.entity_id).deleted and change.entities_changed
    Operations(services).run(change.inverse)
    assert not repo.get_entity(iraq.entity_id).deleted
    assert [s.entity_id for s in repo.claim_subjects(claim.id)] == [iraq.entity_id]


def test_an_entity_the_analyst_keeps_lives_without_references_until_no_longer_kept(env):
    repo, services, history, doc = env
    kept, _ = services.entities.create(LabelKind.ACTOR, "Hayat Tahrir Al Sham")
    assert repo.get_entity(kept.id).kept
    ann = tag(services, doc, "Actor", "militias")
    services.entities.update(ann.entity_id, kept=True)
    services.desk.delete_annotations([ann.id])
    assert not repo.get_entity(ann.entity_id).deleted, "kept: it stays with no mention"
    change = services.entities.update(kept.id, kept=False)
    assert repo.get_entity(kept.id).deleted
    Operations(services).run(change.inverse)
    entity = repo.get_entity(kept.id)
    assert not entity.deleted and entity.kept


def test_a_merge_revives_an_entity_their_new_mention_refers_to(pair):
    ana, bo, ids = pair
    bukamal = ana.repo.get_annotation(ids["bukamal"]).entity_id
    bo.tag(ids["doc"], "Location", *span(TEXT, "Baghdad"), entity_id=bukamal)  # bo: another mention of it
    time.sleep(0.002)
    ana.desk.delete_annotations([ids["bukamal"]])  # ana: its only mention here, later
    assert ana.repo.get_entity(bukamal).deleted
    report = apply_merge(ana.db, bo.path, user="ana")
    assert not ana.repo.get_entity(bukamal).deleted, "bo's mention refers to it: no live mention of a dead entity"
    assert report.entities_changed
    apply_merge(bo.db, ana.path, user="bo")  # and the other way round: the same outcome
    assert not bo.repo.get_entity(bukamal).deleted


def test_a_merge_that_removes_the_last_mention_removes_the_entity(pair):
    ana, bo, ids = pair
    bukamal = ana.repo.get_annotation(ids["bukamal"]).entity_id
    bo.desk.delete_annotations([ids["bukamal"]])
    time.sleep(0.002)
    Entities(ana.repo, "ana").update(bukamal, note="the crossing")  # later: her entity row is newer than bo's tombstone
    apply_merge(ana.db, bo.path, user="ana")
    assert ana.repo.get_annotation(ids["bukamal"]).deleted
    assert ana.repo.get_entity(bukamal).deleted, "nothing refers to it after the merge"
    assert ana.repo.get_entity(bukamal).note == "the crossing"  # her edit is kept in the tombstone


def test_a_merge_keeps_the_chosen_fields_and_every_name_and_undo_restores_both(env):
    repo, services, history, doc = env
    syria = tag(services, doc, "Actor", "Syria")
    damascus = tag(services, doc, "Actor", "Damascus")
    services.entities.update(syria.entity_id, type="state", note="the state")
    services.entities.update(damascus.entity_id, aliases=["دمشق"], note="the capital, as a government")
    before = {e.id: e for e in repo.entities()}
    history.do(Op("merge_entities", {"target_id": damascus.entity_id, "source_ids": [syria.entity_id],
                                     "fields": {"name": "Syria", "note": "the state"}}))  # fmt: skip
    merged = repo.get_entity(damascus.entity_id)
    assert (merged.name, merged.type, merged.note) == ("Syria", "", "the state")
    assert sorted(merged.aliases) == sorted(["Damascus", "دمشق"]), "every name kept: its old name becomes an alias"
    assert repo.get_entity(syria.entity_id).merged_into == merged.id
    history.undo()
    after = {e.id: e for e in repo.entities()}
    assert {i: (e.name, e.type, e.note, e.aliases) for i, e in after.items()} == {
        i: (e.name, e.type, e.note, e.aliases) for i, e in before.items()}  # fmt: skip
    history.redo()
    assert repo.get_entity(damascus.entity_id).name == "Syria"
