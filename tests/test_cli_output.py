"""What the command line prints is safe for the terminal, and it stops quietly.

A file name need not be UTF-8 (``b"caf\\xe9.txt"``) and may hold an ANSI
escape (``ESC [2J`` clears the screen, ``ESC ]0;…BEL`` retitles the window);
titles and labels come from files too. Such a file imports; its name is
stored and shown as valid text with those characters escaped, and no ESC or
BEL byte reaches stdout or stderr; ``--json`` stays valid JSON. Output piped
into a reader that stops early (``annotator docs | head``) ends without a
message, as ``ls`` does. Each run is a subprocess: the names go in as bytes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from annotator.core.services import Desk
from annotator.store.database import open_database

TIMEOUT = 120
LATIN1 = b"caf\xe9.txt"
EVIL = b"evil\x1b[2J\x1b]0;pwned\x07.txt"
EVIL_SHOWN = "Evil\\x1b[2J\\x1b]0;pwned\\x07"  # the title made from its name, as printed
NOT_FOR_A_TERMINAL = (b"\x1b", b"\x07", "\x9b".encode(), "\u202e".encode())  # ESC, BEL, CSI (C1), RLO


def annotator(folder: Path, *args: str | bytes, stdout=subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["ANNOTATOR_USER"] = "tester"
    return subprocess.run([sys.executable, "-m", "annotator", "--db", "a.db", *args], cwd=folder, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, timeout=TIMEOUT)  # fmt: skip


def clean(*outputs: bytes) -> None:
    for out in outputs:
        for raw in NOT_FOR_A_TERMINAL:
            assert raw not in out, out


def test_a_file_name_that_is_not_utf8_imports_and_shows_escaped(tmp_path):
    (tmp_path / os.fsdecode(LATIN1)).write_text("Le café est ouvert.\n", encoding="utf-8")
    proc = annotator(tmp_path, "import", LATIN1)
    assert proc.returncode == 0 and proc.stderr == b"", proc.stderr
    doc_id, title = proc.stdout.decode("utf-8").rstrip("\n").split("\t")
    assert title == "Caf\\xe9"  # the byte 0xE9 shown as the four characters \xe9
    again = annotator(tmp_path, "import", LATIN1)  # the second time the file's name is on stderr
    assert again.returncode == 0
    assert again.stderr.decode("utf-8") == f"caf\\xe9.txt: already imported as {doc_id}; nothing added\n"
    db = open_database(tmp_path / "a.db", create=False)
    try:
        doc = db.repo.get_document(uuid.UUID(doc_id))
        assert (doc.filename, doc.title) == ("caf\\xe9.txt", "Caf\\xe9")  # valid text, no lone surrogate
    finally:
        db.close()


def test_escapes_in_a_file_name_do_not_reach_the_terminal(tmp_path):
    (tmp_path / os.fsdecode(EVIL)).write_text("Plain text.\n", encoding="utf-8")
    proc = annotator(tmp_path, "import", EVIL)
    assert proc.returncode == 0, proc.stderr
    clean(proc.stdout, proc.stderr)
    assert proc.stdout.decode().split("\t")[1] == EVIL_SHOWN + "\n"
    again = annotator(tmp_path, "import", EVIL)
    clean(again.stdout, again.stderr)
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07.txt: already imported" in again.stderr.decode()
    missing = annotator(tmp_path, "import", b"gone\x1b[31m\xe9.txt")  # an error message names the file
    assert missing.returncode == 2
    clean(missing.stderr)
    assert missing.stderr.decode("utf-8") == "annotator: gone\\x1b[31m\\xe9.txt: no such file\n"


def test_titles_from_inside_a_file_are_escaped_and_json_stays_json(tmp_path):
    title = "Report \x1b[2J\x9b31m \u202eevil\u202c \x07done"
    (tmp_path / "report.md").write_text(f"# {title}\n\nBody.\n", encoding="utf-8")
    proc = annotator(tmp_path, "import", "report.md")
    assert proc.returncode == 0, proc.stderr
    table = annotator(tmp_path, "docs")
    as_json = annotator(tmp_path, "docs", "--json")
    clean(proc.stdout, table.stdout, as_json.stdout)
    assert "Report \\x1b[2J\\x9b31m \\u202eevil\\u202c \\x07done" in table.stdout.decode()
    assert json.loads(as_json.stdout)[0]["title"] == title  # escaped the JSON way: the same string back


def _many_documents(db_path: Path, n: int) -> None:
    db = open_database(db_path, create=True)
    try:
        desk = Desk(db.repo, "tester")
        with db.repo.transaction():
            for i in range(n):
                desk.import_document(f"Document number {i}.\n", f"A title long enough to fill the table, number {i}")
    finally:
        db.close()


@pytest.mark.timeout(TIMEOUT * 2)
def test_output_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    _many_documents(tmp_path / "a.db", 3000)  # a table of about 400 KB: far more than a pipe holds
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.buffer.read(100)"],
                              stdin=subprocess.PIPE)  # fmt: skip  # like `head -c 100`: reads a little, exits
    try:
        proc = annotator(tmp_path, "docs", stdout=reader.stdin)
    finally:
        reader.stdin.close()
        reader.wait(TIMEOUT)
    assert proc.stderr == b""  # no "Broken pipe", no traceback, no "Exception ignored"
    assert proc.returncode == 141  # 128 + SIGPIPE, what a shell reports for `ls | head`
