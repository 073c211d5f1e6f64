"""The main window's databases: open, new, recent, reload, the changes
made elsewhere, the last document of each database, and the first look
drawn before the store is loaded: a part of the main window (see
:mod:`.window_context`)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMenu

from ..core.errors import AnnotatorError
from ..store.paths import default_db_path
from ..store.sqlite.early_check import start_quick_check
from ..store.sqlite.first_look import first_look
from .controller import ALL_TABLES, LABEL_TABLES, LIST_TABLES, ready_spans
from .reader import ReaderPane
from .window_context import WindowContext

if TYPE_CHECKING:
    from ..store.change_log import Changes

DB_FILTER = "Annotator databases (*.db *.sqlite);;All files (*)"
MAX_RECENT = 8
SHOWN_MS = 8000
SAMPLE_SHOWN_MS = 20000


class Databases:
    """The database the window shows. Documents are opened with
    ``open_document(doc_id)`` and read again, where the reader was, with
    ``reopen(doc_id)``; ``refresh_documents()`` re-reads the list."""

    def __init__(self, ctx: WindowContext, pane: ReaderPane, *, open_document: Callable[[uuid.UUID], None],
                 reopen: Callable[[uuid.UUID], None], refresh_documents: Callable[[], None]) -> None:  # fmt: skip
        self.ctx, self.ctl, self.settings = ctx, ctx.ctl, ctx.settings
        self._early: tuple[Path, Callable[[], list[str] | None]] | None = None  # a quick check started at the first look
        self.pane, self.reader = pane, pane.reader
        self.recent_menu = QMenu("Open &recent", ctx.window)
        self._open_document, self._reopen, self._refresh_documents = open_document, reopen, refresh_documents
        self.ctl.databaseOpened.connect(self._database_opened)

    def open_database(self, path: Path | None) -> bool:
        """Open (or create) a database and show its last document here, else
        its first (a new database shows the seed article)."""
        self.remember_document()  # of the database being left
        early, self._early = self._early, None
        checked = early[1] if early is not None and early[0] == (Path(path).expanduser() if path else default_db_path()) else None
        try:
            seeded = self.ctl.open_database(path, checked)
        except AnnotatorError as exc:
            self.ctx.error(str(exc))
            return False
        self.restore_document()
        if seeded:
            self.ctx.status(f"New database {self.ctl.db.path}, with a sample article and its demonstration annotations "
                            "(Edit ▸ Remove the sample annotations… takes them away)", SAMPLE_SHOWN_MS)  # fmt: skip
        return True

    def _database_opened(self, path: Path) -> None:
        recent = [p for p in self.settings.value("recent_dbs", [], type=list) if p != str(path)]
        self.settings.setValue("recent_dbs", [str(path), *recent][:MAX_RECENT])
        self.settings.setValue("last_db", str(path))
        self.rebuild_recent()
        self.ctx.status(f"Database {path}", 5000)

    def rebuild_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.value("recent_dbs", [], type=list)
        for p in paths:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_database(Path(p)))
        self.recent_menu.setEnabled(bool(paths))

    def new_database(self, path: Path | None = None) -> bool:
        """Create a database (asking where, without ``path``) and open it.
        An existing file is never replaced."""
        if path is None:
            saving = self.ctx.prompter.save_path(self.ctx.window, "New database", Path.home() / "annotations.db", DB_FILTER)
            if saving is None:
                return False
            path = saving.path
        path = Path(path)
        if path.exists():
            self.ctx.error(f"{path} already exists: File ▸ Open database… opens it (a new database is never written over a file)")
            return False
        return self.open_database(path)

    def choose_database(self, path: Path | None = None) -> bool:
        """Open a database (asking which, without ``path``)."""
        if path is None:
            path = self.ctx.prompter.open_path(self.ctx.window, "Open database", Path.home(), DB_FILTER)
            if path is None:
                return False
        return self.open_database(Path(path))

    def reload(self, changes: Changes | None = None) -> None:
        """Re-read what another window, the CLI or a merge changed: only what
        ``changes`` names (the document list, labels, entities; the open
        document if its rows changed), or everything when it is None."""
        if self.ctl.db is None:
            return
        doc = self.ctl.document
        self.ctl.refresh(changes)
        tables = changes.tables if changes is not None else ALL_TABLES
        if tables & LIST_TABLES:
            self._refresh_documents()
        if doc is not None and (changes is None or changes.touches(doc.id) or tables & LABEL_TABLES):
            self._reopen(doc.id)

    def check_external_changes(self) -> bool:
        """Refresh what other writers committed since the last look (the
        change log says exactly: see :mod:`annotator.store.change_log`)."""
        changes = self.ctl.external_changes()
        if changes:
            self.reload(changes)
            self.ctx.status("Updated with changes made elsewhere (another window, the command line or a merge)", 6000)
        return bool(changes)


    def _db_key(self, path: Path | None = None) -> str | None:
        """The settings group of a database: its resolved path, hashed (a path is no key)."""
        path = path if path is not None else (self.ctl.db.path if self.ctl.db is not None else None)
        if path is None:
            return None
        return "databases/" + hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:20]

    def remember_document(self, *, scroll: bool = True) -> None:
        """Note the open document (and where the reader is) for this database."""
        key = self._db_key()
        if key is None or self.ctl.document is None:
            return
        s = self.settings
        s.setValue(f"{key}/path", str(self.ctl.db.path))
        s.setValue(f"{key}/last_doc", str(self.ctl.document.id))
        s.setValue("last_doc", str(self.ctl.document.id))
        if scroll:
            cp = self.reader.first_visible_cp()
            s.setValue(f"{key}/last_scroll_cp", cp)
            s.setValue("last_scroll_cp", cp)

    def _remembered(self, key: str | None) -> tuple[str, str]:
        """The last document of the database ``key`` (its id as text, or ""),
        and the setting holding where the reader was in it."""
        s = self.settings
        last = s.value(f"{key}/last_doc", "") if key else ""
        if not last:  # remembered before documents were remembered per database
            return s.value("last_doc", ""), "last_scroll_cp"
        return last, f"{key}/last_scroll_cp"

    def restore_document(self) -> None:
        """Open this database's last document at its scroll position, else its first one."""
        last, scroll_key = self._remembered(self._db_key())
        ids = {str(d.id): d.id for d in self.ctl.document_summaries()}
        doc_id = ids.get(last) or next(iter(ids.values()), None)
        if doc_id is None:
            return
        self._open_document(doc_id)
        if str(doc_id) == last:
            cp = self.settings.value(scroll_key, 0, type=int)
            QTimer.singleShot(0, self.reader, lambda: self.reader.scroll_to_cp(cp, top=True))

    def show_first_look(self, path: Path | None) -> bool:
        """Draw the document the database at ``path`` (None: the default one)
        showed last, else its first, before the store is loaded (see
        :mod:`annotator.store.sqlite.first_look`); the window takes no edit
        until :meth:`open_database` has opened it properly. Whether one was drawn."""
        path = Path(path).expanduser() if path else default_db_path()
        last, scroll_key = self._remembered(self._db_key(path))
        look = first_look(path, last or None)
        if look is None:
            return False
        self._early = (path, start_quick_check(path))  # run while the store loads (see .early_check)
        doc = look.document
        self.pane.show_header(doc)
        self.reader.show_document(doc, ready_spans(look.spans, look.fragments), look.labels)
        if str(doc.id) == last:
            self.reader.scroll_to_cp(self.settings.value(scroll_key, 0, type=int), top=True)
        self.ctx.window.setWindowTitle(f"{doc.title} — {path.name} — Annotator")
        self.ctx.status(f"Opening {path}…")
        return True
