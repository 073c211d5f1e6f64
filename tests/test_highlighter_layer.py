"""The reader's highlight layer against a character-by-character reference.

The layer computes format runs per paragraph several ways (one sweep over
the spans in text order when a document opens, the interval index for odd
paragraphs and after edits); every way must give each character the format
of the spans covering it: the fills blended outermost first, claims
underlined (a wave for two or more) in the innermost claim's colour."""

from __future__ import annotations

import random
import uuid

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit

from annotator.core.model import Label, LabelKind, SpanRow, SpanTable
from annotator.core.offsets import TextMap, utf16_units
from annotator.ui.highlighter import SpanHighlighter, SpanLayer

LABELS = [
    Label(name="Actor", kind=LabelKind.ACTOR, color="#e15759", shortcut="A"),
    Label(name="Location", kind=LabelKind.LOCATION, color="#59a14f", shortcut="L"),
    Label(name="Claim", kind=LabelKind.CLAIM, color="#4e79a7", shortcut="C"),
    Label(name="Org", kind=LabelKind.OTHER, color="#b07aa1"),
]
CLAIM = LABELS[2].id


def expected_key(spans: list[SpanRow], code: dict, claims: frozenset, cp: int, lo: int, hi: int):
    """Key of code point ``cp`` in the paragraph ``[lo, hi)``: spans are drawn per paragraph,
    so a span reaching in from another one counts by its part inside (outer = longer)."""
    covering = [(max(s.start, lo), min(s.end, hi), code[s.label_id]) for s in spans if s.start <= cp < s.end and s.label_id in code]
    covering.sort(key=lambda s: (s[0] - s[1], s[0], s[1], s[2]))
    fills = tuple(c for _a, _b, c in covering if c not in claims)
    inner = [c for _a, _b, c in covering if c in claims]
    if not fills and not inner:
        return None
    return fills, len(inner), inner[-1] if inner else -1


def drawn(hl: SpanHighlighter, doc: QTextDocument, text: str):
    """The format the highlighter gave each code point (None: plain), as comparable values."""
    tm = TextMap(text)
    out = []
    for cp in range(len(text)):
        u16 = tm.to_utf16(cp)
        block = doc.findBlock(u16)
        rel = u16 - block.position()
        ranges = block.layout().formats()
        fmt = next((QTextCharFormat(r.format) for r in ranges if r.start <= rel < r.start + r.length), None)
        out.append(None if fmt is None else look(fmt))
    return out


def look(fmt: QTextCharFormat):
    background = fmt.background().color().name() if fmt.background().style() != Qt.BrushStyle.NoBrush else None
    return background, fmt.fontUnderline(), fmt.underlineStyle().value, fmt.underlineColor().name()


def reference(hl: SpanHighlighter, spans: list[SpanRow], text: str, fragments: dict):
    code = hl._code
    pieces = []
    for s in spans:  # a discontinuous annotation draws each piece alone
        for a, b in fragments.get(s.id, [(s.start, s.end)]):
            pieces.append(s._replace(start=a, end=b))
    out = []
    lo = 0
    for cp in range(len(text)):
        if text[cp] in "\n\u2029":
            out.append(None)
            lo = cp + 1
            continue
        hi = min((i for i in (text.find("\n", cp), text.find("\u2029", cp)) if i >= 0), default=len(text))
        key = expected_key(pieces, code, hl._claim_codes, cp, lo, hi)
        if key is None:
            out.append(None)
            continue
        out.append(look(hl._format(key)))
    return out


def random_case(rnd: random.Random):
    letters = "abc def🇸🇾g👨\u200d👩\u200d👧hi e\u0301"
    paragraphs = ["".join(rnd.choice(letters) for _ in range(rnd.randint(0, 60))) for _ in range(rnd.randint(1, 8))]
    text = "".join(p + rnd.choice("\n\n\u2029") for p in paragraphs)
    labels = [lb.id for lb in LABELS] + [uuid.uuid4()]  # an unknown label is not drawn
    spans: list[SpanRow] = []
    for _ in range(rnd.randint(0, 40)):
        if spans and rnd.random() < 0.1:  # the same span with another label
            twin = rnd.choice(spans)
            start, end = twin.start, twin.end
        else:
            start = rnd.choice(spans).start if spans and rnd.random() < 0.25 else rnd.randint(0, len(text))
            end = min(len(text), start + (rnd.randint(30, 150) if rnd.random() < 0.1 else rnd.randint(0, 12)))
        spans.append(SpanRow(uuid.uuid4(), rnd.choice(labels), start, end, text[start:end], None, "t", ""))
    return text, spans


