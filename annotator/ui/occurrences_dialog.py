"""Tag all occurrences: the other mentions of an entity's name and aliases,
shown in context with the name or alias that matched; the analyst accepts
all or some. A proposal that overlaps an annotation of the same kind ("US"
inside the tagged "US troops") is flagged and left unticked."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

OCC_ROLE = Qt.ItemDataRole.UserRole + 1
FLAG_COLOUR = QColor(166, 77, 0)  # dark orange: readable on light and dark bases


def one_line(text: str) -> str:
    """Whitespace runs as one space, keeping a space at either end where there was one."""
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + inner + (" " if text[-1:].isspace() else "")


def matched_text(occ, entity_name: str) -> str:
    """Which of the entity's names found the occurrence."""
    return "matched the name" if occ.name == entity_name else f"matched the alias “{occ.name}”"


def overlap_text(occ) -> str:
    """"inside an existing Actor: ‘US troops’ (US forces)"; "" when it overlaps nothing."""
    parts = []
    for ov in occ.overlaps:
        quote = " ".join(ov.exact.split())
        quote = quote if len(quote) <= 60 else quote[:59] + "…"
        entity = f" ({ov.entity_name})" if ov.entity_name and ov.entity_name != quote else ""
        parts.append(f"{'inside' if ov.contains else 'overlaps'} an existing {ov.label}: ‘{quote}’{entity}")
    return "; ".join(parts)


class OccurrencesDialog(QDialog):
    """``find(all_documents: bool)`` returns occurrences (core.entities.Occurrence)."""

    def __init__(self, entity_name: str, find: Callable[[bool], list], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Tag all occurrences of {entity_name}")
        self._find = find
        self._entity_name = entity_name
        self.this_doc = QRadioButton("This document")
        self.all_docs = QRadioButton("All documents")
        self.this_doc.setChecked(True)
        scope = QHBoxLayout()
        scope.addWidget(QLabel("Look in:"))
        scope.addWidget(self.this_doc)
        scope.addWidget(self.all_docs)
        scope.addStretch(1)
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.setWordWrap(True)
        select_all = QPushButton("Select all")
        select_none = QPushButton("Select none")
        select_all.clicked.connect(lambda: self._check_all(True))
        select_none.clicked.connect(lambda: self._check_all(False))
        picks = QHBoxLayout()
        picks.addWidget(select_all)
        picks.addWidget(select_none)
        picks.addStretch(1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.tag_button = self.buttons.addButton("Tag selected", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(scope)
        lay.addWidget(self.summary)
        lay.addWidget(self.list, 1)
        lay.addLayout(picks)
        lay.addWidget(self.buttons)
        self.this_doc.toggled.connect(lambda _on: self.refresh())
        self.list.itemChanged.connect(lambda _i: self._update())
        self.resize(640, 460)
        self.refresh()

    def refresh(self) -> None:
        occurrences = self._find(self.all_docs.isChecked())
        self.list.blockSignals(True)
        self.list.clear()
        for occ in occurrences:
            where = f"{occ.document_title}: " if self.all_docs.isChecked() else ""
            why = matched_text(occ, self._entity_name)
            flag = overlap_text(occ)
            second = f"⚠ {flag} — left unticked · {why}" if flag else why
            line = f"{where}…{one_line(occ.before)}«{' '.join(occ.exact.split())}»{one_line(occ.after)}…"
            item = QListWidgetItem(f"{line}\n      {second}")
            item.setData(OCC_ROLE, occ)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if flag else Qt.CheckState.Checked)
            if flag:
                item.setForeground(QBrush(FLAG_COLOUR))
                item.setToolTip(f"Probably part of another mention: {flag}. Tick it to tag it anyway.")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._update()

    def _check_all(self, on: bool) -> None:
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(state)

    def chosen(self) -> list:
        return [
            self.list.item(i).data(OCC_ROLE)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update(self) -> None:
        n = self.list.count()
        k = len(self.chosen())
        flagged = sum(bool(self.list.item(i).data(OCC_ROLE).overlaps) for i in range(n))
        inside = f" {flagged} overlap an existing tag of the same kind and are left unticked." if flagged else ""
        self.summary.setText(
            f"{n} untagged mention(s) of the name or its aliases; {k} selected.{inside}" if n else "No untagged mentions found."
        )
        self.tag_button.setEnabled(k > 0)
