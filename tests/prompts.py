"""A :class:`~annotator.ui.prompter.Prompter` for tests: it answers from a
script and records what the desk told the analyst, so a test asserts on
the message shown and no modal box waits for a click that never comes."""

from __future__ import annotations

from pathlib import Path

from annotator.ui.prompter import Prompter, Saving


class RecordingPrompter(Prompter):
    """``paths``: what the next file choosers return, in turn (None: the
    analyst cancelled; nothing scripted: cancelled too). ``answers``: by a
    question's title; any other question is answered yes (as an analyst
    who means what they asked for)."""

    def __init__(self) -> None:
        self.paths: list[Path | None] = []
        self.answers: dict[str, bool] = {"Merge conflicts": False}  # the tests open the review themselves
        self.asked: list[str] = []  # the title of every chooser and question, in turn
        self.errors: list[str] = []
        self.reports: list[tuple[str, str, list[str]]] = []
        self.written_files: list[Path] = []

    @property
    def last_error(self) -> str:
        return self.errors[-1] if self.errors else ""

    def _next_path(self, title: str) -> Path | None:
        self.asked.append(title)
        return self.paths.pop(0) if self.paths else None

    def open_path(self, parent, title, folder, filters):
        return self._next_path(title)

    def open_paths(self, parent, title, folder, filters):
        path = self._next_path(title)
        return [] if path is None else [path]

    def save_path(self, parent, title, suggested, filters):
        path = self._next_path(title)
        return None if path is None else Saving(Path(path))

    def confirm(self, parent, title, question):
        self.asked.append(title)
        return self.answers.get(title, True)

    def error(self, parent, message):
        self.errors.append(message)

    def report(self, parent, title, summary, lines):
        self.reports.append((title, summary, list(lines)))

    def written(self, parent, title, message, path, open_label):
        self.written_files.append(Path(path))

    def about(self, parent, title, rich_text):
        self.asked.append(title)
