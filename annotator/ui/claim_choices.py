"""What the claim editor offers, worked out from what the controller keeps
(no database read): the actors a claim's source may be, the chosen source's
mentions in the open document with their context, the entities mentioned
there, the other claims. The sample's actors are offered only to the
sample's own claims (:mod:`annotator.core.sample`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from ..core.entities import context
from ..core.matching import match_key
from ..core.model import Entity, Label, LabelKind, SpanRow
from ..core.near_names import near_names
from ..core.sample import is_sample
from .claim_editor import ClaimContext

MENTION_BEFORE, MENTION_AFTER = 20, 24  # characters of context around a source's mention: the combo shows its start


def offered_actors(entities: Iterable[Entity], claim_is_sample: bool) -> list[Entity]:
    return [e for e in entities if e.kind is LabelKind.ACTOR and (claim_is_sample or not is_sample(e))]


def actor_named(actors: Iterable[Entity], name: str) -> Entity | None:
    """The actor with this name or alias (case, spacing and harakat aside)."""
    key = match_key(name)
    return next((e for e in actors if any(match_key(n) == key for n in e.names())), None)


def near_actor_names(actors: Iterable[Entity], name: str) -> list[str]:
    """Actors' names close to ``name``, to point out before a new actor is made."""
    return near_names(name, (n for e in actors for n in e.names()))


def mention_text(text: str, span: SpanRow) -> str:
    """A mention with the words around it: “…officials in Damascus said…”."""
    before, after = context(text, span.start, span.end)
    before, exact, after = (" ".join(part.split()) for part in (before, span.exact, after))
    if len(before) > MENTION_BEFORE:  # whole words only
        before = before[-MENTION_BEFORE:].partition(" ")[2]
    if len(after) > MENTION_AFTER:
        after = after[:MENTION_AFTER].rpartition(" ")[0]
    return f"…{before} [{exact}] {after}…"


def claim_choices(actors: list[Entity], entities: dict[uuid.UUID, Entity], labels: list[Label], text: str,
                  spans: list[SpanRow], ann_id: uuid.UUID, source_id: uuid.UUID | None) -> ClaimContext:  # fmt: skip
    kinds = {lb.id: lb.kind for lb in labels}
    ctx = ClaimContext(actor_names=sorted({n for e in actors for n in e.names()}, key=str.casefold))
    seen: set[uuid.UUID] = set()
    claims: list[SpanRow] = []
    for sp in spans:
        kind = kinds.get(sp.label_id)
        if kind is LabelKind.ACTOR and source_id is not None and sp.entity_id == source_id:
            ctx.source_mentions.append((sp.id, mention_text(text, sp)))
        if kind in (LabelKind.ACTOR, LabelKind.LOCATION) and sp.entity_id and sp.entity_id not in seen:
            entity = entities.get(sp.entity_id)
            if entity is not None:
                seen.add(entity.id)
                ctx.subjects.append((entity.id, entity.name))
        if kind is LabelKind.CLAIM:
            claims.append(sp)
    claims.sort(key=lambda sp: (sp.start, -sp.end))  # the brief's order: a claim before the claims inside it
    ctx.numbers = {sp.id: n for n, sp in enumerate(claims, 1)}
    ctx.claims = [(sp.id, sp.exact) for sp in claims if sp.id != ann_id]
    return ctx
