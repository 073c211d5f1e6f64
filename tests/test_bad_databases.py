"""Bad database files given as ``--db``, through the command line.

Damaged (truncated, random bytes in the middle), newer, foreign and
non-SQLite files: every command that touches the file (``docs``,
``import``, ``annotations import`` of brat and W3C files, ``check``,
``brief``, ``merge`` into it) says what is wrong in one line on stderr, exits 2 (``check`` exits 1
when it could read the file and found problems), and leaves the file
byte-for-byte as it was, with nothing created beside it.

Read-only files and folders and a full disk: commands that only read work;
those that write exit 2 with one line saying why, and the file is as it
was. Tests run as root here, and root writes to a 0444 file, so a
read-only file is made immutable (``chattr +i``) and a read-only folder a
read-only bind mount; one test also drops root's power to override file
permissions so that plain ``chmod`` applies. A full disk is a tiny tmpfs.
Each is skipped when the machine does not permit it; a full disk injected
into SQLite's write path (``database or disk is full`` at a write or at the
commit) always runs, for the writing commands and for ``share``.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import event

from annotator import cli
from annotator.store.sqlite import engine as store_sqlite
from tests.merge_helpers import (
    TEXT,
    TEXT2,
    Analyst,
    base_database,
    hand_over,
    raw_dump,
    span,
    sql,
)

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("docs", "import", "annotations import", "annotations import (W3C)", "check", "brief", "merge")
WRITES = ("import", "annotations import", "annotations import (W3C)", "merge")


@dataclass
class Files:
    folder: Path  # where --db lives (nothing else in it)
    db: Path
    doc: str  # the document's id
    new_txt: Path  # a document not in the database
    ann: Path  # a brat file with an annotation not in the database
    w3c: Path  # the same as W3C JSON
    theirs: Path  # a colleague's database with something new
    out: Path  # where the brief goes (another folder)

    def args(self, command: str) -> list[str]:
        return {
            "docs": ["docs"],
            "import": ["import", str(self.new_txt)],
            "annotations import": ["annotations", "import", self.doc, str(self.ann)],
            "annotations import (W3C)": ["annotations", "import", self.doc, str(self.w3c)],
            "check": ["check"],
            "brief": ["brief", self.doc, "-o", str(self.out)],
            "merge": ["merge", str(self.theirs)],
        }[command]


def _colleague(path: Path, extra: int = 0) -> None:
    """Their copy, with one new location (and ``extra`` more annotations)."""
    bo = Analyst(path, "bo")
    doc_id = bo.repo.document_ids()[0]
    bo.tag(doc_id, "Location", *span(TEXT, "Baghdad"))
    words = [(i, i + 4) for i in range(0, len(TEXT) - 4, 5) if TEXT[i : i + 4].strip() == TEXT[i : i + 4]]
    for n in range(extra):
        bo.tag(doc_id, ("Actor", "Claim")[n % 2], *words[n % len(words)], note=f"bo's note {n} " + "x" * 200)
    bo.close()


@pytest.fixture
def files(tmp_path) -> Files:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "mine.db"
    ids = base_database(db, "ana")
    theirs = hand_over(db, inputs / "theirs.db")
    _colleague(theirs)
    new_txt = inputs / "drones.txt"
    new_txt.write_text(TEXT2 + "\n", encoding="utf-8")
    start, end = span(TEXT, "officials")
    ann = inputs / "officials.ann"
    ann.write_text(f"T1\tActor {start} {end}\tofficials\n", encoding="utf-8")
    w3c = inputs / "officials.json"
    w3c.write_text(json.dumps([{
        "@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "body": {"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
        "target": {"selector": [{"type": "TextPositionSelector", "start": start, "end": end},
                                {"type": "TextQuoteSelector", "exact": "officials"}]}}]), encoding="utf-8")  # fmt: skip
    (tmp_path / "out").mkdir()
    return Files(folder, db, str(ids["doc"]), new_txt, ann, w3c, theirs, tmp_path / "out" / "brief.docx")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(folder.iterdir())}


def run(files: Files, command: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["--db", str(files.db), *files.args(command)])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.startswith("annotator: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


# --- files that are not a sound Annotator database of this version ------------------------------


def _truncate(db: Path) -> None:
    os.truncate(db, db.stat().st_size // 2)


def _scribble(db: Path) -> None:
    """Random bytes over two pages in the middle of the file."""
    data = bytearray(db.read_bytes())
    rnd = random.Random(7)
    middle = (len(data) // 2) // 4096 * 4096
    data[middle : middle + 8192] = bytes(rnd.randrange(256) for _ in range(8192))
    db.write_bytes(bytes(data))


def _scribble_annotations(db: Path) -> None:
    """Random bytes over the second half of the annotation table's page (its
    rows): the pages a command adding a document reads are sound, so only a
    check on opening notices."""
    [(root,)] = sql(db, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'annotation'")
    [(size,)] = sql(db, "PRAGMA page_size")
    data = bytearray(db.read_bytes())
    rnd = random.Random(11)
    at = (root - 1) * size
    data[at + size // 2 : at + size] = bytes(rnd.randrange(256) for _ in range(size // 2))
    db.write_bytes(bytes(data))


def _newer(db: Path) -> None:
    sql(db, "UPDATE schema_info SET value = '99' WHERE key = 'schema_version'")


def _foreign(db: Path) -> None:
    db.unlink()
    sql(db, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    sql(db, "INSERT INTO invoices (amount) VALUES (12.5)")  # rollback-journal mode, as most programs leave it


def _other_application(db: Path) -> None:
    sql(db, "UPDATE schema_info SET value = 'notes-app' WHERE key = 'application'")


def _not_sqlite(db: Path) -> None:
    db.write_text("id,amount\n1,12.5\n" * 100, encoding="utf-8")


def _sqlite_header_then_noise(db: Path) -> None:
    rnd = random.Random(3)
    db.write_bytes(b"SQLite format 3\x00" + bytes(rnd.randrange(256) for _ in range(8000)))


DAMAGED = r"damaged database file \(integrity check: .+\); `annotator check` lists the problems"
BAD = {
    "truncated": (_truncate, r"damaged|malformed"),
    "random bytes in the middle": (_scribble, r"damaged"),
    "random bytes over the annotations": (_scribble_annotations, DAMAGED),
    "newer": (_newer, r"written by a newer Annotator \(schema 99; this version reads up to \d+\)"),
    "foreign SQLite": (_foreign, r"not an Annotator database \(it has other tables and no schema_info\)"),
    "another application's schema_info": (_other_application, r"not an Annotator database \(schema_info names another application\)"),
    "not SQLite": (_not_sqlite, r"not an Annotator database \(not an SQLite file\)"),
    "SQLite header, then noise": (_sqlite_header_then_noise, r"not a database or damaged"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_is_refused_by_every_command_and_left_as_it_was(files, capsys, case):
    spoil, message = BAD[case]
    spoil(files.db)
    before = listing(files.folder)
    for command in COMMANDS:
        code, out, err = run(files, command, capsys)
        if command == "check" and message == DAMAGED:
            assert code == cli.EXIT_PROBLEMS, (command, err)  # check reads what it can and lists the problems
            assert out.startswith("integrity: ") and "problem(s)" in out.splitlines()[0] and err == ""
        else:
            assert code == cli.EXIT_ERROR, (case, command, out, err)
            line = one_line(err)
            assert str(files.db) in line, (command, line)
            assert re.search(message, line), (case, command, line)
            assert out == ""
        assert listing(files.folder) == before, (case, command)  # not a byte changed, no -wal/-shm left
        assert not files.out.exists()
    # the colleague's file was not touched either
    assert sql(files.theirs, "SELECT count(*) FROM annotation") == [(6,)]


def test_a_refused_file_in_rollback_journal_mode_is_not_switched_to_wal(files, capsys):
    """Opening switched every file to WAL before looking at it: a foreign
    file's header was rewritten by the first command that refused it."""
    _foreign(files.db)
    assert sql(files.db, "PRAGMA journal_mode") == [("delete",)]
    before = digest(files.db)
    assert run(files, "docs", capsys)[0] == cli.EXIT_ERROR
    assert digest(files.db) == before and sql(files.db, "PRAGMA journal_mode") == [("delete",)]


