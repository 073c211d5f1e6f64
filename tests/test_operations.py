"""Every edit is an operation whose change carries its inverse: undo and redo
of each one, in core, without Qt (core.operations.History).

For each operation: run it, undo it, redo it, and compare the live content
of every data table (tombstones left out, modification times left out) with
what it was before and after the edit.
"""

from __future__ import annotations

import sqlite3
import uuid

import pytest

from annotator.core.change import Op
from annotator.core.errors import InputError
from annotator.core.model import Annotation, Claim, Direction, Entity, LabelKind
from annotator.core.operations import History, Operations
from tests.merge_helpers import open_services

TEXT = (
    "Syrian officials said 3,000 troops were sent to the border with Iraq.\n"
    "An Iraqi source denied it. قالت قوات الحشد الشعبي إن الحدود هادئة.\n"
    "Officials in Damascus 🇸🇾 repeated the claim; Syrian officials insisted.\n"
)
TABLES = ("document", "label", "entity", "annotation", "annotation_extra", "claim", "claim_subject", "claim_link",
          "rejected_suggestion")  # fmt: skip
INVERSES_ONLY = {"restore_annotations", "unmerge_entities", "relink_claims", "set_rejections"}


CLAIM_DEFAULTS = {"source_entity_id": None, "source_annotation_id": None, "reliability": "F", "credibility": "6",
                  "likelihood": "", "stance": "asserted", "likelihood_note": ""}  # fmt: skip


