"""The entity index (core.entity_index): a tombstoned entity gives up its
names without a re-read of every entity, unless another shares one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from annotator.core.entity_index import EntityIndex
from annotator.core.model import Entity, LabelKind
from annotator.store.database import open_database

ACTOR = LabelKind.ACTOR


@pytest.fixture
def repo(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield db.repo
    db.close()


def add(repo, name, aliases=()):
    entity = Entity(kind=ACTOR, name=name, aliases=list(aliases), creator="ana")
    with repo.transaction():
        repo.add_entity(entity)
    return entity


def tombstone(repo, entity):
    gone = replace(entity, deleted=True)
    with repo.transaction():
        repo.update_entity(gone)
    return gone


def counting_reads(repo, monkeypatch) -> list:
    reads, real = [], repo.entity_names

    def entity_names(**kw):
        reads.append(1)
        return real(**kw)

    monkeypatch.setattr(repo, "entity_names", entity_names)
    return reads


def test_a_tombstoned_entity_gives_up_its_names_without_a_re_read(repo, monkeypatch):
    pmf = add(repo, "Popular Mobilisation Forces", ["PMF"])
    reads = counting_reads(repo, monkeypatch)
    index = EntityIndex(repo)
    assert index.find_id(ACTOR, "pmf") == pmf.id and len(reads) == 1
    index.put(tombstone(repo, pmf))
    assert index.find_id(ACTOR, "PMF") is None and index.find_id(ACTOR, "popular mobilisation forces") is None
    index.put(replace(pmf, deleted=False))  # restored (undo)
    assert index.find_id(ACTOR, "PMF") == pmf.id
    assert len(reads) == 1, "every entity was read once, not after each edit"


def test_a_name_two_entities_share_goes_to_the_other_when_one_is_tombstoned(repo):
    first = add(repo, "Hashd", ["PMF"])
    second = add(repo, "Popular Mobilisation Forces", ["PMF"])
    index = EntityIndex(repo)
    assert index.find_id(ACTOR, "PMF") == first.id  # the first by name order
    index.put(tombstone(repo, first))
    assert index.find_id(ACTOR, "PMF") == second.id and index.find_id(ACTOR, "Hashd") is None