def test_a_sound_file_is_still_put_in_wal_mode(files, capsys):
    sql(files.db, "PRAGMA journal_mode=DELETE")  # e.g. a file handed over by another tool
    assert run(files, "docs", capsys)[0] == 0
    assert sql(files.db, "PRAGMA journal_mode") == [("wal",)]


# --- read-only files and folders ---------------------------------------------------------------------


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def read_only_file(files):
    """The database file cannot be written (its folder can)."""
    if _is_root():  # root ignores a 0444 mode; an immutable file stops root too
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(files.db)], capture_output=True, check=False).returncode:
            pytest.skip("chattr +i is not permitted here")
        yield files
        subprocess.run(["chattr", "-i", str(files.db)], check=True)
    else:
        files.db.chmod(0o444)
        yield files
        files.db.chmod(0o644)


@pytest.fixture
def read_only_folder(files):
    """Neither the database nor its folder can be written."""
    folder = str(files.folder)
    if _is_root():
        mounted = subprocess.run(["mount", "--bind", folder, folder], capture_output=True, check=False).returncode == 0
        if not mounted:
            pytest.skip("mounting is not permitted here")
        if subprocess.run(["mount", "-o", "remount,ro,bind", folder], capture_output=True, check=False).returncode:
            subprocess.run(["umount", folder], check=True)
            pytest.skip("a read-only bind mount is not permitted here")
        yield files
        subprocess.run(["umount", folder], check=True)
    else:
        files.folder.chmod(0o555)
        yield files
        files.folder.chmod(0o755)


