"""The tables of actors, locations and claims (an entity's note on a row
of its own under it)."""

from __future__ import annotations

from ..core.model import LabelKind
from . import ooxml as X
from . import template as T
from .brief_wording import cap, coords, isolate
from .brief_writer import BriefWriter
from .data import EntityInfo, one_line
from .runs import is_rtl_paragraph


def tables(w: BriefWriter) -> None:
    d = w.data
    kinds = d.kinds()
    if LabelKind.ACTOR in kinds:
        w.add(w.p("Actors", T.H1))
        if d.actors:
            entity_table(w, ["Name", "Type", "Aliases", "Mentions", "First mention"], d.actors, actor_row, [3.6, 2.4, 3.3, 2.0, 5.7])
        else:
            w.add(w.p("No actors are tagged in these documents.", T.META))
    if LabelKind.LOCATION in kinds:
        w.add(w.p("Locations", T.H1))
        if d.locations:
            entity_table(w, ["Name", "Type", "Country", "Coordinates", "Mentions"], d.locations, location_row, [4.6, 3.0, 1.9, 5.0, 2.0])
        else:
            w.add(w.p("No locations are tagged in these documents.", T.META))
    if LabelKind.CLAIM in kinds and d.claims:
        w.add(w.p("Claims", T.H1))
        rows = []
        for c in d.claims:
            cl = c.claim
            quote = one_line(c.span.exact)
            rows.append([
                str(c.number),
                X.Cell(quote, "<w:bidi/>") if is_rtl_paragraph(quote) else isolate(quote),
                isolate(c.source) or "—",
                c.code or "—",
                cap(cl.stance) if cl is not None and cl.stance else "—",
                cap(cl.likelihood) if cl is not None and cl.likelihood else "—",
            ])  # fmt: skip
        w.table(["#", "Quote", "Source", "Grading", "Stance", "Likelihood"], rows, [0.8, 7.6, 3.0, 1.6, 1.8, 2.1])
    if LabelKind.CLAIM in kinds and d.sources:
        sources_table(w)


def sources_table(w: BriefWriter) -> None:
    """Each source of the brief's claims: its claims here, the gradings given
    them (by analyst when several graded), how many are corroborated or
    contradicted (by any claim in the database), and what to check."""
    w.add(w.p("Sources", T.H1))
    by_ann = w.data.claim_by_ann
    analysts = {a for r in w.data.sources for a in r.gradings}
    rows: list = []
    for r in w.data.sources:
        claims = sorted((by_ann[c.annotation_id] for c in r.claims if c.annotation_id in by_ann), key=lambda c: c.number)
        rows.append([isolate(r.name), X.Raw(w.claim_refs(claims)), gradings_given(r.gradings, named=len(analysts) > 1),
                     str(r.corroborated), str(r.contradicted)])  # fmt: skip
        if r.checks:
            rows.append(X.NoteRow(w.r("Check: ", T.STRONG) + w.u("; ".join(r.checks) + "."), T.TABLE_NOTE))
    w.table(["Source", "Claims", "Gradings given", "Corroborated", "Contradicted"], rows, [4.2, 4.0, 4.0, 2.4, 2.4],
            notes=len(rows) > len(w.data.sources))  # fmt: skip


def gradings_given(gradings: dict, named: bool) -> str:
    """"B2 ×2, E3"; with ``named``, per analyst: "ana: B2 ×2; bo: E3"."""
    def codes(counter) -> str:
        return ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(counter.items()))

    if not named:
        return "; ".join(codes(c) for c in gradings.values())
    return "; ".join(f"{analyst}: {codes(c)}" for analyst, c in sorted(gradings.items()))


def entity_table(w: BriefWriter, header: list[str], infos: list[EntityInfo], row, weights: list[float]) -> None:
    """Actors or locations, one row each; an entity's note, if any, on a row across the table under it."""
    rows: list = []
    for ei in infos:
        rows.append(row(w, ei))
        if ei.entity.note.strip():
            note = " ".join(ei.entity.note.split())
            rows.append(X.NoteRow(w.r("Note: ", T.STRONG) + w.u(note), T.TABLE_NOTE))
    w.table(header, rows, weights, notes=len(rows) > len(infos))


def actor_row(w: BriefWriter, ei: EntityInfo) -> list:
    e = ei.entity
    first = w.quote(ei.first_quote) + w.r(f" — {ei.first_place}") if ei.first is not None else w.r("—")
    aliases = ", ".join(isolate(a) for a in e.aliases)
    return [isolate(e.name), w.types.get(e.type, e.type) or "—", aliases or "—", str(ei.mentions), X.Raw(first)]


def location_row(w: BriefWriter, ei: EntityInfo) -> list[str]:
    e = ei.entity
    return [isolate(e.name), w.types.get(e.type, e.type) or "—", e.country_code or "—", coords(e.latitude, e.longitude) or "—", str(ei.mentions)]
