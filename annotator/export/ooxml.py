"""WordprocessingML as text: the few elements the brief writes in bulk.

python-docx builds one element at a time through proxy objects, which is
fine for a cover page and far too slow for 40,000 marked runs. The brief
therefore writes paragraphs, runs, tables and comments as XML text and
parses each block once with python-docx's own parser (so the elements are
its classes and the document stays a normal python-docx document).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from docx.oxml.ns import nsdecls
from docx.oxml.parser import parse_xml
from lxml import etree

NS = nsdecls("w", "r")

# Characters XML 1.0 cannot carry. Replaced one for one, so offsets into the
# text stay valid (a canonical text can hold a stray control character).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Emoji: a pictograph with its modifiers (variation selector, skin tone, keycap,
# tag characters) and ZWJ sequences; a flag is a pair of regional indicators.
_PICTO = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
_MODS = "\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
EMOJI = re.compile(f"[{_PICTO}](?:[{_MODS}]|\u200d[{_PICTO}])*")


def emoji_split(text: str) -> list[tuple[str, bool]]:
    """``text`` as pieces, each ``(piece, is_emoji)``, in order."""
    out = []
    pos = 0
    for m in EMOJI.finditer(text):
        if m.start() > pos:
            out.append((text[pos : m.start()], False))
        if out and out[-1][1] and m.start() == pos:  # adjacent emoji (a flag's two letters) share a run
            out[-1] = (out[-1][0] + m.group(), True)
        else:
            out.append((m.group(), True))
        pos = m.end()
    if pos < len(text) or not out:
        out.append((text[pos:], False))
    return out


def xml_safe(text: str) -> str:
    """``text`` with characters XML cannot hold replaced by U+FFFD (same length)."""
    return _NOT_XML.sub("\ufffd", text)


def esc(text: str) -> str:
    """``text`` as XML character data (characters XML cannot hold become U+FFFD)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def attr(text: str) -> str:
    return esc(text).replace('"', "&quot;")


def t(text: str) -> str:
    """Run content for ``text``: ``w:t`` pieces, tabs as ``w:tab``, line breaks as ``w:br``."""
    if "\t" in text or "\n" in text:
        out = []
        for i, line in enumerate(text.split("\n")):
            if i:
                out.append("<w:br/>")
            for j, part in enumerate(line.split("\t")):
                if j:
                    out.append("<w:tab/>")
                if part:
                    out.append(f'<w:t xml:space="preserve">{esc(part)}</w:t>')
        return "".join(out)
    return f'<w:t xml:space="preserve">{esc(text)}</w:t>'


def run(text: str, style: str = "", extra_rpr: str = "", emoji_fonts: str = "") -> str:
    """One ``w:r``; ``style`` is a character style id, ``extra_rpr`` direct run
    properties (after ``w:rFonts`` in schema order). With ``emoji_fonts`` (a
    ``w:rFonts`` element) emoji go in runs of their own in those fonts."""
    if emoji_fonts and EMOJI.search(text):
        return "".join(run(piece, style, extra_rpr, "") if not emo else _run(piece, style, emoji_fonts + extra_rpr)
                       for piece, emo in emoji_split(text))  # fmt: skip
    return _run(text, style, extra_rpr)


def _run(text: str, style: str, rpr_xml: str) -> str:
    rpr = ""
    if style or rpr_xml:
        rpr = "<w:rPr>" + (f'<w:rStyle w:val="{style}"/>' if style else "") + rpr_xml + "</w:rPr>"
    return f"<w:r>{rpr}{t(text)}</w:r>"


def para(content: str, style: str = "", ppr: str = "") -> str:
    """One ``w:p`` holding ``content`` (runs and markers, as XML text)."""
    props = ""
    if style or ppr:
        props = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr + "</w:pPr>"
    return f"<w:p>{props}{content}</w:p>"


def text_para(text: str, style: str = "", run_style: str = "", ppr: str = "", emoji_fonts: str = "") -> str:
    return para(run(text, run_style, emoji_fonts=emoji_fonts) if text else "", style, ppr)


def internal_link(anchor: str, content: str) -> str:
    """A hyperlink to a bookmark in the same document."""
    return f'<w:hyperlink w:anchor="{attr(anchor)}" w:history="1">{content}</w:hyperlink>'


def bookmark_start(bid: int, name: str) -> str:
    return f'<w:bookmarkStart w:id="{bid}" w:name="{attr(name)}"/>'


def bookmark_end(bid: int) -> str:
    return f'<w:bookmarkEnd w:id="{bid}"/>'


def field(instr: str, placeholder: str, style: str = "") -> str:
    """A simple field (PAGE, NUMPAGES…) showing ``placeholder`` until updated."""
    return f'<w:fldSimple w:instr="{attr(instr)}">{run(placeholder, style)}</w:fldSimple>'


def parse_children(xml: str) -> list:
    """The elements of a fragment (paragraphs, tables…), as python-docx elements."""
    root = parse_xml(f"<w:body {NS}>{xml}</w:body>")
    return list(root)


