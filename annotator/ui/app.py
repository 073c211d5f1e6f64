"""Starting the GUI."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..core.tagset import resource_path
from .main_window import MainWindow, app_settings

EXPOSE_WAIT_S = 0.5  # a window system slower than this gets the document when the store is loaded


def ensure_app(qt_args: list[str] | None = None) -> QApplication:
    """The application, made on first call with ``qt_args``: Qt's own
    options (``-style``, ``-platform``…) that the command line passed on
    (see :func:`annotator.cli.split_qt_args`), after the program's name."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "annotator", *(qt_args or [])])
    app.setApplicationName("Annotator")
    app.setOrganizationName("Annotator")
    app.setApplicationDisplayName("Annotator")
    icon = resource_path("icon.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _draw_now(window: MainWindow) -> None:
    """Put the window on screen now, in the middle of the start: wait (briefly)
    for the window system to expose it and paint it, taking no user input."""
    window.show()
    handle, deadline = window.windowHandle(), time.monotonic() + EXPOSE_WAIT_S
    while handle is not None and not handle.isExposed() and time.monotonic() < deadline:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents, 10)
    QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


def start_window(db_path: Path | None, files: list[Path] | None = None) -> MainWindow | None:
    """Open the main window on ``db_path`` (else the last database, else the
    default one). Returns None if no database could be opened."""
    settings: QSettings = app_settings()
    if db_path is None and not os.environ.get("ANNOTATOR_DB"):
        last = settings.value("last_db", "")
        db_path = Path(last) if last and Path(last).exists() else None
    window = MainWindow()
    # Loading the store takes longer than Qt takes to start: the document is
    # drawn first, then the database opened properly before any input is taken.
    if window.databases.show_first_look(db_path):
        _draw_now(window)
    if not window.databases.open_database(db_path):  # shows its last document (or its first)
        window.close()
        return None
    if files:
        window.files.import_files(list(files))
    window.show()
    # The gazetteer's index takes seconds to build: build it while the analyst reads.
    QTimer.singleShot(3000, window, window.ctl.preload_gazetteer)  # cancelled if the window goes
    return window


def run_gui(db_path: Path | None, files: list[Path], qt_args: list[str] | None = None) -> int:
    app = ensure_app(qt_args)
    window = start_window(db_path, files)
    if window is None:
        return 2  # the window has shown why
    return app.exec()
