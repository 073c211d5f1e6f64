"""Key claims: one entry per claim (its quote, source, grading, links and
subjects), and the wording of a claim's grading and links that its Word
comment in the annotated text shares."""

from __future__ import annotations

from ..core import grading
from . import ooxml as X
from . import template as T
from .brief_wording import cap, passive, shorten
from .brief_writer import BriefWriter
from .data import ClaimInfo, one_line, sort_by_grading
from .runs import is_rtl_paragraph


def claim_line(w: BriefWriter, c: ClaimInfo) -> list[str]:
    """Stance and likelihood in words (empty when not graded)."""
    if c.claim is None:
        return []
    bits = [cap(c.claim.stance)] if c.claim.stance else []
    if c.claim.likelihood:
        rng = w.ranges.get(c.claim.likelihood)
        bits.append(cap(c.claim.likelihood) + (f" ({rng})" if rng else ""))
    return bits


def links_text(w: BriefWriter, c: ClaimInfo, plain: bool = False) -> str:
    """Runs: 'Contradicts claim 1; corroborated by claims 10 and 21'.
    ``plain``: claim numbers are not links (in comments)."""
    groups: dict[str, tuple[list[ClaimInfo], list[str]]] = {}
    for link in c.links:
        verb = link.relation if link.outgoing else passive(link.relation)
        inside, outside = groups.setdefault(verb, ([], []))
        if link.other is not None:
            if link.other not in inside:
                inside.append(link.other)
        else:
            outside.append(w.quote(shorten(link.other_exact, 50 if plain else 60)) + w.r(" (not in this brief)"))
    parts = []
    for verb, (inside, outside) in groups.items():
        targets = ([w.claim_refs(sorted(inside, key=lambda o: o.number), plain)] if inside else []) + outside
        parts.append(w.r(cap(verb) + " ") + w.r(", ").join(targets))
    return w.r("; ").join(parts)


def source_text(w: BriefWriter, c: ClaimInfo) -> str:
    """'Source: two officials (¶1) — reported by The National, 2025-06'."""
    doc = c.doc.doc
    out = w.r("Source: ", T.STRONG) + (w.u(c.source) if c.source else w.r("not stated"))
    if c.source_where:
        out += w.r(f" ({c.source_where})")
    same = bool(c.source) and c.source.casefold() == doc.source.casefold()  # the publication is the source itself
    via = [w.u(doc.source)] if doc.source and not same else []
    via += [w.r(doc.published)] if doc.published else []
    if via:
        out += w.r(" — reported by " if c.source and not same and doc.source else " — ") + w.r(", ").join(via)
    return out


def key_claims(w: BriefWriter) -> None:
    claims = w.data.claims
    ordered = sort_by_grading(claims) if w.opt.order == "grading" else claims
    w.add(w.p("Key claims", T.H1))
    if w.opt.order == "grading":
        how = "Ordered by grading: most reliable source and most credible information first; ungraded claims last."
    else:
        how = "In document and text order."
    w.add(w.p(how, T.META))
    right = w.width
    for c in ordered:
        bid = w.next_bookmark()
        head = X.bookmark_start(bid, c.entry_bookmark) + w.claim_ref(c, c.name) + X.bookmark_end(bid) + w.r("  ")
        if c.claim is not None:
            head += w.r(f" {c.code} ", T.CODE) + w.r("  " + " · ".join(claim_line(w, c)))
        else:
            head += w.r("not graded", T.META)
        head += "<w:r><w:tab/></w:r>" + w.r(c.where)
        tabs = f'<w:tabs><w:tab w:val="right" w:pos="{round(right * X.TWIPS_PER_CM)}"/></w:tabs>'
        w.add(X.para(head, T.CLAIM_HEAD, tabs))
        quote = one_line(c.span.exact)
        w.add(w.p(quote, T.CLAIM_QUOTE_RTL if is_rtl_paragraph(quote) else T.CLAIM_QUOTE))
        w.add(X.para(source_text(w, c), T.CLAIM_DETAIL))
        if c.claim is not None:
            rel = grading.RELIABILITY.get(c.claim.reliability, "")
            cred = grading.CREDIBILITY.get(c.claim.credibility, "")
            text = w.r("Grading: ", T.STRONG) + w.r(f"{c.code} — {rel.lower()} source; {cred.lower()}.")
            w.add(X.para(text, T.CLAIM_DETAIL))
            if c.claim.likelihood_note:
                w.add(X.para(w.r("Rationale: ", T.STRONG) + w.u(one_line(c.claim.likelihood_note)), T.CLAIM_DETAIL))
        if c.links:
            w.add(X.para(links_text(w, c), T.CLAIM_DETAIL))
        if c.subjects:
            w.add(X.para(w.r("About: ", T.STRONG) + w.names([e.name for e in c.subjects]), T.CLAIM_DETAIL))
        if c.span.note:
            w.add(X.para(w.r("Note: ", T.STRONG) + w.u(one_line(c.span.note)), T.CLAIM_DETAIL))
