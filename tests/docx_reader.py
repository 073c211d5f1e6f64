"""Reading a brief back with python-docx: the annotated text as offsets, runs,
comment ranges and bookmarks, and the tables as text. Used by the brief tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _val(el, tag: str) -> str | None:
    child = el.find(tag)
    return None if child is None else child.get(W + "val")


def style_of(p) -> str | None:
    ppr = p.find(W + "pPr")
    return None if ppr is None else _val(ppr, W + "pStyle")


ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))


def plain(text: str) -> str:
    """``text`` without the bidi isolates the brief puts around right-to-left quotes and names."""
    return text.translate(ISOLATES)


def para_text(p) -> str:
    out = []
    for el in p.iter(W + "t", W + "tab", W + "br"):
        if el.tag == W + "tab" and el.getparent().tag != W + "r":
            continue  # a tab stop (w:pPr/w:tabs/w:tab), not a tab character
        out.append(el.text or "" if el.tag == W + "t" else ("\t" if el.tag == W + "tab" else "\n"))
    return "".join(out)


@dataclass
class StyleInfo:
    name: str
    fill: str | None  # shading fill
    underline: str | None
    underline_color: str | None
    border: str | None


def mark_styles(document) -> dict[str, StyleInfo]:
    out = {}
    for st in document.styles.element.findall(W + "style"):
        rpr = st.find(W + "rPr")
        shd = rpr.find(W + "shd") if rpr is not None else None
        u = rpr.find(W + "u") if rpr is not None else None
        bdr = rpr.find(W + "bdr") if rpr is not None else None
        out[st.get(W + "styleId")] = StyleInfo(
            name=_val(st, W + "name") or "",
            fill=shd.get(W + "fill") if shd is not None else None,
            underline=u.get(W + "val") if u is not None else None,
            underline_color=u.get(W + "color") if u is not None else None,
            border=bdr.get(W + "color") if bdr is not None else None,
        )
    return out


@dataclass
class Run:
    start: int
    end: int
    style: str | None
    rtl: bool


CLAIM_NUMBER = "ClaimNumber"
"""Runs in styles whose id starts so are the superscript claim numbers the
brief adds after each claim: skipped when the document's text is read back."""


@dataclass
class Number:
    """A superscript claim number (or its comma) in the annotated text."""

    pos: int  # offset in the document's text it follows
    text: str
    style: str
    anchor: str | None  # the bookmark it links to


def _link_of(run) -> str | None:
    parent = run.getparent()
    return parent.get(W + "anchor") if parent is not None and parent.tag == W + "hyperlink" else None


@dataclass
class Article:
    ref: str  # "Doc 1"
    paragraphs: list = field(default_factory=list)  # w:p elements
    text: str = ""
    runs: list[Run] = field(default_factory=list)
    comments: dict[str, list[int]] = field(default_factory=dict)  # id -> [start, end]
    bookmarks: dict[str, list[int]] = field(default_factory=dict)  # name -> [start, end]
    comment_refs: list[str] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)  # claim numbers, skipped in ``text`` and ``runs``


def articles(document) -> dict[str, Article]:
    """The annotated texts, by document number ("Doc 1"), read into offsets."""
    found: dict[str, Article] = {}
    current = None
    for p in document.element.body.iter(W + "p"):
        st = style_of(p)
        if st in ("Heading2", "Heading1"):
            text = para_text(p)
            ref = text.split(" · ", 1)[0]
            if ref.startswith("Doc ") and ref[4:].isdigit():
                current = found.setdefault(ref, Article(ref))
        elif st == "ArticleText" and current is not None:
            current.paragraphs.append(p)
    for art in found.values():
        _read(art)
    return found


def _read(art: Article) -> None:
    pos = 0
    parts = []
    bm_names = {}
    for i, p in enumerate(art.paragraphs):
        if i:
            parts.append("\n")
            pos += 1
        for el in p.iter():
            tag = el.tag
            if tag == W + "r":
                ref = el.find(W + "commentReference")
                if ref is not None:
                    art.comment_refs.append(ref.get(W + "id"))
                    continue
                text = para_text(el)
                rpr = el.find(W + "rPr")
                style = _val(rpr, W + "rStyle") if rpr is not None else None
                if style is not None and style.startswith(CLAIM_NUMBER):
                    art.numbers.append(Number(pos, text, style, _link_of(el)))
                    continue  # the brief's own text, not the document's
                rtl = rpr is not None and rpr.find(W + "rtl") is not None
                art.runs.append(Run(pos, pos + len(text), style, rtl))
                parts.append(text)
                pos += len(text)
            elif tag == W + "commentRangeStart":
                art.comments.setdefault(el.get(W + "id"), [None, None])[0] = pos
            elif tag == W + "commentRangeEnd":
                art.comments.setdefault(el.get(W + "id"), [None, None])[1] = pos
            elif tag == W + "bookmarkStart":
                bm_names[el.get(W + "id")] = el.get(W + "name")
                art.bookmarks[el.get(W + "name")] = [pos, None]
            elif tag == W + "bookmarkEnd":
                art.bookmarks[bm_names[el.get(W + "id")]][1] = pos
    art.text = "".join(parts)


def runs_over(art: Article, start: int, end: int) -> list[Run]:
    """The runs covering [start, end); asserts that run boundaries fall exactly on both ends."""
    inside = [r for r in art.runs if r.end > start and r.start < end and r.end > r.start]
    assert inside, f"no runs over {start}..{end}"
    assert inside[0].start == start, f"a run starts at {inside[0].start}, the span at {start}"
    assert inside[-1].end == end, f"a run ends at {inside[-1].end}, the span at {end}"
    return inside


def tables(document) -> dict[str, list[list[str]]]:
    """Each table with a header row, keyed by its header cells joined with '|'."""
    out = {}
    for tbl in document.tables:
        rows = [[cell.text for cell in row.cells] for row in tbl.rows]
        out["|".join(rows[0])] = rows[1:]
    return out


def comments(document) -> dict[str, str]:
    return {str(c.comment_id): c.text for c in document.comments}


def open_docx(path):
    return docx.Document(str(path))
