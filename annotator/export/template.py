"""The look of the brief, in one place.

Every paragraph, character and table style the brief uses is defined here
and written into the document's styles part; the writer only names styles.
The template is python-docx's default document with these styles applied
(:func:`build_template`). To change the look, change the values below — or
give the writer a house ``.docx`` template (``BriefOptions.template``, CLI
``--template``): its styles are kept and only the styles it lacks are added,
so a brief restyled in Word and saved as a template restyles every later
brief without touching the code.

Mark styles (the colour of an annotated span) depend on the label colours
in the database, so they are made per brief by :func:`mark_style_xml`, but
their look — how light a fill is, how nesting and overlapping claims show —
is decided here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from docx import Document as _new_document
from docx.document import Document
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Cm

from ..core.errors import InputError
from .ooxml import NS, attr, parse_children

# --- the palette and fonts --------------------------------------------------------------

FONT = "Calibri"
HEADING_FONT = "Calibri"
CS_FONT = "Arial"  # complex scripts (Arabic): present in Word on every platform
# Emoji runs name a monochrome outline font. LibreOffice's PDF export draws no
# colour-bitmap (CBDT) glyphs, so emoji falling back to Noto Color Emoji vanish
# from the PDF; Symbola (Debian fonts-symbola) draws them. Word falls back to
# its own emoji font (Segoe UI Emoji, Apple Color Emoji) where Symbola is missing.
EMOJI_FONT = "Symbola"
INK = "1F2933"
ACCENT = "1F3A5F"  # headings, table headers, rules
ACCENT_LIGHT = "E8EEF5"
MUTED = "5F6B7A"
RULE = "C9D1DB"
QUOTE_BAR = "9AB0CC"  # the bar beside a key claim's quote
BAND = "F3F5F8"

BODY_PT = 10.5
PAGE_MARGIN_CM = 2.0

# Fill strength (0 = white, 1 = the label colour) for actor/location spans:
# a span inside another is drawn stronger and boxed in the outer span's colour.
FILL_ALPHA = 0.32
NESTED_FILL_ALPHA = 0.55
# Claims are underlined in the claim colour; overlapping claims change the line.
CLAIM_UNDERLINES = {1: "thick", 2: "double", 3: "wavyDouble"}

# --- TLP 2.0 (FIRST): the label is coloured text on black -------------------------------------


@dataclass(frozen=True)
class Tlp:
    key: str
    label: str
    colour: str
    meaning: str


TLP = {
    t.key: t
    for t in (
        Tlp("clear", "TLP:CLEAR", "FFFFFF", "Recipients can spread this to the world; there is no limit on disclosure."),
        Tlp("green", "TLP:GREEN", "33FF00", "Limited disclosure: recipients can spread this within their community, but not publicly."),
        Tlp("amber", "TLP:AMBER", "FFC000", "Limited disclosure: recipients may share this on a need-to-know basis within their organisation and its clients."),
        Tlp("amber+strict", "TLP:AMBER+STRICT", "FFC000", "Limited disclosure: recipients may share this on a need-to-know basis within their organisation only."),
        Tlp("red", "TLP:RED", "FF2B2B", "For the eyes and ears of individual recipients only; no further disclosure."),
    )
}  # fmt: skip


def tlp(key: str) -> Tlp:
    found = TLP.get(key.strip().lower().removeprefix("tlp:"))
    if found is None:
        raise InputError(f"unknown TLP marking {key!r} (choose from: {', '.join(TLP)})")
    return found


# --- style ids the writer uses -------------------------------------------------------------

KICKER = "BriefKicker"
TITLE = "Title"
SUBTITLE = "Subtitle"
H1, H2, H3 = "Heading1", "Heading2", "Heading3"
META = "BriefMeta"
BODY = "BriefBody"
CLAIM_HEAD = "ClaimHeading"
CLAIM_QUOTE = "ClaimQuote"
CLAIM_QUOTE_RTL = "ClaimQuoteRTL"  # a right-to-left quote: set right to left, its bar on the right
CLAIM_NUMBER = "ClaimNumber"  # the superscript claim number after each claim in the annotated text
CLAIM_DETAIL = "ClaimDetail"
ARTICLE = "ArticleText"
TABLE_TEXT = "TableText"
TABLE_HEAD = "TableHeading"
TABLE_NOTE = "TableNote"  # an entity's note, on a row across the table under the entity
TABLE = "BriefTable"
PLAIN_TABLE = "BriefPlainTable"
TLP_PARA = "TLPMarking"
TLP_RUN = "TLPLabel"
HEADER = "Header"
FOOTER = "Footer"
COMMENT_TEXT = "CommentText"
COMMENT_REF = "CommentReference"
LINK = "BriefLink"
STRONG = "BriefStrong"
CODE = "GradingCode"
SWATCH_LABEL = "LegendLabel"


# --- building style XML -----------------------------------------------------------------------


def _pt(points: float) -> int:
    return round(points * 20)


def rpr(
    *,
    font: str | None = None,
    cs_font: str | None = None,
    bold: bool | None = None,
    italic: bool | None = None,
    caps: bool | None = None,
    color: str | None = None,
    spacing: float | None = None,
    size: float | None = None,
    u: str | None = None,
    u_color: str | None = None,
    bdr: str | None = None,
    shd: str | None = None,
    superscript: bool = False,
) -> str:
    """Run properties in schema order (sizes in points, colours ``RRGGBB``)."""
    out = []
    if font or cs_font:
        fonts = f' w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}"' if font else ""
        fonts += f' w:cs="{cs_font}"' if cs_font else ""
        out.append(f"<w:rFonts{fonts}/>")
    if bold is not None:
        v = "" if bold else ' w:val="0"'
        out.append(f"<w:b{v}/><w:bCs{v}/>")
    if italic is not None:
        v = "" if italic else ' w:val="0"'
        out.append(f"<w:i{v}/><w:iCs{v}/>")
    if caps:
        out.append("<w:caps/>")
    if color:
        out.append(f'<w:color w:val="{color}"/>')
    if spacing is not None:
        out.append(f'<w:spacing w:val="{_pt(spacing)}"/>')
    if size is not None:
        out.append(f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>')
    if u:
        out.append(f'<w:u w:val="{u}"' + (f' w:color="{u_color}"' if u_color else "") + "/>")
    if bdr:
        out.append(f'<w:bdr w:val="single" w:sz="6" w:space="0" w:color="{bdr}"/>')
    if shd:
        out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{shd}"/>')
    if superscript:
        out.append('<w:vertAlign w:val="superscript"/>')
    return "<w:rPr>" + "".join(out) + "</w:rPr>" if out else ""


def emoji_fonts() -> str:
    """``w:rFonts`` for a run of emoji (direct formatting: the run keeps its mark style)."""
    f = EMOJI_FONT
    return f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>'


def ppr(
    *,
    keep_next: bool = False,
    keep_lines: bool = False,
    page_break: bool = False,
    border_left: str | None = None,
    border_right: str | None = None,
    border_bottom: str | None = None,
    border_top: str | None = None,
    shd: str | None = None,
    tabs: list[tuple[str, float]] | None = None,
    bidi: bool = False,
    before: float | None = None,
    after: float | None = None,
    line: float | None = None,
    left: float | None = None,
    right: float | None = None,
    hanging: float | None = None,
    jc: str | None = None,
    outline: int | None = None,
) -> str:
    """Paragraph properties in schema order (spacing in points, indents in cm)."""
    out = []
    if keep_next:
        out.append("<w:keepNext/>")
    if keep_lines:
        out.append("<w:keepLines/>")
    if page_break:
        out.append("<w:pageBreakBefore/>")
    if border_left or border_right or border_bottom or border_top:
        b = ""
        if border_top:
            b += f'<w:top w:val="single" w:sz="6" w:space="4" w:color="{border_top}"/>'
        if border_left:
            b += f'<w:left w:val="single" w:sz="18" w:space="8" w:color="{border_left}"/>'
        if border_bottom:
            b += f'<w:bottom w:val="single" w:sz="6" w:space="4" w:color="{border_bottom}"/>'
        if border_right:
            b += f'<w:right w:val="single" w:sz="18" w:space="8" w:color="{border_right}"/>'
        out.append(f"<w:pBdr>{b}</w:pBdr>")
    if shd:
        out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{shd}"/>')
    if tabs:
        out.append("<w:tabs>" + "".join(f'<w:tab w:val="{k}" w:pos="{round(cm * 567)}"/>' for k, cm in tabs) + "</w:tabs>")
    if bidi:
        out.append("<w:bidi/>")
    if before is not None or after is not None or line is not None:
        s = ""
        if before is not None:
            s += f' w:before="{_pt(before)}"'
        if after is not None:
            s += f' w:after="{_pt(after)}"'
        if line is not None:
            s += f' w:line="{round(line * 240)}" w:lineRule="auto"'
        out.append(f"<w:spacing{s}/>")
    if left is not None or right is not None or hanging is not None:
        s = ""
        if left is not None:
            s += f' w:left="{round(left * 567)}"'
        if right is not None:
            s += f' w:right="{round(right * 567)}"'
        if hanging is not None:
            s += f' w:hanging="{round(hanging * 567)}"'
        out.append(f"<w:ind{s}/>")
    if jc:
        out.append(f'<w:jc w:val="{jc}"/>')
    if outline is not None:
        out.append(f'<w:outlineLvl w:val="{outline}"/>')
    return "<w:pPr>" + "".join(out) + "</w:pPr>" if out else ""


def _style(kind: str, sid: str, name: str, *, based: str | None = None, nxt: str | None = None,
           p: str = "", r: str = "", extra: str = "", custom: bool = True, priority: int = 10) -> str:  # fmt: skip
    head = f'<w:style w:type="{kind}"' + (' w:customStyle="1"' if custom else "") + f' w:styleId="{sid}">'
    head += f'<w:name w:val="{attr(name)}"/>'
    if based:
        head += f'<w:basedOn w:val="{based}"/>'
    if nxt:
        head += f'<w:next w:val="{nxt}"/>'
    head += f'<w:uiPriority w:val="{priority}"/><w:qFormat/>'
    return head + p + r + extra + "</w:style>"


def _para(sid: str, name: str, *, based: str = "Normal", nxt: str | None = None, custom: bool = True, p: str = "", r: str = "") -> str:  # fmt: skip
    return _style("paragraph", sid, name, based=based, nxt=nxt, p=p, r=r, custom=custom)


def _char(sid: str, name: str, r: str, custom: bool = True, based: str = "DefaultParagraphFont") -> str:
    return _style("character", sid, name, based=based, r=r, custom=custom)


def _table_style(sid: str, name: str, *, header: bool, bands: bool) -> str:
    cell_mar = (
        '<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>'
        '<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
    )
    borders = (
        f'<w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>'
        f'<w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>'
        f'<w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/></w:tblBorders>'
        if header
        else '<w:tblBorders><w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/>'
        '<w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
    )
    tblpr = f'<w:tblPr><w:tblStyleRowBandSize w:val="1"/>{borders}{cell_mar}</w:tblPr>'
    extra = tblpr
    if header:
        extra += (
            '<w:tblStylePr w:type="firstRow">'
            + rpr(bold=True, color="FFFFFF")
            + '<w:tblPr/><w:trPr><w:tblHeader/></w:trPr>'
            f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/></w:tcPr></w:tblStylePr>'
        )
    if bands:
        extra += f'<w:tblStylePr w:type="band2Horz"><w:tblPr/><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{BAND}"/></w:tcPr></w:tblStylePr>'
    return (
        f'<w:style w:type="table" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
        + ppr(before=0, after=0, line=1.0)
        + rpr(size=9)
        + extra
        + "</w:style>"
    )


def style_xml(marking: Tlp) -> list[str]:
    """Every fixed style of the brief (mark styles come from :func:`mark_style_xml`)."""
    body = rpr(font=FONT, cs_font=CS_FONT, size=BODY_PT, color=INK)
    heading = {"font": HEADING_FONT, "cs_font": CS_FONT, "bold": True, "color": ACCENT}
    return [
        _para("Normal", "Normal", based="", custom=False, p=ppr(after=4, line=1.12), r=body),
        _para(BODY, "Brief Body", p=ppr(after=6, line=1.15)),
        _para(KICKER, "Brief Kicker", p=ppr(before=0, after=2), r=rpr(bold=True, caps=True, color=MUTED, spacing=1.5, size=9)),
        _para(TITLE, "Title", custom=False, nxt=SUBTITLE,
              p=ppr(after=6, line=1.0, border_bottom=ACCENT), r=rpr(font=HEADING_FONT, cs_font=CS_FONT, bold=True, color=ACCENT, size=24)),
        _para(SUBTITLE, "Subtitle", custom=False, p=ppr(before=2, after=12), r=rpr(italic=False, color=MUTED, size=12)),
        _para(H1, "heading 1", custom=False, nxt=BODY,
              p=ppr(keep_next=True, keep_lines=True, before=18, after=6, border_bottom=RULE, outline=0), r=rpr(**heading, size=15)),
        _para(H2, "heading 2", custom=False, nxt=BODY,
              p=ppr(keep_next=True, keep_lines=True, before=12, after=4, outline=1), r=rpr(**heading, size=12.5)),
        _para(H3, "heading 3", custom=False, nxt=BODY,
              p=ppr(keep_next=True, keep_lines=True, before=8, after=2, outline=2), r=rpr(**heading, size=11)),
        _para(META, "Brief Meta", p=ppr(after=6), r=rpr(color=MUTED, size=9)),
        _para(CLAIM_HEAD, "Claim Heading", nxt=CLAIM_QUOTE, p=ppr(keep_next=True, keep_lines=True, before=10, after=2), r=rpr(bold=True, size=10)),
        _para(CLAIM_QUOTE, "Claim Quote", nxt=CLAIM_DETAIL,
              p=ppr(keep_next=True, before=0, after=3, left=0.35, border_left=QUOTE_BAR, line=1.1), r=rpr(italic=True, size=BODY_PT)),
        # Paragraph borders are physical (the left border is always on the left) while
        # indents follow the paragraph's direction, so the right-to-left quote names
        # its bar on the right and indents both sides alike (where the indent lands
        # then does not depend on how a word processor reads it).
        _para(CLAIM_QUOTE_RTL, "Claim Quote RTL", nxt=CLAIM_DETAIL,
              p=ppr(keep_next=True, border_right=QUOTE_BAR, bidi=True, before=0, after=3, left=0.35, right=0.35, line=1.1),
              r=rpr(italic=True, size=BODY_PT)),
        _para(CLAIM_DETAIL, "Claim Detail", p=ppr(keep_lines=True, before=0, after=1, left=0.6, line=1.05), r=rpr(color=MUTED, size=9)),
        _para(ARTICLE, "Article Text", p=ppr(after=7, line=1.3), r=rpr(size=11)),
        _para(TABLE_TEXT, "Table Text", p=ppr(before=0, after=0, line=1.0), r=rpr(size=9)),
        _para(TABLE_NOTE, "Table Note", based=TABLE_TEXT, p=ppr(left=0.3), r=rpr(color=MUTED, size=8.5)),
        _para(TABLE_HEAD, "Table Heading", based=TABLE_TEXT, p=ppr(keep_next=True), r=rpr(bold=True, color="FFFFFF", size=9)),
        _para(TLP_PARA, "TLP Marking", p=ppr(before=0, after=0, jc="right"), r=rpr(size=12)),
        _para(HEADER, "header", custom=False, p=ppr(before=0, after=0), r=rpr(color=MUTED, size=8.5)),
        _para(FOOTER, "footer", custom=False, p=ppr(before=0, after=0), r=rpr(color=MUTED, size=8.5)),
        _para(COMMENT_TEXT, "annotation text", custom=False, p=ppr(after=2), r=rpr(size=9)),
        _char(COMMENT_REF, "annotation reference", rpr(size=8), custom=False),
        _char(TLP_RUN, "TLP Label", rpr(font="Consolas", bold=True, color=marking.colour, shd="000000", size=12)),
        _char(LINK, "Brief Link", rpr(color="2F5F9E", u="single", u_color="9AB0CC")),
        _char(STRONG, "Brief Strong", rpr(bold=True, color=INK)),
        _char(CODE, "Grading Code", rpr(font="Consolas", bold=True, color="FFFFFF", shd=ACCENT)),
        _char(SWATCH_LABEL, "Legend Label", rpr(bold=True)),
        _char(CLAIM_NUMBER, "Claim Number", rpr(bold=True, color=ACCENT, size=10.5, superscript=True)),  # drawn about 7 pt
        _table_style(TABLE, "Brief Table", header=True, bands=True),
        _table_style(PLAIN_TABLE, "Brief Plain Table", header=False, bands=False),
    ]  # fmt: skip


# --- how wide a word is set ---------------------------------------------------------------------

# Advance widths (thousandths of an em) of a generous sans: Noto Sans, which
# LibreOffice draws when Calibri is missing. Calibri (Word) and Carlito are
# narrower, DejaVu Sans a little wider: WORD_SLACK covers it.
_ADVANCE = dict(zip(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    [561, 615, 480, 615, 564, 344, 615, 618, 258, 258, 533, 258, 937, 618, 605, 615, 615, 409, 477, 352, 618, 508, 784,
     526, 508, 470, 639, 650, 632, 730, 556, 519, 728, 741, 339, 258, 600, 524, 907, 765, 787, 604, 787, 618, 549, 553,
     729, 603, 941, 580, 559, 577],
    strict=True,
))  # fmt: skip
_ADVANCE.update({d: 572 for d in "0123456789"})
_ADVANCE.update({" ": 260, ".": 268, ",": 268, ":": 268, ";": 268, "-": 322, "–": 500, "—": 1000, "%": 820, "°": 428,
                 "(": 296, ")": 296, "/": 372, "’": 169, "'": 221, "“": 418, "”": 418, "¶": 655})  # fmt: skip
_OTHER = 600  # letters of other scripts, symbols
_EMOJI_EM = 1250
BOLD_WIDER = 1.07
WORD_SLACK = 1.12
CELL_PADDING_CM = 2 * 85 / 567  # the table style's left and right cell margins


def word_width_cm(word: str, size_pt: float, bold: bool = False) -> float:
    """About how wide ``word`` is set at ``size_pt`` (generously: see WORD_SLACK)."""
    units = sum(_ADVANCE.get(ch, _EMOJI_EM if ord(ch) >= 0x1F000 else _OTHER) for ch in word)
    return units / 1000 * size_pt * 2.54 / 72 * (BOLD_WIDER if bold else 1.0) * WORD_SLACK


# --- annotation marks ---------------------------------------------------------------------------


def blend(colour: str, alpha: float) -> str:
    """``colour`` (``#rrggbb``) laid over white at ``alpha``, as ``RRGGBB``."""
    c = colour.lstrip("#")
    try:
        rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        rgb = [128, 128, 128]
    return "".join(f"{round(255 + (v - 255) * alpha):02X}" for v in rgb)


def solid(colour: str) -> str:
    return blend(colour, 1.0)


def mark_rpr(fill: str | None, outer: str | None, claim: str | None, claims: int) -> str:
    """Run properties of a piece of text covered by annotations.

    ``fill``: colour of the innermost actor/location (or other) span;
    ``outer``: colour of the span around it when spans nest (boxed, stronger
    fill); ``claim``: colour of the innermost claim, ``claims`` how many
    claims cover the piece (line style).
    """
    return rpr(
        u=CLAIM_UNDERLINES[min(claims, 3)] if claim else None,
        u_color=solid(claim) if claim else None,
        bdr=solid(outer) if outer and fill else None,
        shd=blend(fill, NESTED_FILL_ALPHA if outer else FILL_ALPHA) if fill else None,
    )


def mark_style_xml(sid: str, name: str, fill: str | None, outer: str | None, claim: str | None, claims: int) -> str:
    return _char(sid, name, mark_rpr(fill, outer, claim, claims)).replace("<w:qFormat/>", "")


def claim_number_style_xml(sid: str, name: str, claim: str) -> str:
    """The claim number after a claim of one label: :data:`CLAIM_NUMBER` in the label's colour.
    Its id starts with ``ClaimNumber`` (readers of the brief skip these runs to get the text back)."""
    return _char(sid, name, rpr(color=solid(claim)), based=CLAIM_NUMBER).replace("<w:qFormat/>", "")


# --- the document -----------------------------------------------------------------------------


def _style_id(el) -> str:
    return el.get(qn("w:styleId"))


def apply_styles(doc: Document, styles_xml: list[str], *, replace: bool) -> None:
    """Put styles into ``doc``: replacing same-id styles when ``replace``, else only adding missing ones."""
    root = doc.styles.element
    existing = {_style_id(el): el for el in root.findall(qn("w:style"))}
    for el in parse_children(f"<w:styles {NS}>" + "".join(styles_xml) + "</w:styles>")[0]:
        old = existing.get(_style_id(el))
        if old is None:
            root.append(el)
        elif replace:
            old.addprevious(el)
            root.remove(old)


def _doc_defaults(doc: Document) -> None:
    root = doc.styles.element
    defaults = root.find(qn("w:docDefaults"))
    xml = (
        f"<w:docDefaults {NS}><w:rPrDefault>"
        + rpr(font=FONT, cs_font=CS_FONT, size=BODY_PT)
        + "</w:rPrDefault><w:pPrDefault>"
        + ppr(after=4, line=1.12)
        + "</w:pPrDefault></w:docDefaults>"
    )
    new = parse_xml(xml)
    if defaults is not None:
        defaults.addprevious(new)
        root.remove(defaults)
    else:
        root.insert(0, new)


def _page_setup(doc: Document) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(PAGE_MARGIN_CM))
        section.top_margin = Cm(2.2)
        section.bottom_margin = Cm(2.0)
        section.header_distance = Cm(0.9)
        section.footer_distance = Cm(0.9)


