"""The brief's Sources table: one row per source of the brief's claims, its
claims by number (linked), the gradings given (by analyst when several
graded), corroboration counted from any claim in the database, and what
to check on a row under it."""

from __future__ import annotations

import pytest

from annotator.core.model import Claim, ClaimLink, LabelKind
from annotator.core.services import Desk
from annotator.export.brief import BriefOptions, write_brief
from annotator.store.database import open_database
from tests.docx_reader import W, open_docx, para_text, tables

REPORT = (
    "An Iraqi source said the border was quiet.\n"
    "The same Iraqi source said no troops crossed.\n"
    "الحشد الشعبي 🇮🇶 said the crossing stayed shut.\n"
)
LATER = "The Iraqi source later said the border was calm.\n"


def at(text: str, exact: str) -> tuple[int, int]:
    i = text.index(exact)
    return i, i + len(exact)


@pytest.fixture
def world(tmp_path):
    db = open_database(tmp_path / "sources.db")
    ana, bo = Desk(db.repo, "ana"), Desk(db.repo, "bo")
    ana.ensure_tagset()
    lb = {label.kind: label for label in db.repo.labels()}
    doc = ana.import_document(REPORT, "Border report").document
    later = ana.import_document(LATER, "Later report").document

    def tag(desk, d, kind, exact):
        return desk.add_annotation(d.id, lb[kind].id, *at(d.text, exact))[0]

    source = tag(ana, doc, LabelKind.ACTOR, "An Iraqi source")
    pmf = tag(ana, doc, LabelKind.ACTOR, "الحشد الشعبي")
    quiet = tag(ana, doc, LabelKind.CLAIM, "the border was quiet")
    crossed = tag(bo, doc, LabelKind.CLAIM, "no troops crossed")
    shut = tag(ana, doc, LabelKind.CLAIM, "the crossing stayed shut")
    calm = tag(ana, later, LabelKind.CLAIM, "the border was calm")
    iraqi = db.repo.get_annotation(source.id).entity_id
    hashd = db.repo.get_annotation(pmf.id).entity_id
    ana.set_claim(Claim(annotation_id=quiet.id, reliability="B", credibility="2", source_entity_id=iraqi))
    bo.set_claim(Claim(annotation_id=crossed.id, reliability="E", credibility="3", source_entity_id=iraqi))
    ana.set_claim(Claim(annotation_id=shut.id, reliability="C", credibility="3", source_entity_id=hashd, stance="denied"))
    ana.set_claim(Claim(annotation_id=calm.id, reliability="A", credibility="1", source_entity_id=iraqi))
    with db.repo.transaction():  # the source backs itself (from another report), and is contradicted by the PMF
        db.repo.put_claim_link(ClaimLink(from_annotation_id=calm.id, to_annotation_id=quiet.id, relation="corroborates"))
        db.repo.put_claim_link(ClaimLink(from_annotation_id=shut.id, to_annotation_id=crossed.id, relation="contradicts"))
    yield db, doc, later
    db.close()


def sources_rows(path):
    document = open_docx(path)
    [tbl] = [t for t in document.tables if t.rows[0].cells[0].text == "Source"]
    return document, tbl


def test_the_sources_table(world, tmp_path):
    db, doc, _later = world
    path = write_brief(db.repo, BriefOptions([doc.id], analyst="Ana Lyst"), tmp_path / "brief.docx")
    document, tbl = sources_rows(path)
    rows = tables(document)["Source|Claims|Gradings given|Corroborated|Contradicted"]
    iraqi, check, pmf = rows  # most claims first; the check on a row of its own under its source
    assert iraqi == ["An Iraqi source", "claims 1 and 2", "ana: B2; bo: E3", "1", "1"]  # two analysts graded: named
    assert check[0].startswith("Check: ") and "1 claim corroborated only by the same source" in check[0]
    assert "graded far apart: reliability B and E" in check[0]  # the brief's gradings (the later report's A is not in it)
    assert pmf == ["\u2068الحشد الشعبي\u2069", "claim 3", "ana: C3", "0", "1"]
    # the numbers are the brief's claim numbers, linked to the claims in the text
    links = [h.get(W + "anchor") for h in tbl._tbl.iter(W + "hyperlink")]
    assert links == ["claim_1", "claim_2", "claim_3"]
    claims = {r[0]: r for r in tables(document)["#|Quote|Source|Grading|Stance|Likelihood"]}
    assert claims["1"][1] == "the border was quiet" and claims["2"][3] == "E3"


def test_one_analyst_is_not_named_and_a_brief_without_sourced_claims_has_no_table(world, tmp_path):
    db, doc, later = world
    path = write_brief(db.repo, BriefOptions([later.id]), tmp_path / "later.docx")
    rows = tables(open_docx(path))["Source|Claims|Gradings given|Corroborated|Contradicted"]
    assert rows[0] == ["An Iraqi source", "claim 1", "A1", "1", "0"]  # corroborating the first report counts
    assert rows[1][0] == "Check: 1 claim corroborated only by the same source."  # whose the backing claim is, from outside the brief
    with db.repo.transaction():
        for claim in db.repo.claims_for_document(later.id).values():
            db.repo.put_claim(Claim(**{**claim.__dict__, "source_entity_id": None}))
    path = write_brief(db.repo, BriefOptions([later.id]), tmp_path / "none.docx")
    heads = [para_text(p) for p in open_docx(path).element.body.iter(W + "p") if p.find(f"{W}pPr/{W}pStyle") is not None]
    assert "Claims" in heads and "Sources" not in heads
