"""Edit ▸ Undo and Redo: named after the step they take, enabled when there
is one, bound to every key the platform has for them, and Redo to Ctrl+Y too
(the KDE and GNOME key schemes bind only Ctrl+Shift+Z, the Windows one both).

Each first saves what is being typed (``before``), so that a half-typed note
is part of the step undone, not saved again over the undo a moment later.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoStack

SK = QKeySequence.StandardKey


def _bindings(key: SK, *extra: str) -> list[QKeySequence]:
    """The platform's bindings for ``key`` (the first is the one menus show), then ``extra`` ones it lacks."""
    keys = list(QKeySequence.keyBindings(key))
    return keys + [QKeySequence(k) for k in extra if QKeySequence(k) not in keys]


class HistoryAction(QAction):
    """Undo or Redo, its text naming the step ("Undo Tag Actor")."""

    def __init__(self, prefix: str, parent: QObject, step: Callable[[], None], keys: list[QKeySequence]):
        super().__init__(prefix, parent)
        self.prefix = prefix
        self.setShortcuts(keys)
        self.triggered.connect(step)

    def name_step(self, text: str) -> None:
        self.setText(f"{self.prefix} {text}" if text else self.prefix)


def history_actions(stack: QUndoStack, parent: QObject, before: Callable[[], None]) -> tuple[QAction, QAction]:
    """The undo and redo actions over ``stack``."""

    def undo() -> None:
        before()
        stack.undo()

    def redo() -> None:
        before()  # typing saved now is a new edit: there is nothing left to redo
        stack.redo()

    act_undo = HistoryAction("&Undo", parent, undo, _bindings(SK.Undo))
    act_redo = HistoryAction("&Redo", parent, redo, _bindings(SK.Redo, "Ctrl+Y"))
    for act, able, text, able_changed, text_changed in (
        (act_undo, stack.canUndo(), stack.undoText(), stack.canUndoChanged, stack.undoTextChanged),
        (act_redo, stack.canRedo(), stack.redoText(), stack.canRedoChanged, stack.redoTextChanged),
    ):
        act.name_step(text)
        act.setEnabled(able)
        able_changed.connect(act.setEnabled)
        text_changed.connect(act.name_step)
    return act_undo, act_redo
