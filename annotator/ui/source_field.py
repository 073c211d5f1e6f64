"""A claim's source, chosen among the actors: a field that completes over
their names and aliases, where Enter takes the highlighted completion (the
first, or the one spelt exactly as typed) and a new actor is made only by an
explicit choice, the *New actor “…”* button that appears when the name typed
is no actor's."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QHBoxLayout, QLineEdit, QToolButton, QWidget

from ..core.matching import match_key

BUTTON_CHARS = 14  # of the typed name shown on the New actor button


class SourceField(QWidget):
    """``chosen(name, new)``: an actor picked (``new`` False) or a new one asked for."""

    chosen = Signal(str, bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.edit = QLineEdit(placeholderText="Who made the claim (actor)")
        self.names = QStringListModel(self)
        self.completer = QCompleter(self.names, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(self.completer)
        self.new_button = QToolButton()
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_button.hide()
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.new_button)
        self._keys: dict[str, str] = {}
        self._current = ""
        self.edit.textEdited.connect(self._typed)
        self.edit.editingFinished.connect(self._finished)
        self.completer.activated.connect(self._pick)
        self.new_button.clicked.connect(self._new)

    def set_names(self, names: list[str], current: str) -> None:
        """The actors to choose from, and the source shown."""
        self.names.setStringList(names)
        self._keys = {match_key(n): n for n in reversed(names)}  # the first of a key wins, as in the list
        self._current = current
        self.edit.setText(current)
        self.new_button.hide()

    def known(self, name: str) -> str | None:
        """The actor's name as listed, when ``name`` is one (case, spacing, harakat aside)."""
        return self._keys.get(match_key(name)) if name.strip() else None

    def typed(self) -> str:
        return " ".join(self.edit.text().split())

    def _typed(self, _text: str) -> None:
        name = self.typed()
        unknown = bool(name) and self.known(name) is None
        if unknown:
            short = name if len(name) <= BUTTON_CHARS else name[: BUTTON_CHARS - 1] + "…"
            self.new_button.setText(f"New actor “{short}”")
            self.new_button.setToolTip(f"Make a new actor “{name}”, the claim's source")
        self.new_button.setVisible(unknown)
        QTimer.singleShot(0, self._highlight)  # once the completer has filtered its list

    def _highlight(self) -> None:
        """The completion Enter takes: the one spelt as typed, else the first."""
        popup = self.completer.popup()
        model = self.completer.completionModel()
        if not popup.isVisible() or model.rowCount() == 0:
            return
        first = model.index(0, 0)
        exact = model.match(first, Qt.ItemDataRole.DisplayRole, self.typed(), 1, Qt.MatchFlag.MatchFixedString)
        popup.setCurrentIndex(exact[0] if exact else first)

    def _pick(self, name: str) -> None:
        self.edit.setText(name)
        self._choose(name, False)

    def _finished(self) -> None:
        """Leaving the field (or Enter without a completion): an actor's name
        is chosen; any other name is not made into an actor silently."""
        name = self.typed()
        found = self.known(name)
        if found is not None:
            self._choose(found, False)
        elif not name:
            self.edit.setText(self._current)

    def _new(self) -> None:
        name = self.typed()
        if name:
            self._choose(name, True)

    def _choose(self, name: str, new: bool) -> None:
        self.new_button.hide()
        if name != self._current or new:
            self._current = name
            self.chosen.emit(name, new)
