"""Dialogs for sharing work: the merge preview, the conflicts review and the
agreement report between two analysts."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def counts_table(counts: dict) -> str:
    """HTML table of per-table merge counts (TableCounts)."""
    cols = ["added", "tombstones", "updated", "deleted", "conflicts", "unchanged"]
    head = "".join(f"<th>{c}</th>" for c in cols)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td>" + "".join(f"<td align='right'>{getattr(c, k)}</td>" for k in cols) + "</tr>"
        for name, c in counts.items()
    )
    return f"<table cellspacing='0' cellpadding='3' border='1'><tr><th>table</th>{head}</tr>{rows}</table>"


def _value(v) -> str:
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return html.escape(text if len(text) < 160 else text[:160] + "…")


class MergePreviewDialog(QDialog):
    """What merging a colleague's file would do; Merge applies it."""

    def __init__(self, plan, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Merge {plan.source.name}")
        total = plan.total
        if plan.is_noop:
            summary = "<p>Nothing to merge: every row in this file is already here.</p>"
        else:
            summary = (
                f"<p>Merging <b>{html.escape(plan.source.name)}</b> into this database adds {total.added} row(s) "
                f"(and {total.tombstones} deletion record(s)), updates {total.updated}, deletes {total.deleted}; "
                f"{total.conflicts} row(s) changed on both sides: the newer version is kept and the other is "
                "recorded for review (Edit ▸ Merge conflicts…).</p>"
            )
        view = QTextBrowser()
        conflicts = "".join(
            f"<li><b>{html.escape(c.table)}</b> {c.row_id}: keeps {c.kept_side}'s version; "
            + "; ".join(f"{html.escape(col)}: {_value(a)} ↔ {_value(b)}" for col, a, b in c.differences()[:4])
            + "</li>"
            for c in plan.conflicts[:200]
        )
        view.setHtml(summary + counts_table(plan.counts) + (f"<h4>Conflicts</h4><ul>{conflicts}</ul>" if conflicts else ""))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.merge_button = buttons.addButton("Merge", QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setEnabled(not plan.is_noop)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(view)
        lay.addWidget(buttons)
        self.resize(720, 480)


class ConflictsDialog(QDialog):
    """Review merge conflicts: see both versions, reverse the choice, mark reviewed."""

    reverseRequested = Signal(object)  # conflict id
    reviewedRequested = Signal(object, bool)

    def __init__(self, load, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Merge conflicts")
        self._load = load
        self.list = QListWidget()
        self.detail = QTextBrowser()
        self.reverse = QPushButton("Keep the other version")
        self.reviewed = QPushButton("Mark reviewed")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reverse)
        buttons.addWidget(self.reviewed)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Rows changed on both sides. The newer version was kept; you can keep the other instead (undoable)."))
        lay.addWidget(self.list, 1)
        lay.addWidget(self.detail, 1)
        lay.addLayout(buttons)
        lay.addWidget(close)
        self.list.currentItemChanged.connect(lambda _c, _p: self._show())
        self.reverse.clicked.connect(lambda: self._current() and self.reverseRequested.emit(self._current().id))
        self.reviewed.clicked.connect(lambda: self._current() and self.reviewedRequested.emit(self._current().id, not self._current().resolved))
        self.resize(760, 560)
        self.refresh()

    def _current(self):
        item = self.list.currentItem()
        return item.data(ID_ROLE) if item else None

    def refresh(self) -> None:
        keep = self._current().id if self._current() else None
        self.list.clear()
        for c in self._load():
            mark = "✓ " if c.resolved else ""
            item = QListWidgetItem(f"{mark}{c.table} {str(c.row_id)[:8]} — kept {c.kept_side}'s version; other by {c.other_creator} (from {c.source})")
            item.setData(ID_ROLE, c)
            self.list.addItem(item)
            if c.id == keep:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._show()

    def _show(self) -> None:
        c = self._current()
        self.reverse.setEnabled(c is not None)
        self.reviewed.setEnabled(c is not None)
        if c is None:
            self.detail.setHtml("<i>No conflicts.</i>")
            return
        self.reviewed.setText("Mark not reviewed" if c.resolved else "Mark reviewed")
        rows = "".join(
            f"<tr><td>{html.escape(col)}</td><td>{_value(a)}</td><td>{_value(b)}</td></tr>" for col, a, b in c.differences()
        )
        self.detail.setHtml(
            f"<p><b>{html.escape(c.table)}</b> {c.row_id}</p><table border='1' cellpadding='3' cellspacing='0'>"
            f"<tr><th>column</th><th>kept ({c.kept_side})</th><th>set aside ({c.other_side})</th></tr>{rows}</table>"
        )


class AgreementDialog(QDialog):
    """Span agreement (F1) and Cohen's kappa between two analysts, with the disagreements."""

    disagreementChosen = Signal(int, int)  # start, end

    def __init__(self, analysts: list[tuple[str, int]], compute, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Agreement between analysts")
        self._compute = compute
        self.a = QComboBox()
        self.b = QComboBox()
        for name, n in analysts:
            self.a.addItem(f"{name} ({n})", name)
            self.b.addItem(f"{name} ({n})", name)
        if self.b.count() > 1:
            self.b.setCurrentIndex(1)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Analyst A"))
        pick.addWidget(self.a)
        pick.addWidget(QLabel("Analyst B"))
        pick.addWidget(self.b)
        pick.addStretch(1)
        self.table = QTextBrowser()
        self.disagreements = QListWidget()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(pick)
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel("Disagreements (click to see the span)"))
        lay.addWidget(self.disagreements, 1)
        lay.addWidget(close)
        self.a.activated.connect(lambda _i: self.refresh())
        self.b.activated.connect(lambda _i: self.refresh())
        self.disagreements.itemClicked.connect(lambda it: self.disagreementChosen.emit(*it.data(ID_ROLE)))
        self.resize(720, 560)
        self.refresh()

    def refresh(self) -> None:
        a, b = self.a.currentData(), self.b.currentData()
        self.disagreements.clear()
        if not a or not b or a == b:
            self.table.setHtml("<i>Choose two different analysts who annotated this document.</i>")
            return
        report = self._compute(a, b)
        self.report = report

        def fmt(v) -> str:
            return "—" if v is None else f"{v:.2f}"

        rows = "".join(
            f"<tr><td>{html.escape(lb.label)}</td><td align='right'>{lb.a_spans}</td><td align='right'>{lb.b_spans}</td>"
            f"<td align='right'>{lb.matched}</td><td align='right'>{fmt(lb.f1)}</td><td align='right'>{fmt(lb.kappa)}</td></tr>"
            for lb in report.labels
        )
        self.table.setHtml(
            f"<p>{report.tokens} word tokens. Overall span F1 <b>{fmt(report.f1)}</b>, Cohen's kappa on tokens "
            f"<b>{fmt(report.kappa)}</b>; {len(report.agreeing)} annotation(s) agree exactly.</p>"
            "<table border='1' cellpadding='3' cellspacing='0'><tr><th>label</th><th>A spans</th><th>B spans</th>"
            f"<th>matched</th><th>F1</th><th>kappa</th></tr>{rows}</table>"
        )
        names = {"only_a": f"only {a}", "only_b": f"only {b}", "label": "different labels"}
        for d in report.disagreements:
            quote = " ".join(d.exact.split())
            labels = d.label_a if d.kind == "only_a" else d.label_b if d.kind == "only_b" else f"{d.label_a} / {d.label_b}"
            item = QListWidgetItem(f"{names.get(d.kind, d.kind)}: {labels} — «{quote[:80]}»")
            item.setData(ID_ROLE, (d.start, d.end))
            self.disagreements.addItem(item)
