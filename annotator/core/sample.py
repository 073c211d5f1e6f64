"""The sample: the demonstration annotations a new database starts with
(``seeds/``), shown so that a new analyst sees the desk at work.

Its rows (annotations, entities, claims, their subjects and links) are
written by :data:`SAMPLE_CREATOR`, never by the analyst, so they are told
apart everywhere: no new mention links to a sample entity (the entity index
leaves them out), an analyst's claim is offered none of the sample's actors
as its source, the brief leaves them out unless asked
(``BriefOptions.include_sample``), and one undoable edit removes them whole
(:meth:`annotator.core.services.Desk.sample_annotation_ids`, deleted like
any annotations: their entities go with them, see :mod:`.entity_life`).
"""

from __future__ import annotations

SAMPLE_CREATOR = "Annotator demo"  # the creator of every row of seeds/*.w3c.json


def is_sample(row) -> bool:
    """Whether a row (an annotation, a span, an entity, a claim) is the sample's."""
    return getattr(row, "creator", None) == SAMPLE_CREATOR
