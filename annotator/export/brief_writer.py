"""The brief's writer: what every part of the brief shares.

:class:`BriefWriter` holds the document being written and the state its
parts share (the blocks not yet appended, the character styles made so far,
the comments, bookmarks and claim-number styles), and writes runs,
paragraphs and tables the way the whole brief does: right-to-left text set
right-to-left, the documents' own words in isolated runs of their own. The
parts (``brief_cover``, ``brief_claims``, ``brief_tables``,
``brief_annotated_text``, ``brief_legend``) are functions over it;
:func:`annotator.export.brief.write_brief` calls them in order.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.user import current_user
from . import ooxml as X
from . import template as T
from .brief_columns import fit_widths
from .brief_wording import isolate, likelihood_ranges, type_names
from .data import BriefData, ClaimInfo
from .runs import Mark, has_rtl, is_rtl_paragraph

if TYPE_CHECKING:
    from .brief import BriefOptions, Ticker


def default_title(data: BriefData) -> str:
    return data.docs[0].doc.title if len(data.docs) == 1 else f"Brief on {len(data.docs)} documents"


@dataclass
class MarkStyles:
    """Character styles for the mark combinations met, made on first use."""

    data: BriefData
    ids: dict[Mark, str] = field(default_factory=dict)
    xml: list[str] = field(default_factory=list)

    def __call__(self, mark: Mark) -> str:
        sid = self.ids.get(mark)
        if sid is None:
            sid = self.ids[mark] = f"BriefMark{len(self.ids) + 1}"
            labels = self.data.all_labels
            parts = []
            if mark.fill is not None:
                parts.append(labels[mark.fill].name + (f" in {labels[mark.outer].name}" if mark.outer is not None else ""))
            if mark.claim is not None:
                parts.append(labels[mark.claim].name + (f" ×{mark.claims}" if mark.claims > 1 else ""))
            colour = lambda lid: labels[lid].color if lid is not None else None  # noqa: E731
            self.xml.append(
                T.mark_style_xml(sid, "Mark · " + " · ".join(parts), colour(mark.fill), colour(mark.outer), colour(mark.claim), mark.claims)
            )
        return sid


class BriefWriter:
    """The document being written and the state shared by the brief's parts."""

    def __init__(self, doc, data: BriefData, options: BriefOptions, marking: T.Tlp, tick: Ticker):
        self.doc = doc
        self.data = data
        self.opt = options
        self.marking = marking
        self.tick = tick
        self.body = doc.element.body
        self.blocks: list[str] = []
        self.marks = MarkStyles(data)
        self.comments: list[str] = []
        self.comment_ids: dict[uuid.UUID, int] = {}
        self.bookmark_ids: dict[uuid.UUID, int] = {}
        self.bookmarks = 0  # bookmark ids given so far (ids are unique in the document)
        self.number_styles: dict[uuid.UUID, str] = {}  # claim label -> its claim-number style
        self.emoji = T.emoji_fonts()
        self.width = T.text_width_cm(doc)
        self.date = options.date or dt.date.today()
        self.analyst = options.analyst or current_user()
        self.title = " ".join(options.title.split()) or default_title(data)
        self.ranges = likelihood_ranges()
        self.types = type_names()
        self.linked = options.include_text  # claim numbers link to the text when it is there
        self.entries = options.include_key_claims and bool(data.claims)  # numbers in the text link to the entries

    # --- plumbing -------------------------------------------------------------------------

    def add(self, xml: str) -> None:
        self.blocks.append(xml)

    def flush(self) -> None:
        if self.blocks:
            X.append_blocks(self.body, "".join(self.blocks))
            self.blocks = []

    def p(self, text: str, style: str = "", run_style: str = "") -> str:
        """A paragraph of plain text, set right-to-left when it reads so."""
        if not text:
            return X.para("", style)
        rtl = has_rtl(text)
        return X.para(self.r(text, run_style), style, "<w:bidi/>" if rtl and is_rtl_paragraph(text) else "")

    def r(self, text: str, style: str = "") -> str:
        """A run (``w:rtl`` when it holds right-to-left letters; emoji in runs of their own)."""
        return X.run(text, style, "<w:rtl/>" if has_rtl(text) else "", self.emoji)

    def u(self, text: str, style: str = "") -> str:
        """A run of the documents' text (a quote, a name, a note) set among the
        brief's own words: a run of its own, isolated when right-to-left."""
        return self.r(isolate(text), style) if text else ""

    def quote(self, text: str, style: str = "") -> str:
        """“text”: the marks in the line's direction, the text in its own."""
        return self.r("“", style) + self.u(text, style) + self.r("”", style)

    def names(self, names: Sequence[str]) -> str:
        """'a, b, c' as runs, each name isolated."""
        return self.r(", ").join(self.u(n) for n in names)

    def next_bookmark(self) -> int:
        self.bookmarks += 1
        return self.bookmarks

    def claim_ref(self, c: ClaimInfo, text: str = "") -> str:
        """A claim's number ("claim 4", or ``text``), linked to the claim in the annotated text."""
        run = self.r(text or c.ref, T.LINK if self.linked else T.STRONG)
        return X.internal_link(c.bookmark, run) if self.linked else run

    def claim_refs(self, claims: list[ClaimInfo], plain: bool = False) -> str:
        """'claim 4', 'claims 4 and 9', 'claims 4, 9 and 12' (each number linked unless ``plain``)."""
        if len(claims) == 1:
            return self.r(claims[0].ref) if plain else self.claim_ref(claims[0])
        nums = [self.r(str(c.number)) if plain else self.claim_ref(c, str(c.number)) for c in claims]
        return self.r("claims ") + self.r(", ").join(nums[:-1]) + self.r(" and ") + nums[-1]

    def tlp_run(self) -> str:
        return self.r(f" {self.marking.label} ", T.TLP_RUN)

    def table(self, header: list[str], rows: list, weights: list[float], raw: bool = False, notes: bool = False) -> None:
        """A table across the text width; columns share it by ``weights``, widened
        where a word of the header or of a plain cell would not fit (see
        :func:`fit_widths`). ``notes``: rows may be followed by NoteRows."""
        plain = [[] for _ in header] if not raw else None
        if plain is not None:
            for row in rows:
                if isinstance(row, X.NoteRow):
                    continue
                for i, cell in enumerate(row):
                    if isinstance(cell, X.Cell):
                        cell = cell.content
                    if not isinstance(cell, X.Raw):
                        plain[i].append(cell)
        widths = fit_widths(self.width, weights, header, plain)
        self.add(X.table(header, rows, widths, style=T.TABLE, cell_style=T.TABLE_TEXT, head_style=T.TABLE_HEAD,
                         raw_cells=raw, emoji_fonts=self.emoji, band_fill=T.BAND if notes else ""))  # fmt: skip
        self.add(X.para("", T.META))

    def number_style(self, label_id: uuid.UUID) -> str:
        """The claim-number style of a claim label (its colour), made on first use."""
        sid = self.number_styles.get(label_id)
        if sid is None:
            label = self.data.all_labels[label_id]
            sid = self.number_styles[label_id] = f"{T.CLAIM_NUMBER}{len(self.number_styles) + 1}"
            self.marks.xml.append(T.claim_number_style_xml(sid, f"Claim Number · {label.name}", label.color))
        return sid

    def finish(self) -> None:
        """Append what is left, then the styles and the comments made on the way."""
        self.flush()
        if self.marks.xml:
            T.apply_styles(self.doc, self.marks.xml, replace=True)
        if self.comments:
            comments = self.doc.part._comments_part.element  # created on first use
            for el in X.parse_children("".join(self.comments)):
                X.graft(el, comments.append)
