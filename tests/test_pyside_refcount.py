"""Regression guard: PySide6-Essentials 6.12.0 on Python 3.11 drops a
reference to ``None`` on every void call until the interpreter aborts with
``none_dealloc``. We pin 6.11.x; this test fails if a build with that bug
is installed (the count of references to None must not fall)."""

import sys

import PySide6
from PySide6.QtCore import QObject, QPoint, QRect
from PySide6.QtGui import QTextCursor, QTextDocument


def test_pinned_version_is_not_6_12_0():
    assert PySide6.__version__ != "6.12.0"
    assert PySide6.__version__.startswith("6.11.")


def test_void_calls_do_not_drop_references_to_none(qapp):
    doc = QTextDocument()
    obj = QObject()
    rect = QRect()
    cursor = QTextCursor(doc)
    before = sys.getrefcount(None)
    for i in range(250):  # small: a leaking build must fail here, not abort
        obj.setObjectName("x")  # void
        rect.moveTo(QPoint(i, i))  # void
        cursor.insertText("a")  # void
        doc.setModified(False)  # void
    after = sys.getrefcount(None)
    # A leaking build (one reference per void call) shows -1,000 here.
    assert after - before > -200, f"None refcount fell by {before - after}"
