"""The rows the register of sources is built from (:mod:`annotator.core.sources`):
every live claim with a live source, its document and grading, and the live
links between claims. Two reads, whatever the corpus."""

from __future__ import annotations

from sqlalchemy import Connection, and_, select

from ..core.sources import ClaimFacts, LinkFacts
from .tables import AnnotationRow, ClaimLinkRow, ClaimRow, DocumentRow, EntityRow

_A, _C, _D, _E, _K = (t.__table__ for t in (AnnotationRow, ClaimRow, DocumentRow, EntityRow, ClaimLinkRow))


def register_rows(conn: Connection) -> tuple[list[ClaimFacts], list[LinkFacts]]:
    """Every live claim (its source None when it has no live one) and every live link between two live annotations."""
    joined = (
        _C.join(_A, and_(_A.c.id == _C.c.annotation_id, _A.c.deleted.is_(False)))
        .join(_D, and_(_D.c.id == _A.c.document_id, _D.c.deleted.is_(False)))
        .outerjoin(_E, and_(_E.c.id == _C.c.source_entity_id, _E.c.deleted.is_(False)))
    )
    stmt = select(_A.c.id, _A.c.document_id, _D.c.title, _E.c.id.label("source"), _E.c.name, _C.c.reliability, _C.c.credibility,
                  _C.c.stance, _A.c.creator, _A.c.exact).select_from(joined).where(_C.c.deleted.is_(False))  # fmt: skip
    claims = [ClaimFacts(*r[:4], r[4] or "", *r[5:]) for r in conn.execute(stmt)]
    ends = (_A.alias("a_from"), _A.alias("a_to"))
    live_links = _K.join(ends[0], and_(ends[0].c.id == _K.c.from_annotation_id, ends[0].c.deleted.is_(False))).join(
        ends[1], and_(ends[1].c.id == _K.c.to_annotation_id, ends[1].c.deleted.is_(False)))  # fmt: skip
    links = [LinkFacts(*r) for r in conn.execute(
        select(_K.c.from_annotation_id, _K.c.to_annotation_id, _K.c.relation).select_from(live_links).where(_K.c.deleted.is_(False)))]  # fmt: skip
    return claims, links

