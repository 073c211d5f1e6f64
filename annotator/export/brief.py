"""The Word brief: what leaves the analyst's laptop.

``write_brief(repo, BriefOptions(...), path, progress)`` writes a .docx with

* a cover block: title, date, analyst, the documents covered and the TLP
  marking (also in the header and footer of every page);
* key claims ("Claim 1", "Claim 2"…: numbered plainly, never "C1", which
  is an Admiralty code): quote, source, Admiralty code, stance, ICD 203
  likelihood and the claims that corroborate or contradict each one;
* tables of actors, locations and claims;
* the annotated text of each document: every span marked in its label's
  colour (fills for actors and locations, underlines for claims), a Word
  comment on each annotation with a note or claim details, each claim
  followed by its number in superscript (linked to its key-claims entry),
  right-to-left paragraphs set right-to-left;
* a key to the colours and to the grading scales.

Everything comes from the database; the look comes from
:mod:`annotator.export.template`. Text from the documents (quotes, names,
notes) set inside a left-to-right line goes in runs of its own, and when it
holds right-to-left letters between FIRST STRONG ISOLATE and POP DIRECTIONAL
ISOLATE (U+2068…U+2069), so "“الحشد الشعبي” — ¶2" keeps its "— ¶2" outside
the Arabic in Word and LibreOffice alike. No Qt here: the GUI calls this from a
worker thread and relays ``progress`` to its dialog.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import uuid
from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..core import grading
from ..core.errors import InputError
from ..core.model import LabelKind, SpanRow
from ..core.ports import Repository
from ..core.user import current_user
from ..io.atomic import atomic_write_bytes
from . import ooxml as X
from . import template as T
from .data import BriefData, ClaimInfo, DocInfo, EntityInfo, gather, one_line, sort_by_grading
from .runs import Mark, Span, has_rtl, is_rtl_paragraph, render_paragraph, segment

ORDERS = ("position", "grading")
TLP_CHOICES = tuple(T.TLP)

Progress = Callable[[int, int, str], object]
"""``progress(done, total, what)``: see :func:`write_brief`."""


@dataclass
class BriefOptions:
    """What goes into a brief. Only ``document_ids`` is required."""

    document_ids: Sequence[uuid.UUID]
    title: str = ""  # default: the document's title, or "Brief on N documents"
    tlp: str = "amber"  # clear | green | amber | amber+strict | red
    labels: Collection[str] | None = None  # label kinds, names or ids; None = every label
    include_text: bool = True  # the annotated text of each document
    include_comments: bool = True  # Word comments on annotations with a note or claim details
    include_tables: bool = True  # actors, locations and claims tables
    include_key_claims: bool = True
    include_legend: bool = True  # key to the colours and grading scales
    order: str = "position"  # key claims: "position" (document, then text) or "grading"
    analyst: str = ""  # default: the current user
    date: dt.date | None = None  # default: today
    template: Path | str | None = None  # a house .docx whose styles win
    author: str = ""  # comment author when an annotation has no creator

    def checked(self) -> BriefOptions:
        """These options, checked: raises InputError for a bad TLP, order or empty document list."""
        T.tlp(self.tlp)
        if self.order not in ORDERS:
            raise InputError(f"unknown order {self.order!r} (choose from: {', '.join(ORDERS)})")
        if not self.document_ids:
            raise InputError("no documents chosen for the brief")
        return self


def parse_date(text: str) -> dt.date:
    """A cover date given as YYYY-MM-DD; InputError (one line) otherwise."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) is None:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"bad date {text!r} (give it as YYYY-MM-DD, e.g. {dt.date.today().isoformat()})") from None


def default_title(data: BriefData) -> str:
    return data.docs[0].doc.title if len(data.docs) == 1 else f"Brief on {len(data.docs)} documents"


def suggested_title(repo: Repository, document_ids: Sequence[uuid.UUID]) -> str:
    """The cover title used when ``BriefOptions.title`` is empty (for a dialog to show)."""
    ids = list(dict.fromkeys(document_ids))
    if len(ids) == 1:
        return repo.get_document(ids[0]).title
    return f"Brief on {len(ids)} documents"


