"""The register of sources: every actor that is a claim's source, with its
claims across the corpus, the gradings analysts gave them, their stances,
and the claims that corroborate or contradict them; and what a careful
analyst checks (see :func:`build_register`). Pure: the store reads the rows
(:mod:`annotator.store.sources`)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

RELIABILITY_ORDER = "ABCDEF"
FAR_APART = 3  # steps between reliability grades given to one source (A and D) that are worth a look
UNJUDGED = "F"  # "reliability cannot be judged": not a grade to compare


@dataclass(frozen=True)
class ClaimFacts:
    """One live claim, as the register needs it."""

    annotation_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    source_id: uuid.UUID | None  # None: the claim has no (live) source; it still counts as another claim's backing
    source_name: str
    reliability: str
    credibility: str
    stance: str
    analyst: str
    quote: str


@dataclass(frozen=True)
class LinkFacts:
    from_id: uuid.UUID
    to_id: uuid.UUID
    relation: str  # "corroborates" or "contradicts"


@dataclass
class SourceRecord:
    source_id: uuid.UUID
    name: str
    claims: list[ClaimFacts] = field(default_factory=list)
    gradings: dict[str, Counter] = field(default_factory=dict)  # analyst -> Counter of codes ("B2")
    stances: Counter = field(default_factory=Counter)
    corroborated: int = 0  # its claims another claim corroborates (or that corroborate another)
    contradicted: int = 0
    corroborated_by_itself_only: int = 0  # corroborated, but only by claims of this same source
    checks: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return len({c.document_id for c in self.claims})


def build_register(claims: list[ClaimFacts], links: list[LinkFacts], only: Collection[uuid.UUID] | None = None) -> list[SourceRecord]:
    """One record per source, most claims first. A link counts for both of
    its claims (a corroboration says the two agree, whichever way it was drawn).
    ``only``: the records hold these claims alone (a brief's), while every
    claim still says whose a backing claim is.
    The checks: gradings far apart (``FAR_APART`` steps or more between the
    reliabilities given, F aside), only uncorroborated claims (two claims or
    more, none corroborated), claims corroborated only by the same source."""
    by_claim = {c.annotation_id: c for c in claims}
    related: dict[uuid.UUID, dict[str, set[uuid.UUID]]] = {}
    for link in links:  # (links between live claims only: the store's read)
        if link.relation not in ("corroborates", "contradicts"):
            continue
        for one, other in ((link.from_id, link.to_id), (link.to_id, link.from_id)):
            related.setdefault(one, {}).setdefault(link.relation, set()).add(other)
    records: dict[uuid.UUID, SourceRecord] = {}
    for c in claims:
        if c.source_id is None or (only is not None and c.annotation_id not in only):
            continue
        record = records.setdefault(c.source_id, SourceRecord(c.source_id, c.source_name))
        record.claims.append(c)
        record.gradings.setdefault(c.analyst, Counter())[f"{c.reliability}{c.credibility}"] += 1
        record.stances[c.stance] += 1
        mine = related.get(c.annotation_id, {})
        backers = mine.get("corroborates", set())
        if backers:
            record.corroborated += 1
            if all(o in by_claim and by_claim[o].source_id == c.source_id for o in backers):
                record.corroborated_by_itself_only += 1
        if mine.get("contradicts"):
            record.contradicted += 1
    for record in records.values():
        record.claims.sort(key=lambda c: (c.document_title, c.document_id.hex))
        record.checks = _checks(record)
    return sorted(records.values(), key=lambda r: (-len(r.claims), r.name.casefold()))


def _checks(record: SourceRecord) -> list[str]:
    out = []
    given = sorted({c.reliability for c in record.claims if c.reliability in RELIABILITY_ORDER and c.reliability != UNJUDGED},
                   key=RELIABILITY_ORDER.index)  # fmt: skip
    if len(given) > 1 and RELIABILITY_ORDER.index(given[-1]) - RELIABILITY_ORDER.index(given[0]) >= FAR_APART:
        out.append(f"graded far apart: reliability {given[0]} and {given[-1]}")
    if len(record.claims) > 1 and record.corroborated == 0:
        out.append(f"none of its {len(record.claims)} claims is corroborated")
    if record.corroborated_by_itself_only:
        n = record.corroborated_by_itself_only
        out.append(f"{n} claim{'s' * (n != 1)} corroborated only by the same source")
    return out
