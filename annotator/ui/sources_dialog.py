"""The register of sources in the desk (View ▸ Sources, Ctrl+Shift+O): every
actor that is a claim's source, with its claims across the corpus, the
gradings each analyst gave, its stances, how many of its claims are
corroborated or contradicted, and what a careful analyst checks.

The register is the store's (:meth:`annotator.store.repository.SqlRepository.source_register`),
built by :func:`annotator.core.sources.build_register` and reached through an
injected function; this module only shows it, and reads it again after an
edit while it is open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..core.errors import AnnotatorError
from ..core.search import fold
from ..core.sources import SourceRecord
from .colours import muted_text, warning_text

REFRESH_AFTER_EDIT_MS = 400  # edits in a burst (typing a grading) read the register once
CLAIM_ROLE = Qt.ItemDataRole.UserRole + 1  # (document id, annotation id) of a claim's row
SOURCE_ROLE = Qt.ItemDataRole.UserRole + 2  # the source's entity id
QUOTE_SHOWN = 90
QUOTES_MIN = 300
QUOTE_MARKS = "“\"'‘«„"
FIT_CLAIMS, FIT_ROWS = 50, 2000  # rows measured to fit the columns
COLUMN_MAX = [0, 150, 240, 240, 110, 110]
COLUMNS = ["Source / claim", "Claims", "Gradings given", "Stances", "Corroborated", "Contradicted"]


def gradings_text(record: SourceRecord) -> str:
    """"ana: B2 ×2, E3; bo: A1"; one analyst: not named."""
    def codes(counter) -> str:
        return ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(counter.items()))

    if len(record.gradings) == 1:
        return codes(next(iter(record.gradings.values())))
    return "; ".join(f"{analyst}: {codes(c)}" for analyst, c in sorted(record.gradings.items()))


def stances_text(record: SourceRecord) -> str:
    return ", ".join(f"{stance or 'no stance'} {n}" for stance, n in record.stances.most_common())


class SourcesDialog(QDialog):
    """Non-modal: the analyst opens a claim in the desk and comes back to the register."""

    def __init__(self, parent, register: Callable[[], list[SourceRecord]], open_claim: Callable[[uuid.UUID, uuid.UUID], None],
                 show_source: Callable[[uuid.UUID], None]):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Sources")
        self._register, self._open_claim, self._show_source = register, open_claim, show_source
        self.records: list[SourceRecord] = []
        self.filter = QLineEdit(placeholderText="Filter sources by name")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._show)
        self.to_check = QCheckBox("Only sources to check")
        self.to_check.toggled.connect(self._show)
        refresh = QPushButton("Refresh")
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.setAutoDefault(False)  # Enter opens the current row, it does not refresh
        refresh.clicked.connect(self.refresh)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemActivated.connect(self._activated)
        self.status = QLabel(" ")
        self.status.setStyleSheet(f"color: {muted_text(self.palette()).name()}")
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.to_check)
        top.addWidget(refresh)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.status)
        self._later = QTimer(self, singleShot=True, interval=REFRESH_AFTER_EDIT_MS, timeout=self.refresh)
        self.resize(1100, 560)

    def open_register(self) -> None:
        self.refresh()
        self.show()
        self.raise_()
        self.activateWindow()
        self.tree.setFocus()

    def edited(self, *_args) -> None:
        """Something was written: read the register again soon, if it is shown."""
        if self.isVisible():
            self._later.start()

    def refresh(self) -> None:
        self._later.stop()
        try:
            self.records = self._register()
        except AnnotatorError as exc:
            self.status.setText(str(exc))
            return
        self._show()

    def _show(self, *_args) -> None:
        expanded = {self.tree.topLevelItem(i).data(0, SOURCE_ROLE) for i in range(self.tree.topLevelItemCount())
                    if self.tree.topLevelItem(i).isExpanded()}  # fmt: skip
        current = self.tree.currentItem()
        keep = (current.data(0, SOURCE_ROLE), current.data(0, CLAIM_ROLE)) if current is not None else None
        self.tree.clear()
        wanted = fold(self.filter.text().strip())
        shown = [r for r in self.records if (not self.to_check.isChecked() or r.checks) and wanted in fold(r.name)]
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        warning = QBrush(warning_text(self.palette()))
        for r in shown:
            n = len(r.claims)
            top = QTreeWidgetItem([r.name, f"{n} in {r.documents} doc{'s' * (r.documents != 1)}", gradings_text(r), stances_text(r),
                                   str(r.corroborated), str(r.contradicted)])  # fmt: skip
            top.setData(0, SOURCE_ROLE, r.source_id)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if r.checks:  # on the source's row (a sign and a tip), and each on a row of its own first under it
                top.setIcon(0, warn)
                top.setToolTip(0, "To check: " + "; ".join(r.checks))
                for check in r.checks:
                    line = QTreeWidgetItem([f"Check: {check}"])
                    line.setData(0, SOURCE_ROLE, r.source_id)
                    line.setForeground(0, warning)
                    top.addChild(line)
            for c in r.claims:
                quote = " ".join(c.quote.split())
                quote = quote if len(quote) <= QUOTE_SHOWN else quote[: QUOTE_SHOWN - 1] + "…"
                quoted = quote if quote[:1] in QUOTE_MARKS else f"“{quote}”"
                item = QTreeWidgetItem([quoted, c.document_title, f"{c.reliability}{c.credibility} ({c.analyst})", c.stance or "—"])
                item.setData(0, CLAIM_ROLE, (c.document_id, c.annotation_id))
                item.setData(0, SOURCE_ROLE, r.source_id)
                item.setToolTip(0, c.quote)
                top.addChild(item)
            self.tree.addTopLevelItem(top)
            for i in range(len(r.checks)):  # (spanned once in the view)
                top.child(i).setFirstColumnSpanned(True)
            top.setExpanded(r.source_id in expanded)
            if keep is not None and keep[0] == r.source_id:
                match = top if keep[1] is None else next((top.child(i) for i in range(top.childCount())
                                                          if top.child(i).data(0, CLAIM_ROLE) == keep[1]), top)  # fmt: skip
                self.tree.setCurrentItem(match)
        self._fit_columns()
        checks = sum(1 for r in self.records if r.checks)
        n = len(self.records)
        if not n:
            self.status.setText("No claim has a source yet: give a claim its source in the claim editor.")
            return
        claims = sum(len(r.claims) for r in self.records)
        self.status.setText(f"{n} source{'s' * (n != 1)} of {claims} claim{'s' * (claims != 1)}; {checks} to check. "
                            "Enter on a claim opens it in its document; on a source, shows its entity.")  # fmt: skip

    def _fit_columns(self) -> None:
        """Columns as wide as their texts, the claims' included (a collapsed
        source's claims count too), each within a limit; the quotes take the rest."""
        fm = self.tree.fontMetrics()
        header = self.tree.header()
        widths = [header.fontMetrics().horizontalAdvance(t) + 24 for t in COLUMNS]
        seen = 0
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for item in [top, *(top.child(j) for j in range(min(top.childCount(), FIT_CLAIMS)))]:
                for col in range(1, len(COLUMNS)):
                    widths[col] = max(widths[col], fm.horizontalAdvance(item.text(col)) + 16)
            seen += 1 + top.childCount()
            if seen > FIT_ROWS:
                break
        for col in range(1, len(COLUMNS)):
            self.tree.setColumnWidth(col, min(widths[col], COLUMN_MAX[col]))
        self._fit_quotes()

    def _fit_quotes(self) -> None:
        room = self.tree.viewport().width() - sum(self.tree.columnWidth(c) for c in range(1, len(COLUMNS) - 1))
        self.tree.setColumnWidth(0, max(QUOTES_MIN, room - self.tree.columnWidth(len(COLUMNS) - 1)))

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        self._fit_quotes()

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        claim = item.data(0, CLAIM_ROLE)
        if claim is not None:
            self._open_claim(*claim)
        elif item.data(0, SOURCE_ROLE) is not None:
            self._show_source(item.data(0, SOURCE_ROLE))


class SourceRegister:
    """The main window's part: the dialog, made on first use."""

    def __init__(self, ctx, tabs, entities, go_to_annotation: Callable[[uuid.UUID, uuid.UUID], None]):
        self.ctx, self.tabs, self.entities, self._go_to_annotation = ctx, tabs, entities, go_to_annotation
        self.dialog: SourcesDialog | None = None

    def open(self) -> None:
        if self.dialog is None:
            self.dialog = SourcesDialog(self.ctx.window, lambda: self.ctx.ctl.repo.source_register(), self._go_to_annotation, self._show_source)
            geometry = self.ctx.settings.value("sources_geometry")
            if geometry is not None:
                self.dialog.restoreGeometry(geometry)
            self.dialog.finished.connect(lambda _r: self.ctx.settings.setValue("sources_geometry", self.dialog.saveGeometry()))
            self.ctx.ctl.changed.connect(self.dialog.edited)
            self.ctx.ctl.databaseOpened.connect(self.dialog.edited)
        self.dialog.open_register()

    def _show_source(self, entity_id: uuid.UUID) -> None:
        self.tabs.setCurrentWidget(self.entities)
        self.entities.select(entity_id)
