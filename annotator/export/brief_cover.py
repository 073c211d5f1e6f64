"""The front of the brief: the file's properties, the TLP marking in the
header and footer of every page, and the cover block with the documents
covered."""

from __future__ import annotations

import datetime as dt

from ..core.model import LabelKind
from . import ooxml as X
from . import template as T
from .brief_wording import isolate, long_date, or_undated, shorten
from .brief_writer import BriefWriter


def properties(w: BriefWriter) -> None:
    cp = w.doc.core_properties
    cp.title = w.title
    cp.author = w.analyst
    cp.last_modified_by = w.analyst
    cp.subject = "Analytic brief"
    cp.keywords = w.marking.label
    cp.category = w.marking.label
    cp.comments = "Written by Annotator from its database."
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cp.created = now
    cp.modified = now
    cp.revision = 1


def header_footer(w: BriefWriter) -> None:
    """The TLP marking right-aligned in the header and footer of every section."""
    date = long_date(w.date)
    twips = round(w.width * X.TWIPS_PER_CM)
    right = f'<w:tabs><w:tab w:val="right" w:pos="{twips}"/></w:tabs>'
    both = f'<w:tabs><w:tab w:val="center" w:pos="{twips // 2}"/><w:tab w:val="right" w:pos="{twips}"/></w:tabs>'
    tab = "<w:r><w:tab/></w:r>"
    header = X.para(w.u(shorten(w.title, 80)) + tab + w.tlp_run(), T.HEADER, right)
    footer = X.para(
        w.u(w.analyst) + w.r(f" · {date}") + tab + w.r("Page ") + X.field("PAGE", "1") + w.r(" of ")
        + X.field("NUMPAGES", "1") + tab + w.tlp_run(),
        T.FOOTER,
        both,
    )  # fmt: skip
    for section in w.doc.sections:
        for part, xml in ((section.header, header), (section.footer, footer)):
            part.is_linked_to_previous = False
            el = part._element  # noqa: SLF001 - the header/footer story element
            for child in list(el):
                el.remove(child)
            el.extend(X.parse_children(xml))


def cover(w: BriefWriter) -> None:
    d = w.data
    counts = []
    for kind, word in ((LabelKind.CLAIM, "claim"), (LabelKind.ACTOR, "actor"), (LabelKind.LOCATION, "location")):
        if kind in d.kinds():
            n = {LabelKind.CLAIM: len(d.claims), LabelKind.ACTOR: len(d.actors), LabelKind.LOCATION: len(d.locations)}[kind]
            counts.append(f"{n} {word}{'' if n == 1 else 's'}")
    ndocs = len(d.docs)
    w.add(X.para(w.r("Analytic brief") + w.r("   ") + w.tlp_run(), T.KICKER))
    w.add(w.p(w.title, T.TITLE))
    w.add(w.p(f"{ndocs} document{'' if ndocs == 1 else 's'} · " + " · ".join(counts + [f"{d.annotation_count} annotations"]), T.SUBTITLE))
    rows = [
        [w.r("Date", T.SWATCH_LABEL), w.r(long_date(w.date))],
        [w.r("Analyst", T.SWATCH_LABEL), w.u(w.analyst)],
        [w.r("Handling", T.SWATCH_LABEL), w.tlp_run() + w.r("  " + w.marking.meaning)],
    ]
    total = w.width
    widths = [2.6, total - 2.6]
    grid = "".join(f'<w:gridCol w:w="{round(cm * X.TWIPS_PER_CM)}"/>' for cm in widths)
    trs = "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:tcW w:w="{round(cm * X.TWIPS_PER_CM)}" w:type="dxa"/></w:tcPr>{X.para(c, T.TABLE_TEXT)}</w:tc>' for cm, c in zip(widths, row, strict=True)) + "</w:tr>"
        for row in rows
    )  # fmt: skip
    w.add(
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{T.PLAIN_TABLE}"/><w:tblW w:w="5000" w:type="pct"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>'
    )
    w.add(w.p("Documents covered", T.H2))
    rows = []
    for info in d.docs:
        doc = info.doc
        title = isolate(doc.title) + (f"\x1e{doc.url}" if doc.url else "")
        rows.append([info.ref.replace(" ", "\u00a0"), title, isolate(doc.source) or "—", or_undated(doc.published), str(len(info.spans))])
    w.table(["#", "Title", "Source", "Published", "Annotations"], rows, [0.9, 8.0, 3.4, 2.2, 2.5])
    how = (
        "Claims are numbered claim 1, claim 2… in document and text order"
        + ("; each number links to its place in the annotated text, where the claim ends with its number in superscript" if w.linked else "")
        + ". Gradings use the Admiralty system (source reliability A–F, information credibility 1–6; a code such as B2 "
        "is a grading, never a claim) and likelihoods the ICD 203 terms; both scales are explained at the end."
    )
    w.add(w.p(how, T.META))