def write_brief(repo: Repository, options: BriefOptions, path: Path | str, progress: Progress | None = None) -> Path:
    """Write the brief to ``path`` (replaced atomically) and return its path.

    ``progress(done, total, what)`` is called from the calling thread as the
    work advances: ``total`` is fixed for the whole call, ``done`` grows
    from 0 to ``total`` (the last call has ``done == total``), ``what`` says
    in a few words what is being done. It is called at least every few
    hundred milliseconds of work. If it raises, writing stops, the
    exception propagates and no file is written (an existing file is left
    as it was).

    Raises :class:`~annotator.core.errors.InputError` for a bad option or
    output folder, :class:`~annotator.core.errors.NotFound` for a missing
    document, ``OSError`` when the file cannot be written.
    """
    options.checked()
    path = Path(path)
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    marking = T.tlp(options.tlp)
    # units: 1 per document read, text in 50k-character steps, 2 for claims and tables, saving
    summaries = {s.id: s.length for s in repo.document_summaries()}
    lengths = [summaries.get(d, 0) for d in dict.fromkeys(options.document_ids)]
    text_units = sum(max(1, math.ceil(n / 50_000)) for n in lengths) if options.include_text else 0
    save_units = max(1, math.ceil(sum(lengths) / 200_000))
    tick = _Ticker(progress, len(lengths) + 2 + text_units + save_units)
    tick("Reading the database", 0)
    data = gather(repo, list(options.document_ids), options.labels)
    tick("Reading the database", len(lengths))
    doc = T.open_template(options.template, marking)
    writer = _Writer(doc, data, options, marking, tick)
    writer.write()
    tick("Saving", 0)
    buffer = io.BytesIO()
    doc.save(buffer)  # in memory first: a full disk then fails in our write, not inside python-docx's zip writer
    with atomic_write_bytes(path) as fh:
        fh.write(buffer.getbuffer())
    tick.finish("Done")
    return path


