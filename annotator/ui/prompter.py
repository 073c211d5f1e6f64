"""Everything the desk asks the analyst or tells them in a window of its own:
file choosers, questions, errors, reports and "written" notices.

The main window holds one :class:`Prompter` and goes through it for each of
these, so that the windows never decide for themselves whether a dialog may
be shown: tests give the window a prompter that answers from a script and
records what it was told (``tests/prompts.py``), and drive every other
dialog of the desk as a user would.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


@dataclass(frozen=True)
class Saving:
    """Where to save, and the file type chosen in the dialog (its filter's text)."""

    path: Path
    chosen_filter: str = ""


class Prompter:
    """The desk's own dialogs, as Qt shows them."""

    def open_path(self, parent: QWidget, title: str, folder: Path, filters: str) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(parent, title, str(folder), filters)
        return Path(chosen) if chosen else None

    def open_paths(self, parent: QWidget, title: str, folder: Path, filters: str) -> list[Path]:
        chosen, _ = QFileDialog.getOpenFileNames(parent, title, str(folder), filters)
        return [Path(p) for p in chosen]

    def save_path(self, parent: QWidget, title: str, suggested: Path, filters: str) -> Saving | None:
        chosen, chosen_filter = QFileDialog.getSaveFileName(parent, title, str(suggested), filters)
        return Saving(Path(chosen), chosen_filter) if chosen else None

    def confirm(self, parent: QWidget, title: str, question: str) -> bool:
        return QMessageBox.question(parent, title, question) == QMessageBox.StandardButton.Yes

    def error(self, parent: QWidget, message: str) -> None:
        QMessageBox.warning(parent, "Annotator", message)

    def report(self, parent: QWidget, title: str, summary: str, lines: list[str]) -> None:
        """A warning whose full list is behind "Show Details…"."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, summary, parent=parent)
        box.setDetailedText("\n".join(lines))
        box.exec()

    def written(self, parent: QWidget, title: str, message: str, path: Path, open_label: str) -> None:
        """Say a file was written, offering to open it in its application."""
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=parent)
        open_button = box.addButton(open_label, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.exec()
        if box.clickedButton() is open_button:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def about(self, parent: QWidget, title: str, rich_text: str) -> None:
        QMessageBox.about(parent, title, rich_text)