def test_a_read_only_file_reads_but_refuses_writes(read_only_file, capsys):
    f = read_only_file
    before = digest(f.db)
    for command in COMMANDS:
        code, out, err = run(f, command, capsys)
        if command in WRITES:
            assert code == cli.EXIT_ERROR, (command, out, err)
            assert one_line(err) == f"annotator: {f.db}: the database is read-only (check the file's permissions)\n"
        else:
            assert code == 0, (command, err)
        assert digest(f.db) == before, command
    assert f.out.exists()  # the brief only reads the database


def test_a_wal_database_in_a_read_only_folder_says_why_it_cannot_be_opened(read_only_folder, capsys):
    """SQLite must create -wal and -shm beside a WAL database even to read it."""
    f = read_only_folder
    before = listing(f.folder)
    for command in COMMANDS:
        code, out, err = run(f, command, capsys)
        assert code == cli.EXIT_ERROR, (command, out, err)
        assert one_line(err) == (
            f"annotator: {f.db}: cannot open the database: its folder {f.folder} is read-only and SQLite must "
            f"create mine.db-wal and mine.db-shm beside it (copy the file to a folder you can write to)\n"
        )
        assert listing(f.folder) == before


@pytest.fixture
def rollback_mode(files):
    sql(files.db, "PRAGMA journal_mode=DELETE")  # as a file copied from a read-only medium might be
    return files


def test_a_rollback_journal_database_in_a_read_only_folder_reads(rollback_mode, read_only_folder, capsys):
    f = read_only_folder
    before = listing(f.folder)
    for command in COMMANDS:
        code, out, err = run(f, command, capsys)
        if command in WRITES:
            assert code == cli.EXIT_ERROR, (command, out, err)
            assert one_line(err) == f"annotator: {f.db}: the database is read-only (its folder {f.folder} cannot be written to)\n"
        else:
            assert code == 0, (command, err)
        assert listing(f.folder) == before


PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _drop_override() -> None:
    """In the child, before exec: root no longer overrides file permissions."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _cli(args: list[str], *, unprivileged: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "ANNOTATOR_USER": "ana"}
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120, check=False, preexec_fn=_drop_override if unprivileged else None)  # fmt: skip


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux capabilities")
def test_chmod_0444_and_0555_as_a_real_process(files):
    """``chmod`` as a user would do it, in a real process (as root: one that
    cannot override file permissions)."""
    unprivileged = _is_root()
    if unprivileged and _cli(["--version"], unprivileged=True).returncode != 0:
        pytest.skip("dropping capabilities is not permitted here")
    before = digest(files.db)
    try:
        files.folder.chmod(0o555)
        r = _cli(["--db", str(files.db), "check"], unprivileged=unprivileged)
        assert r.returncode == 2 and r.stderr.startswith(f"annotator: {files.db}: ")
        assert "read-only" in r.stderr and f"its folder {files.folder}" in r.stderr  # (the wording depends on errno)
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        files.folder.chmod(0o755)
        files.db.chmod(0o444)
        r = _cli(["--db", str(files.db), "import", str(files.new_txt)], unprivileged=unprivileged)
        assert (r.returncode, r.stdout) == (2, ""), r.stderr
        assert r.stderr == f"annotator: {files.db}: the database is read-only (check the file's permissions)\n"
        r = _cli(["--db", str(files.db), "docs", "--json"], unprivileged=unprivileged)
        assert r.returncode == 0 and '"Report"' in r.stdout, r.stderr
        assert digest(files.db) == before
    finally:
        files.folder.chmod(0o755)
        files.db.chmod(0o644)


# --- a full disk ---------------------------------------------------------------------------------------


@pytest.fixture
def full_disk(files, tmp_path):
    """The database on a 1 MB tmpfs with about 48 KB left (root only)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if not _is_root() or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, check=False).returncode:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        shutil.copyfile(files.db, mnt / "mine.db")
        free = shutil.disk_usage(mnt).free
        (mnt / "filler").write_bytes(b"\0" * (free - 48 * 1024))
        files.folder, files.db = mnt, mnt / "mine.db"
        files.out = mnt / "brief.docx"
        yield files
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_full_disk_refuses_writes_and_keeps_the_file(full_disk, capsys):
    f = full_disk
    f.new_txt.write_text("Drones over the border. " * 20_000, encoding="utf-8")  # far more than the room left
    _colleague(f.theirs, extra=400)
    lines = [f.ann.read_text("utf-8").strip()]
    for n, (s, e) in enumerate((m, m + 5) for m in range(0, len(TEXT) - 5, 7)):
        lines.append(f"T{n + 2}\tClaim {s} {e}\t{TEXT[s:e]}")
        lines.append(f"#{n + 2}\tAnnotatorNotes T{n + 2}\t" + "a long note " * 60)
    f.ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    many = [json.loads(f.w3c.read_text("utf-8"))[0] for _ in range(40)]
    for n, item in enumerate(many):
        item["body"] = [item["body"], {"type": "TextualBody", "purpose": "commenting", "value": f"note {n} " * 80}]
    f.w3c.write_text(json.dumps(many), encoding="utf-8")
    before_db, before_rows = digest(f.db), raw_dump(f.db)
    for command in ("docs", "check", *WRITES):
        code, out, err = run(f, command, capsys)
        if command in WRITES:
            assert code == cli.EXIT_ERROR, (command, out, err)
            assert one_line(err) == f"annotator: {f.db}: the disk is full\n", command
        else:
            assert code == 0, (command, err)
        assert digest(f.db) == before_db and raw_dump(f.db) == before_rows, command
    assert sorted(p.name for p in f.folder.iterdir()) == ["filler", "mine.db"]

    # the brief, in a real process (a failed save must print no "Exception ignored" from a zip writer)
    (f.folder / "filler").unlink()
    free = shutil.disk_usage(f.folder).free
    (f.folder / "filler").write_bytes(b"\0" * (free - 48 * 1024))  # room for -wal/-shm, not for the brief
    r = _cli(["--db", str(f.db), "brief", f.doc, "-o", str(f.out)], unprivileged=False)
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"annotator: {f.out}: No space left on device\n"
    assert sorted(p.name for p in f.folder.iterdir()) == ["filler", "mine.db"]  # no partial brief, no temporary file
    assert digest(f.db) == before_db


