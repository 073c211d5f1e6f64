"""The architecture's rules, checked on the source: each test names the rule
it guards and fails on the first file that breaks it."""

import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "annotator"


def sources(under: str = "") -> list[Path]:
    return sorted((PKG / under).rglob("*.py"))


def offenders(pattern: str, files: list[Path]) -> list[str]:
    rx = re.compile(pattern, re.MULTILINE)
    return [p.as_posix() for p in files if rx.search(p.read_text("utf-8"))]


def test_sqlite_only_sql_lives_in_store_sqlite():
    """Portable SQL everywhere but annotator/store/sqlite/ (the store must later run on PostgreSQL)."""
    outside = [p for p in sources() if "store/sqlite" not in p.as_posix()]
    assert offenders(r"^\s*(import sqlite3|from sqlite3)|PRAGMA|sqlite_master|INSERT OR |json_extract", outside) == []


def test_ui_runs_no_sql_and_writes_no_docx():
    assert offenders(r"^\s*(from|import)\s+(sqlmodel|sqlalchemy|sqlite3|docx)\b", sources("ui")) == []


def test_utf16_arithmetic_only_in_offsets():
    """Code points <-> UTF-16 positions are converted in core/offsets.py only."""
    others = [p for p in sources() if p.name != "offsets.py"]
    assert offenders(r"utf-16|utf_16|0x10000|0xFFFF|0xD800|0xDC00", [p for p in others if "canonical" not in p.name]) == []


def test_the_pattern_finds_what_it_looks_for(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nx = 'PRAGMA foreign_keys'\n")
    good = tmp_path / "good.py"
    good.write_text("from sqlalchemy import select\n")
    assert offenders(r"^\s*(import sqlite3|from sqlite3)|PRAGMA", [bad, good]) == [bad.as_posix()]


def test_no_module_over_600_lines():
    """Small modules: none over 600 lines (QualCoder's 7,000-line files are what to avoid)."""
    long = {p.relative_to(PKG).as_posix(): n for p in sources() if (n := len(p.read_text("utf-8").splitlines())) > 600}
    assert long == {}


def test_no_test_hooks_in_production_code():
    """Tests replace an injected object (a window's prompter); the product never asks which platform it runs on."""
    assert offenders(r"platformName\(\)|\boffscreen\b|last_error|_dialog = ", sources()) == []
    assert offenders(r"tests reach", sources()) == []


def test_window_parts_declare_what_they_use():
    """The main window is made of parts, not mixins: each part is given the
    context and its widgets in its constructor, and touches the window only
    as the parent of its dialogs and for its title."""
    parts = [p for p in sources("ui") if p.name.startswith("window_") and p.name != "window_context.py"]
    assert len(parts) >= 5
    assert offenders(r"^class MainWindow\((?!QMainWindow\)).*\):", sources("ui")) == []
    reached = {m for p in parts for m in re.findall(r"ctx\.window\.(\w+)", p.read_text("utf-8"))}
    assert reached <= {"setWindowTitle"}
    assert offenders(r"self\.(statusBar|prompter|show_error)\b", parts) == []
