"""What every part of the main window works with, declared in one place.

The window is made of parts (:mod:`.window_databases`, :mod:`.window_files`,
:mod:`.window_sharing`, :mod:`.window_entities`, :mod:`.window_selection`),
each a plain object given this context and, by name in its constructor, the
widgets and window actions it uses; no part reaches into the window for
anything else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

if TYPE_CHECKING:
    from .controller import DeskController
    from .prompter import Prompter

ERROR_SHOWN_MS = 10000


@dataclass(frozen=True)
class WindowContext:
    """The window (the parent of every dialog and background task), its
    controller, prompter and settings, and how the analyst is told things."""

    window: QMainWindow
    ctl: DeskController
    prompter: Prompter
    settings: QSettings

    def status(self, message: str, ms: int = 0) -> None:
        """A line in the status bar (for ``ms`` milliseconds; 0: until the next)."""
        self.window.statusBar().showMessage(message, ms)

    def error(self, message: str) -> None:
        """An error, in the status bar and through the prompter."""
        self.status(message, ERROR_SHOWN_MS)
        self.prompter.error(self.window, message)

    def report(self, title: str, summary: str, lines: list[str]) -> None:
        """A message with the full list behind "Show Details…"."""
        self.prompter.report(self.window, title, summary, lines)
