"""Long work off the GUI thread, with a progress dialog and clear errors."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class Cancelled(Exception):
    """Raised from ``progress`` in the worker thread once the user pressed Cancel."""


class _Worker(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn
        self.cancel_requested = False  # set from the GUI thread, read here

    def _progress(self, done: int, total: int, what: str = "") -> None:
        if self.cancel_requested and done < total:  # the last call (done == total) means the work is done
            raise Cancelled
        self.progress.emit(done, total, what)

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except Cancelled:
            self.cancelled.emit()
        except Exception as exc:  # shown to the user as one line
            self.failed.emit(str(getattr(exc, "orig", exc)) or type(exc).__name__)
        else:
            self.finished.emit(result)


class BackgroundTask(QObject):
    """Runs ``fn(progress)`` in a thread; ``progress(done, total, what)`` updates
    the dialog. ``on_done(result)`` or ``on_error(message)`` run on the GUI thread.

    With ``on_cancel`` the dialog has a Cancel button: once pressed, the next
    ``progress`` call raises :class:`Cancelled` in the worker (``fn`` must let
    it propagate and leave nothing half done), then ``on_cancel()`` runs."""

    def __init__(self, parent: QWidget, title: str, fn: Callable, on_done: Callable, on_error: Callable,
                 on_cancel: Callable | None = None):  # fmt: skip
        super().__init__(parent)
        self.dialog = QProgressDialog(title, "Cancel" if on_cancel is not None else None, 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.thread = QThread(self)
        self.worker = _Worker(fn)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.ended = False
        self._on_done = on_done
        self._on_error = on_error
        self._on_cancel = on_cancel
        if on_cancel is not None:
            self.dialog.canceled.connect(self.cancel)
        # Bound methods of this GUI-thread object: the signals arrive queued.
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)

    def start(self) -> None:
        self.thread.start()

    def wait(self, timeout_s: float = 60.0) -> None:
        """Process events until the task has ended (for scripts and tests)."""
        deadline = time.monotonic() + timeout_s
        while not self.ended and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.002)

    def cancel(self) -> None:
        """Ask the work to stop (at its next progress call)."""
        self.worker.cancel_requested = True
        self.dialog.setLabelText("Cancelling…")

    def _progress(self, done: int, total: int, what: str) -> None:
        if self.worker.cancel_requested:
            return  # the dialog is closing: do not show it again
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        if what:
            self.dialog.setLabelText(what)

    def _finished(self, result) -> None:
        self._end(self._on_done, result)

    def _failed(self, message: str) -> None:
        self._end(self._on_error, message)

    def _cancelled(self) -> None:
        self._end(lambda _v: self._on_cancel() if self._on_cancel is not None else None, None)

    def _end(self, callback: Callable, value) -> None:
        self.ended = True
        self.thread.quit()
        self.thread.wait()
        self.dialog.reset()
        self.dialog.deleteLater()
        callback(value)
        self.deleteLater()
