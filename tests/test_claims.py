"""Claims: details and grading validation, sources, subjects, links."""

import uuid

import pytest

from annotator.core.claims import Claims
from annotator.core.suggestions import Suggestions
from annotator.core.entities import Entities
from annotator.core.errors import InputError, NotFound
from annotator.core.model import LabelKind
from annotator.core.operations import Operations, Services
from annotator.core.services import Desk
from annotator.store.database import open_database

TEXT = (
    "Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias, "
    "two security officials in Damascus have told The National.\n"
    "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria.\n"
    "Militias have no foothold in Syria any more.\n"
)


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield db
    db.close()


class Setup:
    def __init__(self, db):
        self.repo = db.repo
        self.desk = Desk(db.repo, "ana")
        self.desk.ensure_tagset()
        self.claims = Claims(db.repo, "ana")
        self.entities = Entities(db.repo, "ana")
        self.doc = self.desk.import_document(TEXT, "Report").document

    def tag(self, label, exact, nth=0):
        i = -1
        for _ in range(nth + 1):
            i = TEXT.index(exact, i + 1)
        ann, _ = self.desk.add_annotation(self.doc.id, self.desk.label_named(label).id, i, i + len(exact))
        return ann


@pytest.fixture
def s(db):
    return Setup(db)


def test_details_default_until_set(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    details = s.claims.details(troops.id)
    claim = details.claim
    assert (claim.annotation_id, claim.reliability, claim.credibility, claim.grading) == (troops.id, "F", "6", "F6")
    assert (claim.stance, claim.likelihood, claim.source_entity_id) == ("asserted", "", None)
    assert details.subjects == [] and details.links == []
    assert s.repo.claim_for(troops.id) is None  # not stored by looking
    assert s.claims.claim_rows(s.doc.id) == {}
    with pytest.raises(NotFound):
        s.claims.details(uuid.uuid4())


def test_set_details_creates_then_updates_the_row(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    officials = s.tag("Actor", "two security officials in Damascus")
    change = s.claims.set_details(troops.id, reliability="B", credibility="3")
    assert change.document_id == s.doc.id and change.updated == [troops.id] and change.spans == [(troops.start, troops.end)]
    first = s.repo.claim_for(troops.id)
    assert (first.grading, first.creator) == ("B3", "ana")
    s.claims.set_details(
        troops.id,
        source_entity_id=officials.entity_id,
        source_annotation_id=officials.id,
        likelihood="likely",
        stance="reported",
        likelihood_note="Anonymous officials to a reputable outlet.",
    )
    claim = s.repo.claim_for(troops.id)
    assert claim.id == first.id and claim.grading == "B3" and claim.modified > first.modified
    assert (claim.source_entity_id, claim.source_annotation_id) == (officials.entity_id, officials.id)
    assert (claim.likelihood, claim.stance, claim.likelihood_note) == ("likely", "reported", "Anonymous officials to a reputable outlet.")
    assert s.claims.claim_rows(s.doc.id) == {troops.id: claim}
    s.claims.set_details(troops.id, likelihood=None, source_entity_id=None)  # clearing
    claim = s.repo.claim_for(troops.id)
    assert claim.likelihood == "" and claim.source_entity_id is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"reliability": "G"}, "source reliability must be one of A, B, C, D, E, F"),
        ({"credibility": "0"}, "information credibility must be one of 1, 2, 3, 4, 5, 6"),
        ({"likelihood": "probably"}, "ICD 203 term"),
        ({"stance": "rumoured"}, "stance must be one of"),
        ({"stance": None}, "stance cannot be empty"),
    ],
)
def test_grading_validation(s, fields, message):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    with pytest.raises(InputError, match=message):
        s.claims.set_details(troops.id, **fields)
    assert s.repo.claim_for(troops.id) is None  # nothing half-stored