def append_blocks(body, xml: str) -> None:
    """Append the block elements in ``xml`` to a document body, before its ``w:sectPr``."""
    sect = body.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}sectPr")
    for child in parse_children(xml):
        if sect is None:
            graft(child, body.append)
        else:
            graft(child, sect.addprevious)


# A subtree of up to this many nodes moves at once; a bigger one in parts (see graft).
_MOVE_AT_ONCE = 512
_size = etree.XPath("count(descendant::node())")
_big_children = etree.XPath(f"*[count(descendant::node()) > {_MOVE_AT_ONCE}]")
_TEXT = etree._Element.text  # the node's own text (python-docx's CT_P.text is the paragraph's)


def graft(el, attach) -> None:
    """Move ``el`` into another document with ``attach(el)``, in time linear in its size.

    lxml re-points each moved node's namespaces through a cache it searches
    from the start, and a node whose namespace is declared outside the moved
    subtree (here on the parsed ``w:body``, and always for ``xml:space``)
    adds an entry without ever hitting one: one move (or removal) costs the
    square of the subtree's size (17 s for a paragraph of 32,000 runs). So a
    big element is attached as an empty copy of itself and its children
    follow straight from the parsed tree, the big ones split again.
    """
    if _size(el) <= _MOVE_AT_ONCE:
        attach(el)
        return
    big = set(_big_children(el))
    shell = el.makeelement(el.tag, el.attrib, nsmap=el.nsmap)
    if _TEXT.__get__(el):  # (WordprocessingML puts no text between elements, but keep any)
        _TEXT.__set__(shell, _TEXT.__get__(el))
    shell.tail = el.tail
    attach(shell)
    for kid in list(el):
        if kid in big:
            graft(kid, shell.append)
        else:
            shell.append(kid)


# --- tables ---------------------------------------------------------------------------------

TWIPS_PER_CM = 567


class Raw(str):
    """A table cell given as runs (XML), not plain text; ``\\x1e`` still separates paragraphs."""


class Cell(NamedTuple):
    """A table cell with paragraph properties of its own (e.g. ``<w:bidi/>``)."""

    content: str  # plain text, or runs when a Raw
    ppr: str = ""


class NoteRow(NamedTuple):
    """A row under the row before it, one cell across the table (runs as XML)."""

    content: str
    style: str


def table(
    header: Iterable[str],
    rows: Iterable[Iterable[str] | NoteRow],
    widths_cm: list[float],
    *,
    style: str,
    cell_style: str,
    head_style: str,
    raw_cells: bool = False,
    emoji_fonts: str = "",
    band_fill: str = "",
) -> str:
    """A table with a repeating header row. Cells are plain text, or XML
    paragraphs content (runs) when ``raw_cells`` or a :class:`Raw`; a cell may
    hold several paragraphs separated by ``\\x1e``. A :class:`NoteRow` spans the
    table under the row before it; with ``band_fill`` the table's style does
    not band the rows: every other row and its notes are shaded ``band_fill``,
    so a row and its note read as one."""
    grid = "".join(f'<w:gridCol w:w="{round(w * TWIPS_PER_CM)}"/>' for w in widths_cm)
    # tblLook: the header row's look, and the style's row bands unless we shade the rows ourselves
    # (w:val is the same as the attributes, for readers that only know the bit mask)
    look = '0620" w:noHBand="1' if band_fill else '0420" w:noHBand="0'
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="5000" w:type="pct"/>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="{look}" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    tw = [round(w * TWIPS_PER_CM) for w in widths_cm]
    out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>')
    for w, h in zip(tw, header, strict=True):
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{text_para(h, head_style)}</w:tc>')
    out.append("</w:tr>")
    rows = list(rows)
    group = -1
    for i, row in enumerate(rows):
        shade = ""
        if isinstance(row, NoteRow):
            if band_fill and group % 2 == 1:
                shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{band_fill}"/>'
            out.append(
                f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{sum(tw)}" w:type="dxa"/>'
                f'<w:gridSpan w:val="{len(tw)}"/><w:tcBorders><w:top w:val="nil"/></w:tcBorders>{shade}</w:tcPr>'
                f"{para(row.content, row.style)}</w:tc></w:tr>"
            )
            continue
        group += 1
        if band_fill and group % 2 == 1:
            shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{band_fill}"/>'
        noted = i + 1 < len(rows) and isinstance(rows[i + 1], NoteRow)
        keep = "<w:keepNext/>" if noted else ""  # on the page of its note
        borders = '<w:tcBorders><w:bottom w:val="nil"/></w:tcBorders>' if noted else ""  # no rule between a row and its note
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for w, cell in zip(tw, row, strict=True):
            ppr = keep
            if isinstance(cell, Cell):
                ppr += cell.ppr
                cell = cell.content
            if raw_cells or isinstance(cell, Raw):
                body = "".join(para(c, cell_style, ppr) for c in str(cell).split("\x1e"))
            else:
                body = "".join(text_para(c, cell_style, ppr=ppr, emoji_fonts=emoji_fonts) for c in str(cell).split("\x1e"))
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{borders}{shade}</w:tcPr>{body}</w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)