def store_table(spans: list[SpanRow]) -> SpanTable:
    """Rows as the store reads them: by start, spans sharing a start in any order."""
    rows = sorted(spans, key=lambda s: s.start)
    if not rows:
        return SpanTable()
    return SpanTable(*(tuple(col) for col in zip(*[(s.id.hex, *s[1:]) for s in rows])))


@pytest.mark.parametrize("seed", range(120))
def test_every_character_gets_the_format_of_the_spans_covering_it(qapp, seed):
    rnd = random.Random(seed)
    text, spans = random_case(rnd)
    fragments = {}
    for s in spans[:2]:
        if s.end - s.start > 4:
            mid = (s.start + s.end) // 2
            fragments[s.id] = [(s.start, mid - 1), (mid, s.end)]
    palette = QPlainTextEdit().palette()
    doc = QTextDocument()
    doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
    hl = SpanHighlighter(doc, palette)
    hl.set_labels(LABELS)
    hl.setDocument(None)
    doc.setPlainText(text)
    hl.install(SpanLayer(text, store_table(spans), fragments, hl._code, hl._claim_codes), doc.blockCount())
    hl.setDocument(doc)
    hl.rehighlight()
    assert drawn(hl, doc, text) == reference(hl, spans, text, fragments)

    # Edits redraw only their blocks, through the index.
    for _ in range(6):
        if spans and rnd.random() < 0.4:
            gone = spans.pop(rnd.randrange(len(spans)))
            fragments.pop(gone.id, None)
            hl.drop(gone.id)
        else:
            start = rnd.randint(0, len(text))
            end = min(len(text), start + rnd.choice([1, 3, 30]))
            span = SpanRow(uuid.uuid4(), rnd.choice([lb.id for lb in LABELS]), start, end, text[start:end], None, "t", "")
            spans.append(span)
            hl.put(span)
    assert drawn(hl, doc, text) == reference(hl, spans, text, fragments)


@pytest.mark.parametrize("seed", range(60))
def test_a_layer_prepared_off_the_window_draws_what_was_read(qapp, seed):
    rnd = random.Random(1000 + seed)
    text, spans = random_case(rnd)
    fragments = {}
    if spans and rnd.random() < 0.3:
        s = spans[0]
        if s.end - s.start > 4:
            fragments[s.id] = [(s.start, s.start + 1), (s.start + 3, s.end)]
    doc = QTextDocument()
    doc.setDocumentLayout(QPlainTextDocumentLayout(doc))
    hl = SpanHighlighter(doc, QPlainTextEdit().palette())
    hl.set_labels(LABELS)
    hl.setDocument(None)
    doc.setPlainText(text)
    layer = hl.preparer(text)(store_table(spans), fragments)
    hl.install(layer, doc.blockCount())
    hl.setDocument(doc)
    hl.rehighlight()
    assert drawn(hl, doc, text) == reference(hl, spans, text, fragments)
    assert sorted(hl.all_spans()) == sorted(spans)


def test_the_layer_finds_its_spans_by_id_and_position(qapp):
    text = "Syria said.\nIraq 🇮🇶 answered Syria.\n"
    rows = [
        SpanRow(uuid.uuid4(), LABELS[0].id, 0, 5, "Syria", None, "t", ""),
        SpanRow(uuid.uuid4(), CLAIM, 12, 35, text[12:35], None, "t", ""),
        SpanRow(uuid.uuid4(), LABELS[1].id, 12, 16, "Iraq", None, "t", ""),
    ]
    doc = QTextDocument()
    hl = SpanHighlighter(doc, QPlainTextEdit().palette())
    hl.set_labels(LABELS)
    hl.set_spans(text, rows, None)
    assert hl.span(rows[1].id) == rows[1]
    assert [s.id for s in hl.spans_at(13)] == [rows[2].id, rows[1].id]  # innermost first
    assert sorted(hl.all_spans()) == sorted(rows)
    hl.drop(rows[2].id)
    assert hl.span(rows[2].id) is None and [s.id for s in hl.spans_at(13)] == [rows[1].id]


@pytest.mark.parametrize("text", ["", "plain", "é and ا", "👨\u200d👩\u200d👧 a🇸🇾b\n\U00010000x\U0010ffff"])
def test_qt_gets_the_same_text_from_its_utf16_units(qapp, text):
    units = utf16_units(text)
    assert units.encode("utf-16-le", "surrogatepass") == text.encode("utf-16-le")
    doc = QTextDocument()
    doc.setPlainText(units)
    assert doc.toPlainText() == text
