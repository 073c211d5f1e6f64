"""A text with overlapping annotation spans, as paragraphs of marked runs.

The text is cut at every span boundary and at every line break; each piece
becomes one run whose mark is the union of the spans covering it:

* actor, location (and other) spans are fills: the piece takes the colour
  of the innermost one, and where fills nest it is drawn stronger and boxed
  in the colour of the span around it;
* claim spans are underlines in the claim colour, the line style telling
  how many claims overlap there.

Offsets are code points (Python ``str`` indices) into the canonical text;
docx text is XML, so nothing is converted. A paragraph is a line of the
text (``\\n`` separates paragraphs and is not itself written).

Alongside the runs, each paragraph lists where annotations start and end
(``START``/``END`` events), so the writer can place comment ranges and
bookmarks on exactly an annotation's text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from typing import NamedTuple

RUN, START, END = 0, 1, 2

# Strong right-to-left letters (Hebrew, Arabic, Syriac, Thaana, NKo, presentation forms…).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]")
_STRONG = re.compile(
    "[A-Za-z\u00c0-\u024f\u0370-\u058f\u0900-\u1fff\u2c00-\ufb1c\U00010000-\U000107ff"
    "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


class Span(NamedTuple):
    start: int
    end: int
    key: Hashable  # identifies the annotation in START/END events
    label: Hashable  # what the mark is drawn from (a label id)
    claim: bool  # underlined (claim) rather than filled


class Mark(NamedTuple):
    """How a piece of text is marked; ``None`` fields are absent."""

    fill: Hashable | None  # innermost fill label
    outer: Hashable | None  # the fill label around it, when fills nest
    claim: Hashable | None  # innermost claim label
    claims: int  # number of claims covering the piece


class Paragraph(NamedTuple):
    start: int  # code point offset of the line in the text
    end: int  # exclusive; the line break (if any) is at ``end``
    items: list  # (RUN, start, end, Mark | None) | (START, key) | (END, key)


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


def is_rtl_paragraph(text: str, default: bool = False) -> bool:
    """Right-to-left when the first strong letter is right-to-left (the Unicode
    rule); ``default`` (the document's direction) when there is no letter."""
    m = _STRONG.search(text)
    if m is None:
        return default
    return _RTL.match(m.group()) is not None


def segment(text: str, spans: Sequence[Span]) -> list[Paragraph]:
    """Cut ``text`` into paragraphs of marked pieces (see the module doc).

    At any offset, annotations ending there are reported before those
    starting there, and spans starting together are opened outermost first.
    A trailing empty line is kept only when an event falls in it.
    """
    n = len(text)
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for i, sp in enumerate(spans):
        if not 0 <= sp.start < sp.end <= n:
            raise ValueError(f"span {sp.start}..{sp.end} is outside the text (0..{n}) or empty")
        opens.setdefault(sp.start, []).append(i)
        closes.setdefault(sp.end, []).append(i)
    cuts = set(opens)
    cuts.update(closes)
    pos = text.find("\n")
    while pos >= 0:
        cuts.add(pos)
        cuts.add(pos + 1)
        pos = text.find("\n", pos + 1)
    cuts.add(0)
    cuts.add(n)
    order = sorted(cuts)

    # Open spans in opening order (outermost first: start asc, end desc). A
    # span that ends is only flagged and leaves its list once it is on top, so
    # an end costs O(1) however many spans are open (nested by the thousand).
    fills: list[int] = []
    claims: list[int] = []
    closed = bytearray(len(spans))
    open_claims = 0
    paragraphs: list[Paragraph] = []
    items: list = []
    pstart = 0
    mark: Mark | None = None
    dirty = True
    last = len(order) - 1
    for ci, pos in enumerate(order):
        ending = closes.get(pos)
        if ending:
            for i in ending:
                closed[i] = 1
                if spans[i].claim:
                    open_claims -= 1
                items.append((END, spans[i].key))
            dirty = True
        starting = opens.get(pos)
        if starting:
            if len(starting) > 1:
                starting = sorted(starting, key=lambda i: -spans[i].end)
            for i in starting:
                if spans[i].claim:
                    claims.append(i)
                    open_claims += 1
                else:
                    fills.append(i)
                items.append((START, spans[i].key))
            dirty = True
        if ci == last:
            break
        if text[pos] == "\n":
            paragraphs.append(Paragraph(pstart, pos, items))
            items = []
            pstart = pos + 1
            continue
        if dirty:
            dirty = False
            _drop_closed(claims, closed)
            _drop_closed(fills, closed)
            if fills or claims:
                fill = outer = None
                if fills:
                    inner = fills.pop()
                    _drop_closed(fills, closed)
                    fill = spans[inner].label
                    outer = spans[fills[-1]].label if fills else None
                    fills.append(inner)
                claim = spans[claims[-1]].label if claims else None
                mark = Mark(fill, outer, claim, open_claims)
            else:
                mark = None
        items.append((RUN, pos, order[ci + 1], mark))
    if items or pstart < n or not paragraphs:
        paragraphs.append(Paragraph(pstart, n, items))
    return paragraphs


def _drop_closed(stack: list[int], closed: bytearray) -> None:
    """Pop the closed spans off the top of ``stack`` (each leaves once)."""
    while stack and closed[stack[-1]]:
        stack.pop()


def render_paragraph(
    text: str,
    para: Paragraph,
    *,
    style: str,
    mark_style: Callable[[Mark], str],
    on_start: Callable[[Hashable], str] | None = None,
    on_end: Callable[[Hashable], str] | None = None,
    before_ends: Callable[[list[Hashable], bool], str] | None = None,
    rtl: bool = False,
    emoji_fonts: str = "",
) -> str:
    """WordprocessingML for one paragraph: its runs (with the mark's character
    style, ``w:rtl`` on runs holding right-to-left letters) and whatever
    ``on_start``/``on_end`` return at annotation boundaries (comment ranges,
    bookmarks); ``before_ends(keys, first)`` is called once before the
    annotations ending at one place, with their keys (the claim numbers go
    there, inside the comment ranges, so a word processor's comment marker
    does not cover them), ``first`` telling that no text of the paragraph
    came before. ``rtl`` sets the paragraph right-to-left (``w:bidi``). With
    ``emoji_fonts`` (a ``w:rFonts`` element) emoji go in runs of their own in
    those fonts, keeping their mark."""
    from .ooxml import EMOJI, emoji_split, esc, t

    out = [f'<w:p><w:pPr><w:pStyle w:val="{style}"/>', "<w:bidi/>" if rtl else "", "</w:pPr>"]
    append = out.append
    line = text[para.start : para.end]
    para_has_rtl = rtl or has_rtl(line)
    emoji = bool(emoji_fonts) and EMOJI.search(line) is not None
    items = para.items
    count = len(items)
    first = True
    for n, item in enumerate(items):
        tag = item[0]
        if tag == RUN:
            first = False
            piece = text[item[1] : item[2]]
            m = item[3]
            props = ""
            if m is not None:
                props = f'<w:rStyle w:val="{mark_style(m)}"/>'
            rtl_prop = "<w:rtl/>" if para_has_rtl and _RTL.search(piece) else ""
            pieces = emoji_split(piece) if emoji and EMOJI.search(piece) else ((piece, False),)
            for part, emo in pieces:
                rpr = props + (emoji_fonts if emo else "") + rtl_prop
                body = t(part) if "\t" in part else f'<w:t xml:space="preserve">{esc(part)}</w:t>'
                append(f"<w:r><w:rPr>{rpr}</w:rPr>{body}</w:r>" if rpr else f"<w:r>{body}</w:r>")
        elif tag == START:
            if on_start is not None:
                append(on_start(item[1]))
        else:
            if before_ends is not None and (n == 0 or items[n - 1][0] != END):
                group = []  # this run of ends, read in place: each item is read once here
                j = n
                while j < count and items[j][0] == END:
                    group.append(items[j][1])
                    j += 1
                append(before_ends(group, first))
            if on_end is not None:
                append(on_end(item[1]))
    append("</w:p>")
    return "".join(out)
