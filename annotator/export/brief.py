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
:mod:`annotator.export.template`. This module holds the options and the
order of the parts; :mod:`.brief_writer` what the parts share, and each part
a module of its own (``brief_cover``, ``brief_claims``, ``brief_tables``,
``brief_annotated_text``, ``brief_legend``). Text from the documents (quotes, names,
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
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from ..core.ports import Repository
from ..io.atomic import atomic_write_bytes
from . import template as T
from .brief_annotated_text import article
from .brief_claims import key_claims
from .brief_columns import fit_widths
from .brief_cover import cover, header_footer, properties
from .brief_legend import legend
from .brief_tables import tables
from .brief_wording import isolate
from .brief_writer import BriefWriter
from .data import gather

__all__ = ["BriefOptions", "Progress", "fit_widths", "isolate", "parse_date", "suggested_title", "write_brief"]

ORDERS = ("position", "grading")

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
    include_sample: bool = False  # the sample's demonstration annotations (core.sample), left out unless asked

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
    tick = Ticker(progress, len(lengths) + 2 + text_units + save_units)
    tick("Reading the database", 0)
    data = gather(repo, list(options.document_ids), options.labels, include_sample=options.include_sample)
    tick("Reading the database", len(lengths))
    doc = T.open_template(options.template, marking)
    _write_parts(BriefWriter(doc, data, options, marking, tick))
    tick("Saving", 0)
    buffer = io.BytesIO()
    doc.save(buffer)  # in memory first: a full disk then fails in our write, not inside python-docx's zip writer
    with atomic_write_bytes(path) as fh:
        fh.write(buffer.getbuffer())
    tick.finish("Done")
    return path


class Ticker:
    """Counts units of work done and tells ``progress`` (see :func:`write_brief`)."""

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


def _write_parts(w: BriefWriter) -> None:
    """The parts of the brief, in their order."""
    properties(w)
    header_footer(w)
    cover(w)
    if w.opt.include_key_claims and w.data.claims:
        key_claims(w)
    if w.opt.include_tables:
        tables(w)
    w.flush()
    w.tick("Key claims and tables", 2)
    if w.opt.include_text:
        for info in w.data.docs:
            article(w, info)
    if w.opt.include_legend:
        legend(w)
    w.finish()
