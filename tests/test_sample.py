"""The sample stays the sample (core.sample): its rows are the sample's, no
new tag links to its entities, the brief leaves it out unless asked, and
one undoable edit removes it whole."""

from __future__ import annotations

import re
import zipfile

import pytest

from annotator.core.model import LabelKind
from annotator.core.operations import History, Operations, services_for
from annotator.core.change import Op
from annotator.core.sample import SAMPLE_CREATOR, is_sample
from annotator.export.brief import BriefOptions, write_brief
from annotator.io.seeds import seed_if_empty
from annotator.store.database import open_database

SAMPLE_NOTE = "The state, where it acts or is described as a polity."  # the sample's note on Syria


@pytest.fixture
def seeded(tmp_path):
    db = open_database(tmp_path / "new.db")
    services = services_for(db.repo, "ana")
    [imp] = seed_if_empty(services.desk)
    yield db.repo, services, imp.document
    db.close()


def tag(services, doc, label: str, phrase: str):
    start = doc.text.index(phrase)
    ann, _ = services.desk.add_annotation(doc.id, services.desk.label_named(label).id, start, start + len(phrase))
    return ann


def docx_text(path) -> str:
    """The brief's text and its Word comments, without the markup."""
    with zipfile.ZipFile(path) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n in ("word/document.xml", "word/comments.xml"))
    return re.sub(r"<[^>]+>", "", xml)


def test_every_row_of_the_sample_is_the_samples(seeded):
    repo, services, doc = seeded
    ids = services.desk.sample_annotation_ids()
    assert len(ids) == 146
    assert all(is_sample(repo.get_annotation(i)) for i in ids)
    assert all(e.creator == SAMPLE_CREATOR for e in repo.entities())
    assert doc.creator == "ana"  # the article itself is the analyst's to annotate


def test_a_new_tag_never_links_to_a_sample_entity(seeded):
    repo, services, doc = seeded
    sample_pmf = next(e for e in repo.entities() if "Hashd Al Shaabi" in e.names())
    mine = tag(services, doc, "Actor", "Hashd Al Shaabi")
    entity = repo.get_entity(mine.entity_id)
    assert entity.id != sample_pmf.id and entity.creator == "ana" and entity.note == ""
    again = tag(services, doc, "Location", "Damascus")
    assert repo.get_entity(again.entity_id).creator == "ana"


def test_the_brief_leaves_the_sample_out_unless_asked(seeded, tmp_path):
    repo, services, doc = seeded
    tag(services, doc, "Actor", "Hashd Al Shaabi")
    plain = write_brief(repo, BriefOptions([doc.id], analyst="ana"), tmp_path / "mine.docx")
    text = docx_text(plain)
    assert "Hashd Al Shaabi" in text and SAMPLE_NOTE not in text and "Syrian Arab Republic" not in text
    assert "Key claims" not in text  # the sample's 21 claims are not the analyst's
    with_sample = docx_text(write_brief(repo, BriefOptions([doc.id], analyst="ana", include_sample=True), tmp_path / "all.docx"))
    assert SAMPLE_NOTE in with_sample and "Key claims" in with_sample


def test_removing_the_sample_is_one_undoable_edit_that_keeps_the_analysts_work(seeded):
    repo, services, doc = seeded
    mine = tag(services, doc, "Actor", "Hashd Al Shaabi")
    history = History(Operations(services))
    history.do(Op("delete_annotations", {"ann_ids": services.desk.sample_annotation_ids()}))
    assert services.desk.sample_annotation_ids() == []
    assert [e.creator for e in repo.entities()] == ["ana"], "the sample's entities went with their mentions"
    assert not repo.get_annotation(mine.id).deleted
    history.undo()
    assert len(services.desk.sample_annotation_ids()) == 146
    assert sum(1 for e in repo.entities() if is_sample(e)) == 37
    assert services.entities.index.find_id(LabelKind.ACTOR, "Hashd Al Shaabi") == mine.entity_id  # still never the sample's