class _Ticker:
    def __init__(self, progress: Progress | None, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def __call__(self, what: str, units: int = 1) -> None:
        self.done = min(self.total, self.done + units)
        if self.progress is not None:
            self.progress(self.done, self.total, what)

    def finish(self, what: str) -> None:
        self.done = self.total
        if self.progress is not None:
            self.progress(self.total, self.total, what)


# --- formatting values ------------------------------------------------------------------------


def _when(value: str) -> str:
    return value or "undated"


def _fmt_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _coords(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def _likelihood_ranges() -> dict[str, str]:
    return {term: rng for term, rng in grading.LIKELIHOOD}


def _type_names() -> dict[str, str]:
    return dict(list(grading.ACTOR_TYPES) + list(grading.LOCATION_TYPES))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p]
    return "".join(p[0].upper() for p in parts[:3]) or "A"


def _shorten(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE


def isolate(text: str) -> str:
    """``text`` between FSI and PDI when it holds right-to-left letters: set
    inside a left-to-right line it then takes its own direction and pulls no
    neighbouring punctuation or number into it."""
    return f"{FSI}{text}{PDI}" if has_rtl(text) else text


TABLE_PT = 9.0  # the size of table text (template: TableText, TableHeading)


def fit_widths(total: float, weights: Sequence[float], header: Sequence[str], cells: list[list[str]] | None) -> list[float]:
    """Column widths (cm) sharing ``total`` by ``weights``, each widened to hold
    the longest word of its header (bold) and of its plain ``cells`` (one list
    per column), so no word breaks inside: a narrow column ("Grading",
    "Speculated", "Likelihood") takes the room from columns with room to
    spare. A word longer than a third of the table (a URL) may still break.
    Text wraps at spaces as usual ("Roughly even chance")."""
    wsum = sum(weights)
    widths = [total * w / wsum for w in weights]
    need = []
    for i, head in enumerate(header):
        words = [(wd, True) for wd in head.split(" ")]
        for cell in cells[i] if cells is not None else ():
            words.extend((wd, False) for wd in re.split(r"[ \t\n]+", str(cell)))  # a no-break space holds words together
        longest = max((T.word_width_cm(wd, TABLE_PT, bold) for wd, bold in words), default=0.0)
        need.append(min(total / 3, longest + T.CELL_PADDING_CM))
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
    if short <= 0 or spare <= 0:
        return widths
    take = min(1.0, spare / short)  # when the room is not there, every short column gets its share of it
    give = short * take / spare
    return [w + (n - w) * take if n > w else w - (w - n) * give for n, w in zip(need, widths, strict=True)]



# --- the writer -------------------------------------------------------------------------------------


@dataclass
class _MarkStyles:
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


class _Writer:
    FLUSH_CHARS = 50_000  # text written between progress calls (and body appends)

    def __init__(self, doc, data: BriefData, options: BriefOptions, marking: T.Tlp, tick: _Ticker):
        self.doc = doc
        self.data = data
        self.opt = options
        self.marking = marking
        self.tick = tick
        self.body = doc.element.body
        self.blocks: list[str] = []
        self.marks = _MarkStyles(data)
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
        self.ranges = _likelihood_ranges()
        self.types = _type_names()
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

    # --- the document ------------------------------------------------------------------------

    def write(self) -> None:
        self.properties()
        self.header_footer()
        self.cover()
        if self.opt.include_key_claims and self.data.claims:
            self.key_claims()
        if self.opt.include_tables:
            self.tables()
        self.flush()
        self.tick("Key claims and tables", 2)
        if self.opt.include_text:
            for info in self.data.docs:
                self.article(info)
        if self.opt.include_legend:
            self.legend()
        self.flush()
        if self.marks.xml:
            T.apply_styles(self.doc, self.marks.xml, replace=True)
        if self.comments:
            comments = self.doc.part._comments_part.element  # created on first use
            for el in X.parse_children("".join(self.comments)):
                X.graft(el, comments.append)

    def properties(self) -> None:
        cp = self.doc.core_properties
        cp.title = self.title
        cp.author = self.analyst
        cp.last_modified_by = self.analyst
        cp.subject = "Analytic brief"
        cp.keywords = self.marking.label
        cp.category = self.marking.label
        cp.comments = "Written by Annotator from its database."
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        cp.created = now
        cp.modified = now
        cp.revision = 1

    def header_footer(self) -> None:
        """The TLP marking right-aligned in the header and footer of every section."""
        date = _fmt_date(self.date)
        w = round(self.width * X.TWIPS_PER_CM)
        right = f'<w:tabs><w:tab w:val="right" w:pos="{w}"/></w:tabs>'
        both = f'<w:tabs><w:tab w:val="center" w:pos="{w // 2}"/><w:tab w:val="right" w:pos="{w}"/></w:tabs>'
        tab = "<w:r><w:tab/></w:r>"
        header = X.para(self.u(_shorten(self.title, 80)) + tab + self.tlp_run(), T.HEADER, right)
        footer = X.para(
            self.u(self.analyst) + self.r(f" · {date}") + tab + self.r("Page ") + X.field("PAGE", "1") + self.r(" of ")
            + X.field("NUMPAGES", "1") + tab + self.tlp_run(),
            T.FOOTER,
            both,
        )  # fmt: skip
        for section in self.doc.sections:
            for part, xml in ((section.header, header), (section.footer, footer)):
                part.is_linked_to_previous = False
                el = part._element  # noqa: SLF001 - the header/footer story element
                for child in list(el):
                    el.remove(child)
                el.extend(X.parse_children(xml))

    # --- cover ---------------------------------------------------------------------------------

    def cover(self) -> None:
        d = self.data
        counts = []
        for kind, word in ((LabelKind.CLAIM, "claim"), (LabelKind.ACTOR, "actor"), (LabelKind.LOCATION, "location")):
            if kind in d.kinds():
                n = {LabelKind.CLAIM: len(d.claims), LabelKind.ACTOR: len(d.actors), LabelKind.LOCATION: len(d.locations)}[kind]
                counts.append(f"{n} {word}{'' if n == 1 else 's'}")
        ndocs = len(d.docs)
        self.add(X.para(self.r("Analytic brief") + self.r("   ") + self.tlp_run(), T.KICKER))
        self.add(self.p(self.title, T.TITLE))
        self.add(self.p(f"{ndocs} document{'' if ndocs == 1 else 's'} · " + " · ".join(counts + [f"{d.annotation_count} annotations"]), T.SUBTITLE))
        rows = [
            [self.r("Date", T.SWATCH_LABEL), self.r(_fmt_date(self.date))],
            [self.r("Analyst", T.SWATCH_LABEL), self.u(self.analyst)],
            [self.r("Handling", T.SWATCH_LABEL), self.tlp_run() + self.r("  " + self.marking.meaning)],
        ]
        total = self.width
        widths = [2.6, total - 2.6]
        grid = "".join(f'<w:gridCol w:w="{round(w * X.TWIPS_PER_CM)}"/>' for w in widths)
        trs = "".join(
            "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:tcW w:w="{round(w * X.TWIPS_PER_CM)}" w:type="dxa"/></w:tcPr>{X.para(c, T.TABLE_TEXT)}</w:tc>' for w, c in zip(widths, row, strict=True)) + "</w:tr>"
            for row in rows
        )  # fmt: skip
        self.add(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{T.PLAIN_TABLE}"/><w:tblW w:w="5000" w:type="pct"/>'
            f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
            f'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{trs}</w:tbl>'
        )
        self.add(self.p("Documents covered", T.H2))
        rows = []
        for info in d.docs:
            doc = info.doc
            title = isolate(doc.title) + (f"\x1e{doc.url}" if doc.url else "")
            rows.append([info.ref.replace(" ", "\u00a0"), title, isolate(doc.source) or "—", _when(doc.published), str(len(info.spans))])
        self.table(["#", "Title", "Source", "Published", "Annotations"], rows, [0.9, 8.0, 3.4, 2.2, 2.5])
        how = (
            "Claims are numbered claim 1, claim 2… in document and text order"
            + ("; each number links to its place in the annotated text, where the claim ends with its number in superscript" if self.linked else "")
            + ". Gradings use the Admiralty system (source reliability A–F, information credibility 1–6; a code such as B2 "
            "is a grading, never a claim) and likelihoods the ICD 203 terms; both scales are explained at the end."
        )
        self.add(self.p(how, T.META))

    # --- key claims ----------------------------------------------------------------------------

    def claim_line(self, c: ClaimInfo) -> list[str]:
        """Stance and likelihood in words (empty when not graded)."""
        if c.claim is None:
            return []
        bits = [_cap(c.claim.stance)] if c.claim.stance else []
        if c.claim.likelihood:
            rng = self.ranges.get(c.claim.likelihood)
            bits.append(_cap(c.claim.likelihood) + (f" ({rng})" if rng else ""))
        return bits

    def links_text(self, c: ClaimInfo, plain: bool = False) -> str:
        """Runs: 'Contradicts claim 1; corroborated by claims 10 and 21'.
        ``plain``: claim numbers are not links (in comments)."""
        groups: dict[str, tuple[list[ClaimInfo], list[str]]] = {}
        for link in c.links:
            verb = link.relation if link.outgoing else _passive(link.relation)
            inside, outside = groups.setdefault(verb, ([], []))
            if link.other is not None:
                if link.other not in inside:
                    inside.append(link.other)
            else:
                outside.append(self.quote(_shorten(link.other_exact, 50 if plain else 60)) + self.r(" (not in this brief)"))
        parts = []
        for verb, (inside, outside) in groups.items():
            targets = ([self.claim_refs(sorted(inside, key=lambda o: o.number), plain)] if inside else []) + outside
            parts.append(self.r(_cap(verb) + " ") + self.r(", ").join(targets))
        return self.r("; ").join(parts)

    def source_text(self, c: ClaimInfo) -> str:
        """'Source: two officials (¶1) — reported by The National, 2025-06'."""
        doc = c.doc.doc
        out = self.r("Source: ", T.STRONG) + (self.u(c.source) if c.source else self.r("not stated"))
        if c.source_where:
            out += self.r(f" ({c.source_where})")
        same = bool(c.source) and c.source.casefold() == doc.source.casefold()  # the publication is the source itself
        via = [self.u(doc.source)] if doc.source and not same else []
        via += [self.r(doc.published)] if doc.published else []
        if via:
            out += self.r(" — reported by " if c.source and not same and doc.source else " — ") + self.r(", ").join(via)
        return out

    def key_claims(self) -> None:
        claims = self.data.claims
        ordered = sort_by_grading(claims) if self.opt.order == "grading" else claims
        self.add(self.p("Key claims", T.H1))
        if self.opt.order == "grading":
            how = "Ordered by grading: most reliable source and most credible information first; ungraded claims last."
        else:
            how = "In document and text order."
        self.add(self.p(how, T.META))
        right = self.width
        for c in ordered:
            bid = self.next_bookmark()
            head = X.bookmark_start(bid, c.entry_bookmark) + self.claim_ref(c, c.name) + X.bookmark_end(bid) + self.r("  ")
            if c.claim is not None:
                head += self.r(f" {c.code} ", T.CODE) + self.r("  " + " · ".join(self.claim_line(c)))
            else:
                head += self.r("not graded", T.META)
            head += "<w:r><w:tab/></w:r>" + self.r(c.where)
            tabs = f'<w:tabs><w:tab w:val="right" w:pos="{round(right * X.TWIPS_PER_CM)}"/></w:tabs>'
            self.add(X.para(head, T.CLAIM_HEAD, tabs))
            quote = one_line(c.span.exact)
            self.add(self.p(quote, T.CLAIM_QUOTE_RTL if is_rtl_paragraph(quote) else T.CLAIM_QUOTE))
            self.add(X.para(self.source_text(c), T.CLAIM_DETAIL))
            if c.claim is not None:
                rel = grading.RELIABILITY.get(c.claim.reliability, "")
                cred = grading.CREDIBILITY.get(c.claim.credibility, "")
                text = self.r("Grading: ", T.STRONG) + self.r(f"{c.code} — {rel.lower()} source; {cred.lower()}.")
                self.add(X.para(text, T.CLAIM_DETAIL))
                if c.claim.likelihood_note:
                    self.add(X.para(self.r("Rationale: ", T.STRONG) + self.u(one_line(c.claim.likelihood_note)), T.CLAIM_DETAIL))
            if c.links:
                self.add(X.para(self.links_text(c), T.CLAIM_DETAIL))
            if c.subjects:
                self.add(X.para(self.r("About: ", T.STRONG) + self.names([e.name for e in c.subjects]), T.CLAIM_DETAIL))
            if c.span.note:
                self.add(X.para(self.r("Note: ", T.STRONG) + self.u(one_line(c.span.note)), T.CLAIM_DETAIL))

    # --- tables ------------------------------------------------------------------------------------

    def tables(self) -> None:
        d = self.data
        kinds = d.kinds()
        if LabelKind.ACTOR in kinds:
            self.add(self.p("Actors", T.H1))
            if d.actors:
                self.entity_table(["Name", "Type", "Aliases", "Mentions", "First mention"], d.actors, self.actor_row, [3.6, 2.4, 3.3, 2.0, 5.7])
            else:
                self.add(self.p("No actors are tagged in these documents.", T.META))
        if LabelKind.LOCATION in kinds:
            self.add(self.p("Locations", T.H1))
            if d.locations:
                self.entity_table(["Name", "Type", "Country", "Coordinates", "Mentions"], d.locations, self.location_row, [4.6, 3.0, 1.9, 5.0, 2.0])
            else:
                self.add(self.p("No locations are tagged in these documents.", T.META))
        if LabelKind.CLAIM in kinds and d.claims:
            self.add(self.p("Claims", T.H1))
            rows = []
            for c in d.claims:
                cl = c.claim
                quote = one_line(c.span.exact)
                rows.append([
                    str(c.number),
                    X.Cell(quote, "<w:bidi/>") if is_rtl_paragraph(quote) else isolate(quote),
                    isolate(c.source) or "—",
                    c.code or "—",
                    _cap(cl.stance) if cl is not None and cl.stance else "—",
                    _cap(cl.likelihood) if cl is not None and cl.likelihood else "—",
                ])  # fmt: skip
            self.table(["#", "Quote", "Source", "Grading", "Stance", "Likelihood"], rows, [0.8, 7.6, 3.0, 1.6, 1.8, 2.1])

    def entity_table(self, header: list[str], infos: list[EntityInfo], row, weights: list[float]) -> None:
        """Actors or locations, one row each; an entity's note, if any, on a row across the table under it."""
        rows: list = []
        for ei in infos:
            rows.append(row(ei))
            if ei.entity.note.strip():
                note = " ".join(ei.entity.note.split())
                rows.append(X.NoteRow(self.r("Note: ", T.STRONG) + self.u(note), T.TABLE_NOTE))
        self.table(header, rows, weights, notes=len(rows) > len(infos))

    def actor_row(self, ei: EntityInfo) -> list:
        e = ei.entity
        first = self.quote(ei.first_quote) + self.r(f" — {ei.first_place}") if ei.first is not None else self.r("—")
        aliases = ", ".join(isolate(a) for a in e.aliases)
        return [isolate(e.name), self.types.get(e.type, e.type) or "—", aliases or "—", str(ei.mentions), X.Raw(first)]

    def location_row(self, ei: EntityInfo) -> list[str]:
        e = ei.entity
        return [isolate(e.name), self.types.get(e.type, e.type) or "—", e.country_code or "—", _coords(e.latitude, e.longitude) or "—", str(ei.mentions)]

    # --- the annotated text -------------------------------------------------------------------------

    def comment_xml(self, cid: int, span: SpanRow) -> str:
        label = self.data.all_labels[span.label_id]
        c = self.data.claim_by_ann.get(span.id)
        paras: list[str] = []
        if c is not None:
            # "Claim 4 · C3 · Denied · …": the label is named too when it is not "Claim"
            head = c.name + (f" · {label.name}" if label.name.casefold() != "claim" else "")
            if c.claim is not None:
                head += " · " + " · ".join([c.code, *self.claim_line(c)])
            else:
                head += " · not graded"
            paras.append(self.u(head, T.STRONG))
            if c.claim is not None:
                source = self.r("Source: ") + (self.u(c.source) if c.source else self.r("not stated"))
                paras.append(source + (self.r(f" ({c.source_where})") if c.source_where else ""))
                rel = grading.RELIABILITY.get(c.claim.reliability, "")
                cred = grading.CREDIBILITY.get(c.claim.credibility, "")
                paras.append(self.r(f"Grading {c.code}: {rel.lower()} source; {cred.lower()}."))
                if c.claim.likelihood_note:
                    paras.append(self.r("Rationale: ") + self.u(c.claim.likelihood_note))
                if c.subjects:
                    paras.append(self.r("About: ") + self.names([e.name for e in c.subjects]))
                if c.links:
                    paras.append(self.links_text(c, plain=True))
        else:
            entity = self.data.entities.get(span.entity_id) if span.entity_id else None
            paras.append(self.r(f"{label.name}: ", T.STRONG) + self.u(entity.name, T.STRONG) if entity else self.r(label.name, T.STRONG))
        if span.note:
            paras.extend(self.u(line) for line in span.note.split("\n"))
        author = span.creator or self.opt.author or self.analyst
        ref = f'<w:r><w:rPr><w:rStyle w:val="{T.COMMENT_REF}"/></w:rPr><w:annotationRef/></w:r>'
        body = "".join(X.para((ref if i == 0 else "") + content, T.COMMENT_TEXT) for i, content in enumerate(paras))
        return f'<w:comment {X.NS} w:id="{cid}" w:author="{X.attr(author)}" w:initials="{X.attr(_initials(author))}">{body}</w:comment>'

    def article(self, info: DocInfo) -> None:
        d = self.data
        doc = info.doc
        first = info is d.docs[0]
        if first:
            heading = X.para(self.r("Annotated text"), T.H1, "<w:pageBreakBefore/>") + X.para(self.r(f"{info.ref} · ") + self.u(doc.title), T.H2)
        else:
            heading = X.para(self.r(f"{info.ref} · ") + self.u(doc.title), T.H2, "<w:pageBreakBefore/>")
        self.add(heading)
        meta = [x for x in (doc.source, doc.published, doc.url) if x]
        if meta:
            self.add(X.para(self.r(" · ").join(self.u(x) for x in meta), T.META))
        if doc.description:
            self.add(self.p(doc.description, T.META))
        self.add(X.para(self.legend_runs(), T.META))

        labels = d.all_labels
        spans = []
        for s in info.spans:
            claim = labels[s.label_id].kind is LabelKind.CLAIM
            parts = _fragments(info.fragments.get(s.id), s, len(doc.text))
            if len(parts) == 1:
                spans.append(Span(s.start, s.end, s, s.label_id, claim))
            else:  # a discontinuous annotation: each fragment marked, comment and bookmark over the extent
                for i, (a, b) in enumerate(parts):
                    spans.append(Span(a, b, _Fragment(s, i == 0, i == len(parts) - 1), s.label_id, claim))
        comments_on = self.opt.include_comments
        claim_of = d.claim_by_ann

        def wants_comment(s: SpanRow) -> bool:
            c = claim_of.get(s.id)
            return bool(s.note) or (c is not None and c.claim is not None)

        def on_start(s: Hashable) -> str:
            if isinstance(s, _Fragment):
                if not s.first:
                    return ""
                s = s.span
            out = ""
            c = claim_of.get(s.id)
            if c is not None and self.linked:
                bid = self.bookmark_ids[s.id] = self.next_bookmark()
                out += X.bookmark_start(bid, c.bookmark)
            if comments_on and wants_comment(s):
                cid = self.comment_ids[s.id] = len(self.comment_ids)
                self.comments.append(self.comment_xml(cid, s))
                out += f'<w:commentRangeStart w:id="{cid}"/>'
            return out

        def on_end(s: Hashable) -> str:
            if isinstance(s, _Fragment):
                if not s.last:
                    return ""
                s = s.span
            out = ""
            bid = self.bookmark_ids.get(s.id)
            if bid is not None:
                out += X.bookmark_end(bid)
            cid = self.comment_ids.get(s.id)
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
                if isinstance(s, _Fragment):
                    if not s.last:
                        continue
                    s = s.span
                c = claim_of.get(s.id)
                if c is not None:
                    ending.append(c)
            if not ending:
                return ""
            xml = self.claim_numbers(ending)
            if first:
                carried.append(xml)
                return ""
            return xml

        text = doc.text
        rtl_doc = doc.direction.value == "rtl"
        written = 0
        step = self.FLUSH_CHARS
        units = max(1, math.ceil(len(text) / step))
        reported = 0
        for para in segment(text, spans):
            line = text[para.start : para.end]
            rtl = is_rtl_paragraph(line, rtl_doc) if rtl_doc or has_rtl(line) else False
            xml = render_paragraph(
                text, para, style=T.ARTICLE, mark_style=self.marks, on_start=on_start, on_end=on_end, before_ends=before_ends,
                rtl=rtl, emoji_fonts=self.emoji,
            )  # fmt: skip
            if carried:
                numbers = "".join(carried)
                carried.clear()
                if self.blocks and self.blocks[-1].endswith("</w:p>") and para.start > 0:  # the line before, not yet flushed
                    self.blocks[-1] = self.blocks[-1][: -len("</w:p>")] + numbers + "</w:p>"
                else:
                    i = xml.index("</w:pPr>") + len("</w:pPr>")
                    xml = xml[:i] + numbers + xml[i:]
            self.blocks.append(xml)
            written += para.end - para.start + 1
            if written // step > reported and reported < units - 1:
                reported += 1
                self.flush()
                self.tick(f"Writing {info.ref}: {doc.title[:40]}", 1)
        self.flush()
        self.tick(f"Writing {info.ref}: {doc.title[:40]}", units - reported)

    def number_style(self, label_id: uuid.UUID) -> str:
        """The claim-number style of a claim label (its colour), made on first use."""
        sid = self.number_styles.get(label_id)
        if sid is None:
            label = self.data.all_labels[label_id]
            sid = self.number_styles[label_id] = f"{T.CLAIM_NUMBER}{len(self.number_styles) + 1}"
            self.marks.xml.append(T.claim_number_style_xml(sid, f"Claim Number · {label.name}", label.color))
        return sid

    def claim_numbers(self, claims: list[ClaimInfo]) -> str:
        """'4' or '4,5' in superscript after claims ending at one place, each
        number linked to its key-claims entry (when the brief has them)."""
        out = []
        for i, c in enumerate(sorted(claims, key=lambda c: c.number)):
            style = self.number_style(c.label.id)
            if i:
                out.append(X.run(",", style))
            run = X.run(str(c.number), style)
            out.append(X.internal_link(c.entry_bookmark, run) if self.entries else run)
        return "".join(out)

    # --- legend -------------------------------------------------------------------------------------

    def legend_runs(self) -> str:
        """'Actor  Location  Claim' as marked samples, for the top of each text."""
        out = [self.r("Key: ")]
        for lb in self.data.labels:
            mark = Mark(None, None, lb.id, 1) if lb.kind is LabelKind.CLAIM else Mark(lb.id, None, None, 0)
            out.append(self.r(f" {lb.name} ", self.marks(mark)))
            out.append(self.r("  "))
        if self.opt.include_comments:
            out.append(self.r("· comments carry notes and claim gradings"))
        return "".join(out)

    def legend(self) -> None:
        d = self.data
        self.add(self.p("Key to markings and gradings", T.H1))
        self.add(self.p("Colours", T.H2))
        fills = [lb for lb in d.labels if lb.kind is not LabelKind.CLAIM]
        claims = [lb for lb in d.labels if lb.kind is LabelKind.CLAIM]
        rows = []
        for lb in fills:
            rows.append([self.r(f" {lb.name} ", self.marks(Mark(lb.id, None, None, 0))), self.r(lb.description or lb.kind.value)])
        if len(fills) >= 1:
            inner = fills[0]
            outer = fills[1] if len(fills) > 1 else fills[0]
            rows.append([
                self.r(f" {inner.name} in {outer.name} ", self.marks(Mark(inner.id, outer.id, None, 0))),
                self.r(f"A span inside another: the inner colour, stronger, boxed in the colour of the span around it."),
            ])  # fmt: skip
        for lb in claims:
            rows.append([self.r(f" {lb.name} ", self.marks(Mark(None, None, lb.id, 1))), self.r(lb.description or "Claim")])
            if self.opt.include_text and self.data.claims:
                where = "; it links to the claim's entry under Key claims" if self.entries else ""
                rows.append([
                    self.r(f" {lb.name}", self.marks(Mark(None, None, lb.id, 1))) + X.run("4", self.number_style(lb.id)),
                    self.r(f"In the annotated text a claim's number follows its last word, in superscript{where}."),
                ])  # fmt: skip
            rows.append([
                self.r(" two claims ", self.marks(Mark(None, None, lb.id, 2))),
                self.r("Where claims overlap the underline doubles (two claims) or waves (three or more)."),
            ])  # fmt: skip
        if rows:
            self.table(["Mark", "Meaning"], rows, [4.0, 13.0], raw=True)
        self.add(self.p("Admiralty grading", T.H2))
        self.add(self.p("Each claim is graded for the reliability of its source (letter) and the credibility of the information (digit): B2 is a usually reliable source reporting information that is probably true.", T.META))
        rel = list(grading.RELIABILITY.items())
        cred = list(grading.CREDIBILITY.items())
        rows = []
        for i in range(max(len(rel), len(cred))):
            a = rel[i] if i < len(rel) else ("", "")
            b = cred[i] if i < len(cred) else ("", "")
            rows.append([a[0], a[1], b[0], b[1]])
        self.table(["", "Source reliability", "", "Information credibility"], rows, [0.9, 7.6, 0.9, 7.6])
        self.add(self.p("Likelihood (ICD 203)", T.H2))
        self.add(self.p("The analyst's judgement of how likely a claim is to be true, in the words of Intelligence Community Directive 203.", T.META))
        self.table(["Term", "Probability"], [[_cap(term), rng] for term, rng in grading.LIKELIHOOD], [8.0, 9.0])


class _Fragment(NamedTuple):
    """One piece of a discontinuous annotation (its START/END events)."""

    span: SpanRow
    first: bool
    last: bool


def _fragments(frags: list[tuple[int, int]] | None, span: SpanRow, n: int) -> list[tuple[int, int]]:
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


def _passive(relation: str) -> str:
    return {"corroborates": "corroborated by", "contradicts": "contradicted by"}.get(relation, f"{relation} (from)")