def build_template(marking: Tlp | None = None) -> Document:
    """python-docx's default document with the brief's styles and page (A4)."""
    doc = _new_document()
    _doc_defaults(doc)
    apply_styles(doc, style_xml(marking or TLP["clear"]), replace=True)
    _page_setup(doc)
    return doc


def open_template(path: Path | str | None, marking: Tlp) -> Document:
    """The document the brief is written into: our template, or a house
    template whose styles win (missing ones are added; the TLP label style
    always follows the chosen marking). The template's body is discarded."""
    if path is None:
        return build_template(marking)
    path = Path(path)
    try:
        doc = _new_document(str(path))
    except Exception as exc:  # python-docx raises several types for a bad package
        raise InputError(f"{path}: not a Word template ({exc})") from None
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    comments = doc.part._comments_part.element  # noqa: SLF001 - a brief saved as a template keeps its comments
    for child in list(comments):
        comments.remove(child)
    styles = style_xml(marking)
    apply_styles(doc, styles, replace=False)
    apply_styles(doc, [s for s in styles if f'w:styleId="{TLP_RUN}"' in s], replace=True)
    return doc


def text_width_cm(doc: Document) -> float:
    s = doc.sections[-1]
    try:
        return round((s.page_width - s.left_margin - s.right_margin) / 360000, 2)
    except TypeError:
        return 17.0