def live(path) -> dict[str, list]:
    """Live rows of every data table, without their modification times. A
    claim row holding only the defaults is left out too: it reads exactly as
    a claim never graded (undoing a first grading leaves one)."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        out = {}
        for table in TABLES:
            rows = [dict(r) for r in con.execute(f'SELECT * FROM "{table}"')]
            if table == "claim":
                rows = [r for r in rows if any(r[k] != v for k, v in CLAIM_DEFAULTS.items())]
            out[table] = sorted(repr(sorted((k, v) for k, v in r.items() if k != "modified"))
                                for r in rows if not r.get("deleted"))  # fmt: skip
        return out
    finally:
        con.close()


@pytest.fixture
def env(tmp_path):
    db, services, doc = open_services(tmp_path / "a.db", TEXT, "Border report")
    labels = {lb.name: lb.id for lb in db.repo.labels()}
    yield db, services, History(Operations(services)), doc, labels
    db.close()


def span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def tag(services, doc, labels, label: str, needle: str, nth: int = 0) -> uuid.UUID:
    start, end = span(doc.text, needle, nth)
    ann, _change = services.desk.add_annotation(doc.id, labels[label], start, end)
    return ann.id


def round_trip(db, history: History, op: Op):
    """Do, undo, redo ``op``: live content before == after undo, after do == after redo."""
    before = live(db.path)
    change = history.do(op)
    assert change.inverse is not None, op.name
    after = live(db.path)
    assert after != before, f"{op.name} changed nothing"
    history.undo()
    assert live(db.path) == before, f"undo of {op.name}"
    history.redo()
    assert live(db.path) == after, f"redo of {op.name}"
    history.undo()
    assert live(db.path) == before, f"second undo of {op.name}"
    return change


def _ops(services, doc, labels) -> dict[str, Op]:
    """One example of every operation, on a document with a few tags."""
    desk, entities = services.desk, services.entities
    actor = tag(services, doc, labels, "Actor", "Syrian officials")
    tag(services, doc, labels, "Actor", "Officials in Damascus")
    claim = tag(services, doc, labels, "Claim", "3,000 troops were sent to the border")
    other = tag(services, doc, labels, "Claim", "An Iraqi source denied it")
    syrian = desk.repo.get_annotation(actor).entity_id
    damascus = desk.find_entity(LabelKind.ACTOR, "Officials in Damascus")
    start, end = span(doc.text, "Iraq", 0)
    occurrences = entities.find_occurrences(syrian, [doc.id])
    assert occurrences, "the second 'Syrian officials' is an occurrence"
    suggestions = services.suggestions.for_document(doc.id, doc.text)
    assert [s.exact for s in suggestions] == ["Syrian officials"], "the second 'Syrian officials' is suggested"
    return {
        "add_annotation": Op("add_annotation", {"doc_id": doc.id, "label_id": labels["Location"], "start": start,
                                                "end": end, "ann_id": uuid.uuid4()}),  # fmt: skip
        "delete_annotations": Op("delete_annotations", {"ann_ids": [actor, claim]}),
        "update_annotation": Op("update_annotation", {"ann_id": actor, "fields": {"note": "the ministry's line"}}),
        "set_direction": Op("set_direction", {"doc_id": doc.id, "direction": Direction.RTL}),
        "update_document": Op("update_document", {"doc_id": doc.id, "fields": {"title": "Border", "source": "SANA"}}),
        "update_entity": Op("update_entity", {"entity_id": syrian, "fields": {"note": "Damascus", "aliases": ["SAA"]}}),
        "merge_entities": Op("merge_entities", {"target_id": syrian, "source_ids": [damascus.id]}),
        "tag_occurrences": Op("tag_occurrences", {"entity_id": syrian, "label_id": labels["Actor"],
                                                  "occurrences": occurrences}),  # fmt: skip
        "set_claim_fields": Op("set_claim_fields", {"ann_id": claim, "fields": {"reliability": "B", "credibility": "2"}}),
        "set_claim_source": Op("set_claim_source", {"ann_id": claim, "name": "a source in Baghdad"}),
        "set_claim_subjects": Op("set_claim_subjects", {"ann_id": claim, "entity_ids": [syrian]}),
        "link_claims": Op("link_claims", {"from_id": claim, "to_id": other, "relation": "contradicts"}),
        "accept_suggestions": Op("accept_suggestions", {"suggestions": suggestions}),
        "reject_suggestions": Op("reject_suggestions", {"suggestions": suggestions}),
    }


@pytest.mark.parametrize(
    "name",
    ["add_annotation", "delete_annotations", "update_annotation", "set_direction", "update_document",
     "update_entity", "merge_entities", "tag_occurrences", "set_claim_fields", "set_claim_source",
     "set_claim_subjects", "link_claims", "accept_suggestions", "reject_suggestions"],  # fmt: skip
)
def test_every_operation_undoes_and_redoes_exactly(env, name):
    db, services, history, doc, labels = env
    round_trip(db, history, _ops(services, doc, labels)[name])


def test_the_examples_cover_every_operation(env):
    _db, services, history, doc, labels = env
    covered = set(_ops(services, doc, labels)) | INVERSES_ONLY | {"unlink_claims"}
    assert covered == set(history.operations.names())


def test_unlink_undoes_and_redoes(env):
    db, services, history, doc, labels = env
    first = tag(services, doc, labels, "Claim", "3,000 troops")
    second = tag(services, doc, labels, "Claim", "repeated the claim")
    link_id, _ = services.claims.link(first, second, "corroborates")
    round_trip(db, history, Op("unlink_claims", {"link_id": link_id}))


def test_a_change_carries_the_rows_it_wrote(env):
    db, services, history, doc, labels = env
    start, end = span(doc.text, "Iraqi source")
    change = history.do(Op("add_annotation", {"doc_id": doc.id, "label_id": labels["Actor"], "start": start, "end": end}))
    [ann] = change.rows_of(Annotation)
    [entity] = change.rows_of(Entity)
    assert db.repo.get_annotation(ann.id) == ann and db.repo.get_entity(entity.id) == entity
    assert change.entities_added == [entity.id] and change.entities_changed
    again = history.do(Op("add_annotation", {"doc_id": doc.id, "label_id": labels["Actor"],
                                             "start": start, "end": end}))  # fmt: skip
    assert again.rows_of(Entity) == [] and not again.entities_changed  # linked to the one just made
    assert again.rows_of(Annotation)[0].entity_id == entity.id
    graded = history.do(Op("set_claim_fields", {"ann_id": tag(services, doc, labels, "Claim", "denied it"),
                                                "fields": {"reliability": "C"}}))  # fmt: skip
    [claim] = graded.rows_of(Claim)
    assert db.repo.claim_for(claim.annotation_id) == claim


def test_a_failed_operation_leaves_the_history_as_it_was(env):
    db, services, history, doc, labels = env
    history.do(Op("update_document", {"doc_id": doc.id, "fields": {"title": "First"}}))
    before = live(db.path)
    with pytest.raises(InputError):
        history.do(Op("set_claim_fields", {"ann_id": tag(services, doc, labels, "Actor", "Iraqi source"),
                                           "fields": {"reliability": "B"}}))  # fmt: skip
    assert history.can_undo() and not history.can_redo()
    history.undo()
    assert db.repo.get_document(doc.id).title == "Border report"
    assert live(db.path) != before


def test_merged_field_edits_undo_to_the_first_values():
    first = Op("set_claim_fields", {"ann_id": 1, "fields": {"reliability": "B"}}, ("grading", 1))
    second = Op("set_claim_fields", {"ann_id": 1, "fields": {"credibility": "2", "reliability": "A"}}, ("grading", 1))
    assert first.merged(second).args["fields"] == {"reliability": "A", "credibility": "2"}
    with pytest.raises(ValueError):
        first.merged(Op("link_claims", {}))


def test_a_tag_reads_no_entity_list_and_no_text_once_warm(env, monkeypatch):
    """The cost of a tag does not grow with the corpus: once the entity index
    and the document's text are read, tagging reads neither again."""
    db, services, history, doc, labels = env
    tag(services, doc, labels, "Actor", "Syrian officials")  # warm: index and text read once
    calls = {"entities": 0, "get_document": 0}
    repo = db.repo
    for name in calls:
        original = getattr(repo, name)

        def counting(*a, _name=name, _original=original, **k):
            calls[_name] += 1
            return _original(*a, **k)

        monkeypatch.setattr(repo, name, counting)
    for needle in ("Iraqi source", "Officials in Damascus", "Syrian officials"):
        tag(services, doc, labels, "Actor", needle, nth=1 if needle == "Syrian officials" else 0)
    assert calls == {"entities": 0, "get_document": 0}
    assert services.desk.find_entity(LabelKind.ACTOR, "officials in DAMASCUS") is not None
