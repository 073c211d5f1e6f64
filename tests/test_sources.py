"""The register of sources: claims per source across documents, gradings
per analyst, corroboration counted for both claims of a link, and the
checks an analyst makes (gradings far apart, nothing corroborated,
corroborated only by the same source); in the CLI on the sample."""

from __future__ import annotations

import json
import uuid

from annotator import cli
from annotator.core.sources import ClaimFacts, LinkFacts, build_register

DOC_A, DOC_B = uuid.uuid4(), uuid.uuid4()
OFFICIAL, AGENCY = uuid.uuid4(), uuid.uuid4()


def claim(source, name, grade, doc=DOC_A, analyst="ana", stance="asserted") -> ClaimFacts:
    return ClaimFacts(uuid.uuid4(), doc, "A" if doc == DOC_A else "B", source, name, grade[0], grade[1], stance, analyst, "q")


def test_gradings_corroboration_and_checks():
    c1 = claim(OFFICIAL, "an official", "A2")
    c2 = claim(OFFICIAL, "an official", "E3", doc=DOC_B, analyst="bo", stance="denied")
    c3 = claim(OFFICIAL, "an official", "F6", doc=DOC_B)
    c4 = claim(AGENCY, "the agency", "B2")
    c5 = claim(AGENCY, "the agency", "B3", analyst="bo")
    links = [
        LinkFacts(c1.annotation_id, c3.annotation_id, "corroborates"),  # the official backed by the official only
        LinkFacts(c4.annotation_id, c2.annotation_id, "contradicts"),
        LinkFacts(uuid.uuid4(), c5.annotation_id, "corroborates"),  # from a claim with no claim row: it backs c5 all the same
    ]
    official, agency = build_register([c1, c2, c3, c4, c5], links)
    assert (official.name, len(official.claims), official.documents) == ("an official", 3, 2)
    assert official.gradings == {"ana": {"A2": 1, "F6": 1}, "bo": {"E3": 1}}
    assert official.stances == {"asserted": 2, "denied": 1}
    assert (official.corroborated, official.contradicted, official.corroborated_by_itself_only) == (2, 1, 2)
    assert official.checks == ["graded far apart: reliability A and E", "2 claims corroborated only by the same source"]
    assert (agency.corroborated, agency.contradicted, agency.corroborated_by_itself_only) == (1, 1, 0)
    assert agency.checks == []
    unsourced = claim(None, "", "F6")
    [lone] = build_register([c4, claim(AGENCY, "the agency", "B3"), unsourced], [])
    assert lone.checks == ["none of its 2 claims is corroborated"]


def test_the_register_of_the_sample(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    db = str(tmp_path / "a.db")
    assert cli.main(["--db", db, "run-default"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "sources", "--json"]) == 0
    register = json.loads(capsys.readouterr().out)
    first = register[0]
    assert first["name"] == "Iraqi security source" and first["claims"] == 9 and first["documents"] == 1
    assert sum(r["claims"] for r in register) <= 21 and all(r["claims"] == len(r["claim_ids"]) for r in register)
    assert "3 claims corroborated only by the same source" in first["checks"]
    assert cli.main(["--db", db, "sources", "--checks"]) == 0
    out = capsys.readouterr().out
    assert "check: none of its 4 claims is corroborated" in out and "US officials" not in out


def test_the_store_reads_live_claims_with_live_sources_only(tmp_path):
    """From the database: a deleted claim, or one whose source is gone, is not in the register."""
    from annotator.core.model import Claim
    from tests.merge_helpers import TEXT, Analyst, base_database, span

    ids = base_database(tmp_path / "ana.db", "ana")
    a = Analyst(tmp_path / "ana.db", "ana")
    try:
        [syria] = a.repo.source_register()
        assert (syria.name, [c.annotation_id for c in syria.claims], syria.gradings) == ("Syria", [ids["claim"]], {"ana": {"B2": 1}})
        assert syria.corroborated == 1  # the link to the second claim, which has no source
        other = a.tag(ids["doc"], "Claim", *span(TEXT, "Damascus"))
        with a.repo.transaction():
            a.repo.put_claim(Claim(annotation_id=other.id, source_entity_id=ids["syria_entity"], reliability="E",
                                   credibility="3", creator="ana"))  # fmt: skip
        [syria] = a.repo.source_register()
        assert len(syria.claims) == 2 and syria.checks == ["graded far apart: reliability B and E"]
        a.desk.delete_annotation(other.id)
        [syria] = a.repo.source_register()
        assert [c.annotation_id for c in syria.claims] == [ids["claim"]] and syria.checks == []
    finally:
        a.close()