class _DiskFull:
    """SQLite says the disk is full at the n-th write statement (0: at the commit)."""

    def __init__(self, at: int | None):
        self.at = at
        self.writes = 0

    def install(self, monkeypatch) -> None:
        real = store_sqlite.make_engine

        def make_engine(path, *, readonly=False):
            engine = real(path, readonly=readonly)

            def count(cursor, statement, parameters, context):
                if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                    self.writes += 1
                    if self.at == self.writes:
                        raise sqlite3.OperationalError("database or disk is full")
                return False

            event.listen(engine, "do_execute", count)
            event.listen(engine, "do_executemany", count)
            if self.at == 0:
                real_commit = engine.dialect.do_commit

                def do_commit(dbapi_conn):
                    if dbapi_conn.in_transaction and self.writes:
                        raise sqlite3.OperationalError("database or disk is full")
                    real_commit(dbapi_conn)

                engine.dialect.do_commit = do_commit
            return engine

        monkeypatch.setattr(store_sqlite, "make_engine", make_engine)


@pytest.mark.parametrize("command", WRITES)
@pytest.mark.parametrize("when", ["first write", "last write", "commit"])
def test_disk_full_inside_the_transaction_leaves_nothing(files, capsys, monkeypatch, tmp_path, command, when):
    """Always runs: SQLite's own "database or disk is full" at a chosen point."""
    probe_files = tmp_path / "probe.db"
    shutil.copyfile(files.db, probe_files)
    probe = _DiskFull(None)
    with monkeypatch.context() as m:
        probe.install(m)
        assert cli.main(["--db", str(probe_files), *files.args(command)]) == 0
    capsys.readouterr()
    assert probe.writes > 0
    before_db, before_rows = digest(files.db), raw_dump(files.db)
    _DiskFull({"first write": 1, "last write": probe.writes, "commit": 0}[when]).install(monkeypatch)
    code, out, err = run(files, command, capsys)
    assert code == cli.EXIT_ERROR, (out, err)
    assert one_line(err) == f"annotator: {files.db}: the disk is full\n"
    assert raw_dump(files.db) == before_rows and digest(files.db) == before_db
    monkeypatch.undo()  # the disk has room again: the same command works
    assert run(files, command, capsys)[0] == 0
    assert raw_dump(files.db) != before_rows


def test_a_brief_that_cannot_be_saved_leaves_the_old_file(files, capsys, monkeypatch):
    from annotator.io import atomic

    files.out.write_bytes(b"last week's brief")

    def no_room(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", no_room)
    code, out, err = run(files, "brief", capsys)
    assert code == cli.EXIT_ERROR and out == ""
    assert one_line(err) == f"annotator: {files.out}: No space left on device\n"
    assert files.out.read_bytes() == b"last week's brief"
    assert [p.name for p in files.out.parent.iterdir()] == ["brief.docx"]



@pytest.mark.parametrize("when", ["first write", "last write"])
def test_share_onto_a_full_disk_names_the_file_and_leaves_nothing(files, capsys, monkeypatch, when):
    probe = _DiskFull(None)
    with monkeypatch.context() as m:
        probe.install(m)
        assert cli.main(["--db", str(files.db), "share", files.doc, "-o", str(files.out.with_suffix(".probe.db"))]) == 0
    capsys.readouterr()
    out = files.out.with_suffix(".db")
    _DiskFull({"first write": 1, "last write": probe.writes}[when]).install(monkeypatch)
    code = cli.main(["--db", str(files.db), "share", files.doc, "-o", str(out)])
    _, err = capsys.readouterr()
    assert code == cli.EXIT_ERROR
    assert one_line(err) == f"annotator: {out}: the disk is full\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["brief.probe.db"]  # no partial file, no temporary file
