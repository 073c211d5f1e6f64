"""The legend: each label's colour, how it is drawn, and its key; how
overlapping spans look, shown on a sample drawn by the reader itself."""

from __future__ import annotations

import html
import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout

from ..core.model import Label, LabelKind, SpanRow

SAMPLE = "Officials in Damascus said the army reached Abu Kamal on Saturday."
# (kind, the text it covers, which occurrence): an actor holding a location (a
# darker fill), two claims overlapping (a wave) and a location inside a claim.
SAMPLE_SPANS = [
    (LabelKind.ACTOR, "Officials in Damascus"),
    (LabelKind.LOCATION, "Damascus"),
    (LabelKind.CLAIM, "Officials in Damascus said the army reached Abu Kamal"),
    (LabelKind.CLAIM, "the army reached Abu Kamal on Saturday"),
    (LabelKind.LOCATION, "Abu Kamal"),
]

OVERLAPS = (
    "<p><b>Overlaps.</b> Fills are translucent and blend where spans overlap, so a <b>darker fill</b> "
    "(a stronger one on a dark background) is a span nested in another or overlapping it: above, "
    "<i>Damascus</i> (a location) inside <i>Officials in Damascus</i> (an actor). Hover over a span to "
    "see all of its labels; click it to choose one where several overlap.</p>"
    "<p><b>Claims</b> are <u>underlined</u> in the claim colour, with a <b>wavy underline</b> where two claims "
    "overlap, and marked by a <b>bar in the margin</b> beside every line that holds a claim (on the right in a "
    "right-to-left document), so a claim that contains an actor and a location shows all three.</p>"
)


def legend_html(labels: list[Label], keys: dict[uuid.UUID, str] | None = None) -> str:
    """The labels as a table; ``keys``: the key that tags with each (else its shortcut)."""
    rows = []
    for lb in labels:
        if lb.kind is LabelKind.CLAIM:
            swatch = f"<span style='text-decoration: underline; text-decoration-color:{lb.color}; color:{lb.color}'>&nbsp;underlined&nbsp;</span>"
        else:
            swatch = f"<span style='background:{lb.color}'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        key = keys.get(lb.id, "") if keys is not None else lb.shortcut
        key = f"<b>{html.escape(key)}</b>" if key else ""
        rows.append(
            f"<tr><td>{swatch}</td><td><b>{html.escape(lb.name)}</b></td><td align='center'>{key}</td>"
            f"<td>{html.escape(lb.description)}</td></tr>"
        )
    return (
        "<table cellspacing='6'>"
        "<tr><th></th><th align='left'>Label</th><th>Key</th><th align='left'>Meaning</th></tr>"
        + "".join(rows)
        + "</table><p>Select text and press the key (hold Alt to tag the exact selection without snapping "
        "to words); labels without a letter take 1–9 in the Tag menu's order.</p>"
    )


def sample_spans(labels: list[Label]) -> list[SpanRow]:
    """The sample's spans, each with the first label of its kind (none where the tagset lacks the kind)."""
    by_kind: dict[LabelKind, Label] = {}
    for lb in labels:
        by_kind.setdefault(lb.kind, lb)
    spans = []
    for kind, phrase in SAMPLE_SPANS:
        label = by_kind.get(kind)
        if label is None:
            continue
        start = SAMPLE.index(phrase)
        spans.append(SpanRow(uuid.uuid4(), label.id, start, start + len(phrase), phrase, None, "", ""))
    return sorted(spans, key=lambda s: (s.start, -s.end))


class LegendDialog(QDialog):
    def __init__(self, labels: list[Label], parent=None, keys: dict[uuid.UUID, str] | None = None):
        super().__init__(parent)
        from .reader import ReaderView  # the sample is drawn by the reader's own highlighter

        self.setWindowTitle("Legend")
        text = QLabel(legend_html(labels, keys))
        text.setWordWrap(True)
        self.sample = ReaderView()
        self.sample.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.sample.show_sample(SAMPLE, sample_spans(labels), labels)
        self.sample.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.sample.setFixedHeight(self.sample.fontMetrics().lineSpacing() * 2 + 2 * round(self.sample.document().documentMargin()) + 8)
        self.overlaps = QLabel(OVERLAPS)
        self.overlaps.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(self.sample)
        lay.addWidget(self.overlaps)
        lay.addStretch(1)
        lay.addWidget(buttons)
        self.resize(640, self.sizeHint().height())