def test_set_details_refusals(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    actor = s.tag("Actor", "two security officials in Damascus")
    place = s.tag("Location", "Damascus")
    with pytest.raises(InputError, match="is not tagged as a claim"):
        s.claims.set_details(actor.id, reliability="B")
    with pytest.raises(InputError, match="the source must be an actor, not the location Damascus"):
        s.claims.set_details(troops.id, source_entity_id=place.entity_id)
    with pytest.raises(NotFound):
        s.claims.set_details(troops.id, source_entity_id=uuid.uuid4())
    with pytest.raises(TypeError, match="grading"):
        s.claims.set_details(troops.id, grading="B2")
    s.desk.delete_annotation(troops.id)
    with pytest.raises(NotFound, match="deleted"):
        s.claims.set_details(troops.id, reliability="B")


def test_source_entity_found_by_name_or_alias_else_created(s):
    known, _ = s.entities.create(LabelKind.ACTOR, "Popular Mobilisation Forces", aliases=["PMF", "الحشد الشعبي"])
    s.entities.create(LabelKind.LOCATION, "Regional sources")  # a location never becomes a source
    assert s.claims.source_entity("pmf") == (s.repo.get_entity(known.id), False)
    assert s.claims.source_entity("  الحشد   الشعبي ")[0].id == known.id
    created, was_created = s.claims.source_entity(" regional  sources ")
    assert was_created and created.kind is LabelKind.ACTOR and created.name == "regional sources"
    assert s.claims.source_entity("Regional Sources") == (created, False)
    with pytest.raises(InputError, match="needs a name"):
        s.claims.source_entity(" ")


def test_subjects_added_removed_restored(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    syria = s.tag("Actor", "Syria").entity_id
    iraq = s.tag("Location", "Iraq").entity_id
    militias = s.tag("Actor", "pro-Iran Iraqi militias").entity_id
    change = s.claims.set_subjects(troops.id, [syria, iraq, syria])
    assert change.updated == [troops.id]
    assert [e.id for e in s.claims.details(troops.id).subjects] == [syria, iraq]
    first_rows = s.repo.claim_subjects(troops.id)
    s.claims.set_subjects(troops.id, [iraq, militias])
    assert [e.id for e in s.claims.details(troops.id).subjects] == [iraq, militias]
    s.claims.set_subjects(troops.id, [syria, iraq, militias])  # Syria comes back: the same row, restored
    rows = s.repo.claim_subjects(troops.id, include_deleted=True)
    assert len(rows) == 3 and not any(r.deleted for r in rows)
    assert next(r.id for r in rows if r.entity_id == syria) == next(r.id for r in first_rows if r.entity_id == syria)
    s.claims.set_subjects(troops.id, [])
    assert s.claims.details(troops.id).subjects == []
    assert len(s.repo.claim_subjects(troops.id, include_deleted=True)) == 3  # tombstones, never deleted
    assert s.repo.claim_for(troops.id) is None  # subjects alone do not grade the claim
    with pytest.raises(NotFound):
        s.claims.set_subjects(troops.id, [uuid.uuid4()])


def test_links_both_directions_unlink_relink(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias")
    dismissed = s.tag("Claim", "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria")
    foothold = s.tag("Claim", "Militias have no foothold in Syria any more")
    link_id, change = s.claims.link(dismissed.id, troops.id, "contradicts")
    assert change.document_id == s.doc.id and change.updated == [dismissed.id, troops.id]
    assert len(change.spans) == 2
    out = s.claims.details(dismissed.id).links
    assert [(v.link_id, v.relation, v.other_annotation_id, v.direction) for v in out] == [
        (link_id, "contradicts", troops.id, "out")
    ]
    assert out[0].other_exact == troops.exact
    back = s.claims.details(troops.id).links
    assert [(v.relation, v.other_annotation_id, v.direction) for v in back] == [("contradicts", dismissed.id, "in")]
    corroborates, _ = s.claims.link(foothold.id, dismissed.id, "corroborates")
    assert [v.relation for v in s.claims.details(dismissed.id).links] == ["contradicts", "corroborates"]

    s.claims.unlink(link_id)
    assert s.claims.details(troops.id).links == []
    assert s.repo.get_claim_link(link_id).deleted
    s.claims.relink(link_id)
    assert [v.link_id for v in s.claims.details(troops.id).links] == [link_id]
    # A link to a deleted claim is hidden, and back with it.
    s.desk.delete_annotation(foothold.id)
    assert [v.relation for v in s.claims.details(dismissed.id).links] == ["contradicts"]
    s.desk.restore_annotation(foothold.id)
    assert [v.link_id for v in s.claims.details(dismissed.id).links] == [link_id, corroborates]


def test_link_refusals(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq")
    dismissed = s.tag("Claim", "An Iraqi source dismissed any likelihood of militia movements")
    actor = s.tag("Actor", "two security officials in Damascus")
    with pytest.raises(InputError, match="cannot corroborate or contradict itself"):
        s.claims.link(troops.id, troops.id, "corroborates")
    with pytest.raises(InputError, match="one of corroborates, contradicts"):
        s.claims.link(troops.id, dismissed.id, "supports")
    with pytest.raises(InputError, match="is not tagged as a claim"):
        s.claims.link(troops.id, actor.id, "contradicts")
    link_id, _ = s.claims.link(troops.id, dismissed.id, "contradicts")
    with pytest.raises(InputError, match="already linked: one contradicts the other"):
        s.claims.link(troops.id, dismissed.id, "contradicts")
    with pytest.raises(InputError, match="already linked: one contradicts the other"):
        s.claims.link(dismissed.id, troops.id, "contradicts")  # the same relation, the other way round
    with pytest.raises(InputError, match=r"already linked \(contradicts\); remove that link first"):
        s.claims.link(troops.id, dismissed.id, "corroborates")
    s.claims.unlink(link_id)
    again, _ = s.claims.link(dismissed.id, troops.id, "corroborates")  # allowed once the old one is gone
    assert again != link_id
    with pytest.raises(NotFound):
        s.claims.unlink(uuid.uuid4())


def count_transactions(repo, monkeypatch) -> list:
    """Outermost transactions opened on ``repo`` from now on (one entry each)."""
    opened: list = []
    original = repo.transaction

    def counting():
        if getattr(repo._local, "conn", None) is None:
            opened.append(1)
        return original()

    monkeypatch.setattr(repo, "transaction", counting)
    return opened


def run(s, op):
    """Run an inverse operation as undo and redo do."""
    return Operations(Services(s.desk, s.entities, s.claims, Suggestions(s.desk.repo, "ana", s.desk.index, None))).run(op)


def test_set_source_by_name_is_one_transaction_and_undo_tombstones_the_new_actor(s, monkeypatch):
    troops = s.tag("Claim", "Syria has sent 3,000 troops")
    opened = count_transactions(s.repo, monkeypatch)
    entity, change = s.claims.set_source(troops.id, " two security  officials in Damascus ")
    assert len(opened) == 1  # find-or-create the actor and set the source: one edit, one transaction
    assert entity.name == "two security officials in Damascus" and entity.kind is LabelKind.ACTOR
    assert change.entities_added == [entity.id] and change.entities_changed and change.updated == [troops.id]
    assert s.repo.claim_for(troops.id).source_entity_id == entity.id
    # undo: the old source (none) back, the actor made for it tombstoned, in one transaction
    opened.clear()
    undone = run(s, change.inverse)
    assert len(opened) == 1
    assert s.repo.claim_for(troops.id).source_entity_id is None
    assert s.repo.get_entity(entity.id).deleted and entity.id not in {e.id for e in s.repo.entities()}
    assert undone.entities_changed and entity.id in {r.id for r in undone.rows}
    # redo: the same row comes back
    run(s, undone.inverse)
    assert not s.repo.get_entity(entity.id).deleted
    assert s.repo.claim_for(troops.id).source_entity_id == entity.id


def test_set_source_to_an_existing_actor_creates_nothing_and_undo_keeps_it(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops")
    officials = s.tag("Actor", "two security officials in Damascus")
    entity, change = s.claims.set_source(troops.id, "Two Security Officials in Damascus")
    assert entity.id == officials.entity_id and change.entities_added == []
    run(s, change.inverse)
    assert not s.repo.get_entity(entity.id).deleted  # its mention still refers to it


def test_undo_keeps_a_created_source_that_is_used_by_now(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops")
    dismissed = s.tag("Claim", "An Iraqi source dismissed")
    entity, change = s.claims.set_source(troops.id, "Iraqi security source")
    s.claims.set_details(dismissed.id, source_entity_id=entity.id)  # another claim uses it meanwhile
    run(s, change.inverse)
    assert not s.repo.get_entity(entity.id).deleted


def test_a_source_replaced_goes_when_nothing_else_refers_to_it_and_undo_brings_it_back(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops")
    first, _ = s.claims.set_source(troops.id, "two security officials")
    second, change = s.claims.set_source(troops.id, "two security officials in Damascus")
    assert s.repo.get_entity(first.id).deleted, "the replaced source, referred to by nothing, goes"
    assert first.id in {r.id for r in change.rows} and change.entities_changed
    run(s, change.inverse)
    assert not s.repo.get_entity(first.id).deleted and s.repo.get_entity(second.id).deleted
    assert s.repo.claim_for(troops.id).source_entity_id == first.id


def test_link_views_carry_the_other_claims_grading(s):
    troops = s.tag("Claim", "Syria has sent 3,000 troops")
    dismissed = s.tag("Claim", "An Iraqi source dismissed")
    s.claims.set_details(troops.id, reliability="B", credibility="2")
    s.claims.link(dismissed.id, troops.id, "contradicts")
    [view] = s.claims.details(dismissed.id).links
    assert (view.other_annotation_id, view.other_grading) == (troops.id, "B2")
    [back] = s.claims.details(troops.id).links
    assert back.other_grading == ""  # the other claim has no claim row yet
