"""A database opened for work (``--db``, *Open database…*) gets the schema
checks a merged one gets, before anything can run in it: a file with a
trigger, a view, a virtual or foreign table, or a CREATE statement that is
not exactly ours is refused with one line, and left as it was (no byte
changed, nothing created beside it). Our own files — WAL with a live
``-wal``, one a crash left with a ``-wal`` or a hot journal, an older schema
version — still open, lose nothing and migrate."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from annotator import cli
from annotator.core.errors import StoreError
from annotator.store.database import CURRENT_VERSION, open_database
from annotator.store.merge import apply_merge
from annotator.store.migrations import _set_version
from annotator.store.sqlite.untrusted import expected_catalogue, read_untrusted
from annotator.store.tables import SchemaInfo
from tests.merge_helpers import TEXT, TEXT2, Analyst, base_database, raw_dump, span, sql

FRESH_COPY = "(nothing was run or written); ask its sender for a fresh copy (annotator share writes one)"


@pytest.fixture
def ours(tmp_path) -> Path:
    """A sound database of ours, closed (WAL mode, no -wal beside it), alone in its folder."""
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "mine.db"
    base_database(path, "ana")
    return path


def listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def alter(path: Path, name: str, old: str, new: str) -> None:
    """Rewrite the CREATE statement of ``name`` in place, as a hostile tool
    would (the rows still fit it, so SQLite reads the file happily)."""
    con = sqlite3.connect(path)
    try:
        [(sql_text,)] = con.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchall()
        assert old in sql_text
        [(version,)] = con.execute("PRAGMA schema_version").fetchall()
        con.execute("PRAGMA writable_schema=ON")
        with con:
            con.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql_text.replace(old, new, 1), name))
        con.execute(f"PRAGMA schema_version={version + 1}")
        con.execute("PRAGMA writable_schema=OFF")
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


def refused_on_open(path: Path, match: str) -> str:
    before = listing(path.parent)
    with pytest.raises(StoreError, match=match) as exc:
        open_database(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert listing(path.parent) == before  # not a byte changed, no -wal or -shm left
    return message


# --- the file of issue 17: a trigger that ran on an innocent import ----------------------------


WIPE = "CREATE TRIGGER wipe AFTER INSERT ON document BEGIN UPDATE annotation SET deleted = 1; END"


def test_a_planted_trigger_is_refused_when_the_file_is_opened(ours):
    sql(ours, WIPE)
    message = refused_on_open(ours, "trigger")
    assert message == (
        f"{ours}: refused: the file contains a trigger 'wipe', which an Annotator database never has {FRESH_COPY}"
    )


def test_import_and_check_refuse_it_and_no_annotation_is_tombstoned(ours, tmp_path, capsys):
    sql(ours, WIPE)
    new = tmp_path / "drones.txt"
    new.write_text(TEXT2 + "\n", encoding="utf-8")
    before = listing(ours.parent)
    for args in (["import", str(new)], ["check"]):
        code = cli.main(["--db", str(ours), *args])
        out, err = capsys.readouterr()
        assert code == cli.EXIT_ERROR and out == "", (args, out, err)
        assert err.startswith(f"annotator: {ours}: refused: the file contains a trigger 'wipe'") and err.count("\n") == 1
    assert listing(ours.parent) == before
    assert sql(ours, "SELECT count(*), sum(deleted) FROM annotation") == [(5, 0)]


# --- what a file we write to may not hold ---------------------------------------------------------


PLANTS = {
    "trigger": ("CREATE TRIGGER t AFTER UPDATE ON label BEGIN SELECT 1; END", "contains a trigger 't'"),
    "view": ("CREATE VIEW v AS SELECT * FROM annotation", "contains a view 'v'"),
    "virtual table": ("CREATE VIRTUAL TABLE notes USING fts5(body)", "not a plain table|not part of an Annotator"),
    "foreign table": ("CREATE TABLE exfil (x TEXT)", "table 'exfil' is not part of an Annotator database"),
    "foreign index": ("CREATE INDEX ix_evil ON annotation (lower(exact))", "index 'ix_evil' is not part of"),
    "extra column": ("ALTER TABLE annotation ADD COLUMN payload TEXT", "the columns of table annotation"),
}


@pytest.mark.parametrize("case", list(PLANTS))
def test_a_file_with_what_ours_never_has_is_refused_on_open(ours, case):
    plant, match = PLANTS[case]
    sql(ours, plant)
    refused_on_open(ours, match)


NOT_AS_DEFINED = rf"refused: table label is not defined as in schema {CURRENT_VERSION} \(its constraints differ\); it was altered"
ALTERED = {
    "a changed DEFAULT": (
        "annotation", "note VARCHAR NOT NULL", "note VARCHAR NOT NULL DEFAULT 'hostile'",
        rf"refused: the columns of table annotation are not those of schema {CURRENT_VERSION} \(column 'note'\)",
    ),
    "an added CHECK": (
        "annotation", "note VARCHAR NOT NULL", "note VARCHAR NOT NULL CHECK (length(note) < 5)",
        r"refused: table annotation is not defined as in schema \d+ "
        r"\(column note is declared 'note varchar NOT NULL CHECK \(length \(note\) < 5\)'\); it was altered",
    ),
    "COLLATE NOCASE on a column": (
        "annotation", "exact VARCHAR NOT NULL", "exact VARCHAR NOT NULL COLLATE NOCASE",
        r"\(column exact is declared 'exact varchar NOT NULL COLLATE nocase'\)",
    ),
    "a table CHECK": ("label", "PRIMARY KEY (id)", "PRIMARY KEY (id), CHECK (position < 1000)", NOT_AS_DEFINED),
    "a cascading delete": (
        "annotation", "REFERENCES label (id)", "REFERENCES label (id) ON DELETE CASCADE",
        rf"refused: the foreign keys of table annotation are not those of schema {CURRENT_VERSION}",
    ),
}  # fmt: skip


@pytest.mark.parametrize("entry", ["open_database", "merge"])
@pytest.mark.parametrize("case", list(ALTERED))
def test_a_schema_that_merely_differs_is_refused_by_open_and_by_merge(ours, tmp_path, entry, case):
    table, old, new, match = ALTERED[case]
    sql(ours, "PRAGMA journal_mode=DELETE")  # so the rewritten statement is in the file itself
    alter(ours, table, old, new)
    if entry == "open_database":
        message = refused_on_open(ours, match)
    else:
        with pytest.raises(StoreError, match=match) as exc:
            read_untrusted(ours, tmp_dir=tmp_path)
        message = str(exc.value)
    assert message.endswith(FRESH_COPY) and "\n" not in message


def test_a_schema_info_of_ours_over_another_applications_tables_is_left_byte_identical(tmp_path):
    """It claims our name and version, so it passed the version check and had
    its header switched to WAL before the missing tables were noticed."""
    folder = tmp_path / "other"
    folder.mkdir()
    path = folder / "notes.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        SchemaInfo.__table__.create(conn)
        _set_version(conn, CURRENT_VERSION)
        conn.exec_driver_sql("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.exec_driver_sql("INSERT INTO notes (body) VALUES ('groceries')")
    engine.dispose()
    assert sql(path, "PRAGMA journal_mode") == [("delete",)]
    before = listing(folder)
    refused_on_open(path, "table 'notes' is not part of an Annotator database")
    mine = Analyst(tmp_path / "mine.db", "ana")
    try:
        with pytest.raises(StoreError, match="table 'notes' is not part of an Annotator database"):
            apply_merge(mine.db, path)
    finally:
        mine.close()
    assert listing(folder) == before and sql(path, "PRAGMA journal_mode") == [("delete",)]


# --- our own files still open, and lose nothing --------------------------------------------------------


def test_our_closed_wal_database_opens_and_leaves_nothing_beside_it(ours):
    assert sql(ours, "PRAGMA journal_mode") == [("wal",)]
    db = open_database(ours)
    assert len(db.repo.document_ids()) == 1
    db.close()
    assert sorted(p.name for p in ours.parent.iterdir()) == ["mine.db"]


def test_a_live_wal_is_read_and_nothing_is_lost(ours):
    ana = Analyst(ours, "ana")  # stays open: its last commits live in the -wal
    doc_id = ana.repo.document_ids()[0]
    ana.tag(doc_id, "Location", *span(TEXT, "Baghdad"))
    assert Path(f"{ours}-wal").stat().st_size > 0
    second = open_database(ours)
    assert len(list(second.repo.annotations(doc_id))) == 6
    second.close()
    ana.tag(doc_id, "Actor", 0, 5)
    ana.close()
    again = open_database(ours)
    assert len(list(again.repo.annotations(doc_id))) == 7
    again.close()


def test_a_wal_left_by_a_crash_is_read(ours, tmp_path):
    ana = Analyst(ours, "ana")
    doc_id = ana.repo.document_ids()[0]
    ana.tag(doc_id, "Actor", 0, 5)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    shutil.copyfile(ours, crashed / "mine.db")  # the main file and its -wal, as a killed process leaves them
    shutil.copyfile(f"{ours}-wal", crashed / "mine.db-wal")
    ana.close()
    db = open_database(crashed / "mine.db")
    assert len(list(db.repo.annotations(doc_id))) == 6
    db.close()


def test_a_hot_rollback_journal_is_rolled_back_and_the_file_opens(ours, tmp_path):
    sql(ours, "PRAGMA journal_mode=DELETE")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    con = sqlite3.connect(ours, isolation_level=None)
    con.execute("PRAGMA cache_size=1")  # changed pages spill into the file before the commit
    con.execute("BEGIN")
    con.execute("UPDATE annotation SET note = ?", ("x" * 5000,))
    con.execute("UPDATE document SET title = ?", ("half-written",))
    shutil.copyfile(ours, crashed / "mine.db")  # a crash mid-transaction: the file and its hot journal
    shutil.copyfile(f"{ours}-journal", crashed / "mine.db-journal")
    con.execute("ROLLBACK")
    con.close()
    db = open_database(crashed / "mine.db")
    try:
        [doc_id] = db.repo.document_ids()
        assert db.repo.get_document(doc_id).title == "Report"
        assert {a.note for a in db.repo.annotations(doc_id)} == {""}
    finally:
        db.close()


_OLDER = """
import sys
from pathlib import Path
from annotator.store.sqlite import engine as sqlite
from annotator.store.migrations import MIGRATIONS, _set_version
engine = sqlite.make_engine(Path(sys.argv[1]))
with engine.begin() as conn:
    for target, _what, step in MIGRATIONS:
        if target <= int(sys.argv[2]):
            step(conn)
    _set_version(conn, int(sys.argv[2]))
