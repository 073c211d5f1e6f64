"""Run the real desk offscreen and tag spans through the window as fast as it
can, printing ``committed <uuid>`` after each edit returns. The crash-safety
test kills this process with SIGKILL at random moments.

    python tests/crash_driver.py DB SEED
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from annotator.ui.app import ensure_app, start_window  # noqa: E402


def main() -> int:
    db_path, seed = Path(sys.argv[1]), int(sys.argv[2])
    app = ensure_app()
    window = start_window(db_path)
    if window is None:
        print("failed to open", flush=True)
        return 2
    window.activateWindow()
    QTest.qWaitForWindowActive(window)
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
