"""The legend: each label's colour, how it is drawn, and its key."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from ..core.model import Label, LabelKind


def legend_html(labels: list[Label]) -> str:
    rows = []
    for lb in labels:
        if lb.kind is LabelKind.CLAIM:
            swatch = f"<span style='text-decoration: underline; text-decoration-color:{lb.color}; color:{lb.color}'>&nbsp;underlined&nbsp;</span>"
        else:
            swatch = f"<span style='background:{lb.color}'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;</span>"
        key = f"<b>{html.escape(lb.shortcut)}</b>" if lb.shortcut else ""
        rows.append(
            f"<tr><td>{swatch}</td><td><b>{html.escape(lb.name)}</b></td><td align='center'>{key}</td>"
            f"<td>{html.escape(lb.description)}</td></tr>"
        )
    return (
        "<table cellspacing='6'>"
        "<tr><th></th><th align='left'>Label</th><th>Key</th><th align='left'>Meaning</th></tr>"
        + "".join(rows)
        + "</table><p>Overlapping fills blend, so a span inside another shows darker. "
        "Two overlapping claims are drawn with a wavy underline. "
        "Select text and press the key (hold Alt to tag the exact selection without snapping to words).</p>"
    )


class LegendDialog(QDialog):
    def __init__(self, labels: list[Label], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Legend")
        text = QLabel(legend_html(labels))
        text.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addWidget(buttons)