engine.dispose()
"""


@pytest.mark.parametrize("version", range(1, CURRENT_VERSION))
def test_an_older_file_made_by_another_process_opens_migrates_and_matches_the_schema(tmp_path, version):
    """Its CREATE statements, written in another process (SQLAlchemy orders
    the foreign keys differently in each) and grown by ``ALTER TABLE … ADD
    COLUMN``, compare equal to those the current schema expects."""
    path = tmp_path / f"v{version}.db"
    subprocess.run([sys.executable, "-c", _OLDER, str(path), str(version)], check=True)
    db = open_database(path)
    assert db.version == CURRENT_VERSION
    db.close()
    theirs = read_untrusted(path, tmp_dir=tmp_path)  # the merge's stricter check passes too
    assert theirs.version == CURRENT_VERSION and set(expected_catalogue(CURRENT_VERSION)) >= set(theirs.rows)
    open_database(path).close()  # and it opens again


def test_a_new_file_is_created_as_before(tmp_path):
    path = tmp_path / "new.db"
    db = open_database(path)
    assert db.version == CURRENT_VERSION and db.repo.document_ids() == []
    db.close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    open_database(empty).close()
    assert raw_dump(empty)["schema_info"] == raw_dump(path)["schema_info"]


def test_create_statements_compare_as_tokens_in_any_order_of_table_constraints():
    from annotator.store.sqlite.schema_check import sql_form

    ours = (
        "CREATE TABLE t (\n\tid CHAR(32) NOT NULL, \n\tx VARCHAR NOT NULL, \n\tPRIMARY KEY (id), \n"
        "\tFOREIGN KEY(x) REFERENCES u (id), \n\tFOREIGN KEY(id) REFERENCES v (id)\n)"
    )
    same = 'create table "t" ("id" char(32) not null,x varchar not null,foreign key("id") references [v](id),' \
        "primary key(id), /* a comment */ FOREIGN KEY(`x`) REFERENCES u (id))"
    assert sql_form(ours) == sql_form(same)
    for other in (
        ours.replace("x VARCHAR NOT NULL", "x VARCHAR NOT NULL DEFAULT 'y'"),
        ours.replace("x VARCHAR NOT NULL", "x VARCHAR NOT NULL COLLATE NOCASE"),
        ours.replace("x VARCHAR NOT NULL", "x VARCHAR NOT NULL CHECK (x <> '')"),
        ours.replace("id CHAR(32) NOT NULL, \n\tx VARCHAR NOT NULL", "x VARCHAR NOT NULL, \n\tid CHAR(32) NOT NULL"),
        ours + " WITHOUT ROWID",
    ):
        assert sql_form(other) != sql_form(ours), other
    assert sql_form("CREATE TABLE t (x DEFAULT NULL)") != sql_form('CREATE TABLE t (x DEFAULT "NULL")')
