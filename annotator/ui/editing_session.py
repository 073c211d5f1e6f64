"""Text saved as the analyst types it: the editing session of one field.

A session runs from the first key typed into a field until the focus leaves
it, Ctrl+Enter, or another annotation is shown. While it runs, the text is
saved :data:`SAVE_AFTER_MS` after the last key, so a crash or ``kill -9``
loses at most that moment of typing; every save of one session carries the
same session number, which the controller puts in the undo command's merge
key: one session is one undo step, a later session another.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

SAVE_AFTER_MS = 700
"""The pause after the last key before the text is saved (the issue asks for
at most about a second; shorter would commit in the middle of words)."""


class EditingSession(QObject):
    """Calls ``save(session)`` a pause after :meth:`typed`, and at once on
    :meth:`save_now` and :meth:`end`; ``save`` itself checks whether the text
    differs from what is stored."""

    def __init__(self, save: Callable[[int], None], parent: QObject):
        super().__init__(parent)
        self._save = save
        self.number = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save_now)

    @property
    def pending(self) -> bool:
        """Typed and not saved yet."""
        return self._timer.isActive()

    def typed(self) -> None:
        """The text changed: save it once the typing pauses."""
        self._timer.start()

    def save_now(self) -> None:
        """Save what is pending; the session goes on."""
        self._timer.stop()
        self._save(self.number)

    def end(self) -> None:
        """Save what is pending and close the session: later typing is a new undo step."""
        self.save_now()
        self.number += 1

    def drop(self) -> None:
        """Forget what is pending (its annotation is gone) and close the session."""
        self._timer.stop()
        self.number += 1
