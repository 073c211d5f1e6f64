"""The annotated text of each document: every span marked in its label's
colour, a Word comment on each annotation with a note or claim details, a
bookmark on each claim and its number in superscript after its last word
(linked to its key-claims entry). The body is appended every
:data:`FLUSH_CHARS` characters of text, which is also when progress is told.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from typing import NamedTuple

from ..core import grading
from ..core.model import LabelKind, SpanRow
from . import ooxml as X
from . import template as T
from .brief_claims import claim_line, links_text
from .brief_legend import legend_runs
from .brief_wording import initials
from .brief_writer import BriefWriter
from .data import ClaimInfo, DocInfo
from .runs import Span, has_rtl, is_rtl_paragraph, render_paragraph, segment

FLUSH_CHARS = 50_000  # text written between progress calls (and body appends)


def comment_xml(w: BriefWriter, cid: int, span: SpanRow) -> str:
    """The Word comment on an annotation: a claim's number, grading, source,
    rationale, subjects and links, or the entity it names; then its note."""
    label = w.data.all_labels[span.label_id]
    c = w.data.claim_by_ann.get(span.id)
    paras: list[str] = []
    if c is not None:
        # "Claim 4 · C3 · Denied · …": the label is named too when it is not "Claim"
        head = c.name + (f" · {label.name}" if label.name.casefold() != "claim" else "")
        if c.claim is not None:
            head += " · " + " · ".join([c.code, *claim_line(w, c)])
        else:
            head += " · not graded"
        paras.append(w.u(head, T.STRONG))
        if c.claim is not None:
            source = w.r("Source: ") + (w.u(c.source) if c.source else w.r("not stated"))
            paras.append(source + (w.r(f" ({c.source_where})") if c.source_where else ""))
            rel = grading.RELIABILITY.get(c.claim.reliability, "")
            cred = grading.CREDIBILITY.get(c.claim.credibility, "")
            paras.append(w.r(f"Grading {c.code}: {rel.lower()} source; {cred.lower()}."))
            if c.claim.likelihood_note:
                paras.append(w.r("Rationale: ") + w.u(c.claim.likelihood_note))
            if c.subjects:
                paras.append(w.r("About: ") + w.names([e.name for e in c.subjects]))
            if c.links:
                paras.append(links_text(w, c, plain=True))
    else:
        entity = w.data.entities.get(span.entity_id) if span.entity_id else None
        paras.append(w.r(f"{label.name}: ", T.STRONG) + w.u(entity.name, T.STRONG) if entity else w.r(label.name, T.STRONG))
    if span.note:
        paras.extend(w.u(line) for line in span.note.split("\n"))
    author = span.creator or w.opt.author or w.analyst
    ref = f'<w:r><w:rPr><w:rStyle w:val="{T.COMMENT_REF}"/></w:rPr><w:annotationRef/></w:r>'
    body = "".join(X.para((ref if i == 0 else "") + content, T.COMMENT_TEXT) for i, content in enumerate(paras))
    return f'<w:comment {X.NS} w:id="{cid}" w:author="{X.attr(author)}" w:initials="{X.attr(initials(author))}">{body}</w:comment>'


def article(w: BriefWriter, info: DocInfo) -> None:
    """One document: its heading, metadata and key, then its text marked."""
    d = w.data
    doc = info.doc
    first = info is d.docs[0]
    if first:
        heading = X.para(w.r("Annotated text"), T.H1, "<w:pageBreakBefore/>") + X.para(w.r(f"{info.ref} · ") + w.u(doc.title), T.H2)
    else:
        heading = X.para(w.r(f"{info.ref} · ") + w.u(doc.title), T.H2, "<w:pageBreakBefore/>")
    w.add(heading)
    meta = [x for x in (doc.source, doc.published, doc.url) if x]
    if meta:
        w.add(X.para(w.r(" · ").join(w.u(x) for x in meta), T.META))
    if doc.description:
        w.add(w.p(doc.description, T.META))
    w.add(X.para(legend_runs(w), T.META))

    labels = d.all_labels
    spans = []
    for s in info.spans:
        claim = labels[s.label_id].kind is LabelKind.CLAIM
        parts = fragments(info.fragments.get(s.id), s, len(doc.text))
        if len(parts) == 1:
            spans.append(Span(s.start, s.end, s, s.label_id, claim))
        else:  # a discontinuous annotation: each fragment marked, comment and bookmark over the extent
            for i, (a, b) in enumerate(parts):
                spans.append(Span(a, b, Fragment(s, i == 0, i == len(parts) - 1), s.label_id, claim))
    comments_on = w.opt.include_comments
    claim_of = d.claim_by_ann

    def wants_comment(s: SpanRow) -> bool:
        c = claim_of.get(s.id)
        return bool(s.note) or (c is not None and c.claim is not None)

    def on_start(s: Hashable) -> str:
        if isinstance(s, Fragment):
            if not s.first:
                return ""
            s = s.span
        out = ""
        c = claim_of.get(s.id)
        if c is not None and w.linked:
            bid = w.bookmark_ids[s.id] = w.next_bookmark()
            out += X.bookmark_start(bid, c.bookmark)
        if comments_on and wants_comment(s):
            cid = w.comment_ids[s.id] = len(w.comment_ids)
            w.comments.append(comment_xml(w, cid, s))
            out += f'<w:commentRangeStart w:id="{cid}"/>'
        return out

    def on_end(s: Hashable) -> str:
        if isinstance(s, Fragment):
            if not s.last:
                return ""
            s = s.span
        out = ""
        bid = w.bookmark_ids.get(s.id)
        if bid is not None:
            out += X.bookmark_end(bid)
        cid = w.comment_ids.get(s.id)
        if cid is not None:
            out += (
                f'<w:commentRangeEnd w:id="{cid}"/><w:r><w:rPr><w:rStyle w:val="{T.COMMENT_REF}"/></w:rPr>'
                f'<w:commentReference w:id="{cid}"/></w:r>'
            )
        return out

    carried: list[str] = []  # numbers of claims ending with a line break: they go at the end of that line

    def before_ends(keys: list[Hashable], first: bool) -> str:
        ending = []
        for s in keys:
            if isinstance(s, Fragment):
                if not s.last:
                    continue
                s = s.span
            c = claim_of.get(s.id)
            if c is not None:
                ending.append(c)
        if not ending:
            return ""
        xml = claim_numbers(w, ending)
        if first:
            carried.append(xml)
            return ""
        return xml

    text = doc.text
    rtl_doc = doc.direction.value == "rtl"
    written = 0
    step = FLUSH_CHARS
    units = max(1, math.ceil(len(text) / step))
    reported = 0
    for para in segment(text, spans):
        line = text[para.start : para.end]
        rtl = is_rtl_paragraph(line, rtl_doc) if rtl_doc or has_rtl(line) else False
        xml = render_paragraph(
            text, para, style=T.ARTICLE, mark_style=w.marks, on_start=on_start, on_end=on_end, before_ends=before_ends,
            rtl=rtl, emoji_fonts=w.emoji,
        )  # fmt: skip
        if carried:
            numbers = "".join(carried)
            carried.clear()
            if w.blocks and w.blocks[-1].endswith("</w:p>") and para.start > 0:  # the line before, not yet flushed
                w.blocks[-1] = w.blocks[-1][: -len("</w:p>")] + numbers + "</w:p>"
            else:
                i = xml.index("</w:pPr>") + len("</w:pPr>")
                xml = xml[:i] + numbers + xml[i:]
        w.blocks.append(xml)
        written += para.end - para.start + 1
        if written // step > reported and reported < units - 1:
            reported += 1
            w.flush()
            w.tick(f"Writing {info.ref}: {doc.title[:40]}", 1)
    w.flush()
    w.tick(f"Writing {info.ref}: {doc.title[:40]}", units - reported)


def claim_numbers(w: BriefWriter, claims: list[ClaimInfo]) -> str:
    """'4' or '4,5' in superscript after claims ending at one place, each
    number linked to its key-claims entry (when the brief has them)."""
    out = []
    for i, c in enumerate(sorted(claims, key=lambda c: c.number)):
        style = w.number_style(c.label.id)
        if i:
            out.append(X.run(",", style))
        run = X.run(str(c.number), style)
        out.append(X.internal_link(c.entry_bookmark, run) if w.entries else run)
    return "".join(out)


class Fragment(NamedTuple):
    """One piece of a discontinuous annotation (its START/END events)."""

    span: SpanRow
    first: bool
    last: bool


def fragments(frags: list[tuple[int, int]] | None, span: SpanRow, n: int) -> list[tuple[int, int]]:
    """The pieces an annotation marks: its fragments when it is discontinuous
    (and they are sound), else its one span."""
    if frags and len(frags) > 1:
        try:
            parts = sorted((int(a), int(b)) for a, b in frags)
        except (TypeError, ValueError):
            parts = []
        if parts and all(0 <= a < b <= n for a, b in parts) and all(b <= a2 for (_a, b), (a2, _b) in zip(parts, parts[1:])):
            return parts
    return [(span.start, span.end)]
