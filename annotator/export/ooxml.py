"""WordprocessingML as text: the few elements the brief writes in bulk.

python-docx builds one element at a time through proxy objects, which is
fine for a cover page and far too slow for 40,000 marked runs. The brief
therefore writes paragraphs, runs, tables and comments as XML text and
parses each block once with python-docx's own parser (so the elements are
its classes and the document stays a normal python-docx document).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable

from docx.oxml.ns import nsdecls
from docx.oxml.parser import parse_xml

NS = nsdecls("w", "r")

# Characters XML 1.0 cannot carry. Replaced one for one, so offsets into the
# text stay valid (a canonical text can hold a stray control character).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def run(text: str, style: str = "", extra_rpr: str = "") -> str:
    """One ``w:r``; ``style`` is a character style id, ``extra_rpr`` direct run properties."""
    rpr = ""
    if style or extra_rpr:
        rpr = "<w:rPr>" + (f'<w:rStyle w:val="{style}"/>' if style else "") + extra_rpr + "</w:rPr>"
    return f"<w:r>{rpr}{t(text)}</w:r>"


def para(content: str, style: str = "", ppr: str = "") -> str:
    """One ``w:p`` holding ``content`` (runs and markers, as XML text)."""
    props = ""
    if style or ppr:
        props = "<w:pPr>" + (f'<w:pStyle w:val="{style}"/>' if style else "") + ppr + "</w:pPr>"
    return f"<w:p>{props}{content}</w:p>"


def text_para(text: str, style: str = "", run_style: str = "", ppr: str = "") -> str:
    return para(run(text, run_style) if text else "", style, ppr)


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
        if len(child) > 64:
            # A copy owns its namespace declarations, so lxml moves it in linear
            # time; moving a parsed child is quadratic in its size (2.5 s for a
            # 1,700-row table). Small elements move faster as they are.
            child = copy.deepcopy(child)
        if sect is None:
            body.append(child)
        else:
            sect.addprevious(child)


# --- tables ---------------------------------------------------------------------------------

TWIPS_PER_CM = 567


def table(
    header: Iterable[str],
    rows: Iterable[Iterable[str]],
    widths_cm: list[float],
    *,
    style: str,
    cell_style: str,
    head_style: str,
    raw_cells: bool = False,
) -> str:
    """A table with a repeating header row. Cells are plain text, or XML
    paragraphs content (runs) when ``raw_cells``; a cell may hold several
    paragraphs separated by ``\\x1e`` in plain mode."""
    grid = "".join(f'<w:gridCol w:w="{round(w * TWIPS_PER_CM)}"/>' for w in widths_cm)
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="5000" w:type="pct"/>'
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>"
    ]
    tw = [round(w * TWIPS_PER_CM) for w in widths_cm]
    out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>')
    for w, h in zip(tw, header, strict=True):
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{text_para(h, head_style)}</w:tc>')
    out.append("</w:tr>")
    for row in rows:
        out.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for w, cell in zip(tw, row, strict=True):
            if raw_cells:
                body = para(cell, cell_style)
            else:
                body = "".join(text_para(p, cell_style) for p in str(cell).split("\x1e"))
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{body}</w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)
