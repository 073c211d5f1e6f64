"""Run the real desk offscreen and tag spans through the window as fast as it
can, printing ``committed <uuid>`` after each edit returns. The crash-safety
test kills this process with SIGKILL at random moments.

    python tests/crash_driver.py DB SEED

Or, with ``type``, open the desk on $ANNOTATOR_DB, select an annotation, type
TEXT into its note (``note``) or its claim's rationale (``rationale``), let
the event loop run for 1.5 s without Ctrl+Enter and without leaving the
field, and kill itself with SIGKILL (tests/test_typing_saved.py):

    python tests/crash_driver.py type note|rationale ANNOTATION_ID TEXT
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import sys
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if importlib.util.find_spec("annotator") is None:  # (else the installed one, or $PYTHONPATH's)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from annotator.ui.app import ensure_app, start_window  # noqa: E402


def open_window(db_path: Path | None):
    app = ensure_app()
    window = start_window(db_path)
    if window is None:
        print("failed to open", flush=True)
        raise SystemExit(2)
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
    return app, window


def type_and_die(field: str, ann_id: uuid.UUID, text: str) -> int:
    _app, window = open_window(None)
    window.selection.select(ann_id)
    edit = window.details.note if field == "note" else window.details.claim.likelihood_note
    edit.setFocus()
    for _ in range(100):
        if edit.hasFocus():
            break
        QTest.qWait(50)
    else:
        print("the field never had the focus", flush=True)
        return 2
    QTest.keyClicks(edit, text)
    QTest.qWait(1500)  # events processed; no Ctrl+Enter, the focus stays in the field
    print("focus kept" if edit.hasFocus() else "focus lost", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    return 1  # not reached


def main() -> int:
    if sys.argv[1] == "type":
        return type_and_die(sys.argv[2], uuid.UUID(sys.argv[3]), sys.argv[4])
    db_path, seed = Path(sys.argv[1]), int(sys.argv[2])
    app, window = open_window(db_path)
    reader = window.reader
    reader.setFocus()
    text = reader.text
    rnd = random.Random(seed)
    keys = [Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_L]
    stack = window.ctl.undo_stack
    print("ready", flush=True)
    for _ in range(10_000):
        start = rnd.randrange(0, len(text) - 30)
        reader.select_span(start, start + rnd.randint(3, 25))
        before = stack.index()
        QTest.keyClick(reader, rnd.choice(keys))
        if stack.index() == before:  # nothing tagged (e.g. the selection held only spaces)
            continue
        print(f"committed {stack.command(stack.index() - 1).change.added[0]}", flush=True)
        if rnd.random() < 0.15:
            window.act_undo.trigger()
            print("undone", flush=True)
        app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
