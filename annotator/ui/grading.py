"""Admiralty grading input: one key each for reliability (A–F) and
credibility (1–6), or a click on the buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QToolButton, QWidget

from ..core.grading import CREDIBILITY, RELIABILITY
from .colours import MutedLabel


class GradingWidget(QWidget):
    """Two rows of toggle buttons; with focus, a letter sets reliability and a
    digit sets credibility. Emits ``graded(reliability, credibility)``."""

    graded = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("Admiralty grading: press A–F for source reliability, 1–6 for information credibility")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(2)
        self.reliability = QButtonGroup(self)
        self.credibility = QButtonGroup(self)
        grid.addWidget(QLabel("Source"), 0, 0)
        grid.addWidget(QLabel("Information"), 1, 0)
        for col, (code, meaning) in enumerate(RELIABILITY.items(), 1):
            grid.addWidget(self._button(code, meaning, self.reliability), 0, col)
        for col, (code, meaning) in enumerate(CREDIBILITY.items(), 1):
            grid.addWidget(self._button(code, meaning, self.credibility), 1, col)
        self.meaning = MutedLabel(wordWrap=True)  # readable in light and dark palettes
        self.meaning.setMinimumWidth(90)
        grid.addWidget(self.meaning, 0, 7, 2, 1)  # beside the buttons: one line less in the claim editor
        grid.setColumnStretch(7, 1)
        grid.setColumnMinimumWidth(0, 0)
        self.reliability.buttonClicked.connect(lambda _b: self._emit())
        self.credibility.buttonClicked.connect(lambda _b: self._emit())

    def _button(self, code: str, meaning: str, group: QButtonGroup) -> QToolButton:
        button = QToolButton(text=code, toolTip=f"{code}: {meaning}", checkable=True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setFixedWidth(28)
        group.addButton(button)
        return button

    def _checked(self, group: QButtonGroup) -> str:
        button = group.checkedButton()
        return button.text() if button else ""

    def value(self) -> tuple[str, str]:
        return self._checked(self.reliability), self._checked(self.credibility)

    def set_value(self, reliability: str, credibility: str) -> None:
        for group, code in ((self.reliability, reliability), (self.credibility, credibility)):
            for button in group.buttons():
                button.setChecked(button.text() == code)
        self._describe()

    def _describe(self) -> None:
        rel, cred = self.value()
        if rel and cred:
            self.meaning.setText(f"<b>{rel}{cred}</b> — {RELIABILITY[rel].lower()} source; {CREDIBILITY[cred].lower()}")
        else:
            self.meaning.setText("")

    def _emit(self) -> None:
        self._describe()
        rel, cred = self.value()
        if rel and cred:
            self.graded.emit(rel, cred)

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        key = ev.text().upper()
        for group in (self.reliability, self.credibility):
            for button in group.buttons():
                if button.text() == key:
                    button.setChecked(True)
                    self._emit()
                    return
        super().keyPressEvent(ev)
