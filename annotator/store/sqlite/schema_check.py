"""Is this SQLite file's schema exactly an Annotator schema? Asked of every
file before it is used: by a merge (on its private copy, see
:mod:`.untrusted`) and by :func:`annotator.store.database.open_database`
(on the file itself, read-only, before the read-write engine exists — a
trigger in a file we write to would run on our next write).

What :func:`check_catalogue` refuses, reading nothing but the schema and
``schema_info``:

- any trigger or view (they run SQL when the file is read or written) and
  any virtual table but the search index's FTS5 table (its statement compared
  like the others, its shadow tables like any table);
- a file whose ``schema_info`` is missing, not ours, names another
  application or a schema version this program does not read;
- tables or indexes that schema version does not have, or lacks;
- a table whose columns (name, type, NOT NULL, default, key, hidden),
  indexes or foreign keys differ from that version's;
- a table or index whose CREATE statement is not the one our migrations
  write (a changed CHECK, DEFAULT, COLLATE, generated column, WITHOUT ROWID…):
  the statements are compared as tokens, so whitespace, comments, case
  and identifier quoting do not count, nor does the order of the table
  constraints (SQLAlchemy writes the foreign keys in a different order in
  each process).

The expected schema of a version is built by running our own migrations up
to it in memory (:func:`expected_catalogue`), so a file created at an older
version and migrated by us (``ALTER TABLE … ADD COLUMN`` appends the column's
text to the CREATE statement) has exactly the statements of the newer one.
All of it is per-table PRAGMAs on the schema already parsed: a few ms on a
database of any size (no row is read but ``schema_info``'s).
"""

from __future__ import annotations

import functools
import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine
from sqlalchemy.exc import DatabaseError, OperationalError

from ...core.errors import StoreError
from ..migrations import APPLICATION, CURRENT_VERSION, MIGRATIONS
from .file_header import read_header

BUSY_TIMEOUT_S = 15
FRESH_COPY = "ask its sender for a fresh copy (annotator share writes one)"
_PRAGMAS = frozenset(
    {"integrity_check", "table_xinfo", "index_list", "index_xinfo", "foreign_key_list", "foreign_key_check",
     "trusted_schema", "query_only", "cell_size_check", "mmap_size"}
)  # fmt: skip
_SHOWN = 60  # characters of a hostile string shown in a message
# The one virtual table an Annotator database has (schema 7): the search
# index's FTS5 table, whose statement is then compared like every other.
_TABLE_STATEMENTS = {"search_fts": "CREATE VIRTUAL TABLE"}


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def refusal(source: Path, what: str) -> StoreError:
    return StoreError(f"{source}: refused: {what} (nothing was run or written); {FRESH_COPY}")


# --- a read-only connection that can do nothing but read ---------------------------------


def authorizer(functions: frozenset[str] = frozenset()):
    """Allows reading, a fixed list of PRAGMAs and the SQL ``functions`` named."""

    def authorize(action, arg1, arg2, _db, _trigger):
        if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and arg1 in _PRAGMAS:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and arg2 in functions:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY

    return authorize


def connect_readonly(path: Path, *, immutable: bool, functions: frozenset[str] = frozenset()) -> sqlite3.Connection:
    """``mode=ro`` (and ``immutable=1``: no locks, no ``-wal``/``-shm`` read
    or created), ``trusted_schema`` and writes off, the authorizer on."""
    uri = f"file:{quote(path.as_posix())}?mode=ro" + ("&immutable=1" if immutable else "")
    con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
    for pragma in ("trusted_schema=OFF", "query_only=ON", "cell_size_check=ON", "mmap_size=0"):
        con.execute(f"PRAGMA {pragma}")
    con.set_authorizer(authorizer(functions))
    return con


# --- CREATE statements as comparable tokens ------------------------------------------------

_KEYWORDS = frozenset(
    """ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE BEGIN BETWEEN BY
    CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE
    CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP
    EACH ELSE END ESCAPE EXCEPT EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM
    FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER INSERT INSTEAD
    INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED NATURAL NO NOT NOTHING NOTNULL
    NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE
    RANGE RECURSIVE REFERENCES REGEXP REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS
    SAVEPOINT SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE UPDATE
    USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT""".split()
)
"""SQLite's keywords: a bare one is syntax; any other bare word, like a
quoted one, is a name (so ``"key"`` and ``key`` compare equal, ``DEFAULT`` and
``"DEFAULT"`` do not)."""
_TOKEN = re.compile(
    r"""(?P<skip>\s+|--[^\n]*|/\*.*?\*/)
      |(?P<string>'(?:[^']|'')*')
      |(?P<blob>[xX]'[0-9A-Fa-f]*')
      |(?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
      |(?P<word>[A-Za-z_\x80-\U0010ffff][A-Za-z0-9_$\x80-\U0010ffff]*)
      |(?P<other>\|\||<<|>>|<=|>=|==|!=|<>|->>|->|.)""",
    re.X | re.S,
)
_TABLE_CONSTRAINTS = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"})
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")  # SQLite folds ASCII only


def _name(text: str) -> str:
    return '"' + text.translate(_ASCII_LOWER).replace('"', '""') + '"'


def sql_tokens(sql: str) -> list[str]:
    out = []
    for m in _TOKEN.finditer(sql):
        kind, text = m.lastgroup, m.group()
        if kind == "skip":
            continue
        if kind == "word":
            out.append(text.upper() if text.upper() in _KEYWORDS else _name(text))
        elif kind == "quoted":
            inner = text[1:-1]
            out.append(_name(inner.replace(text[0] * 2, text[0]) if text[0] in "\"`" else inner))
        elif kind == "blob":
            out.append(text.lower())
        else:
            out.append(text)
    return out


def sql_form(sql: str | None) -> tuple | None:
    """A CREATE statement as tokens; for a table, as (head, columns in order,
    table constraints in any order, what follows the parentheses)."""
    if sql is None:
        return None
    tokens = sql_tokens(sql)
    if tokens[:2] != ["CREATE", "TABLE"] or "(" not in tokens:
        return tuple(tokens)
    start = tokens.index("(")
    parts: list[tuple] = []
    part: list[str] = []
    depth = 0
    for i in range(start + 1, len(tokens)):
        t = tokens[i]
        if t == ")" and depth == 0:
            parts.append(tuple(part))
            columns = tuple(p for p in parts if not p or p[0] not in _TABLE_CONSTRAINTS)
            constraints = tuple(sorted(p for p in parts if p and p[0] in _TABLE_CONSTRAINTS))
            return (tuple(tokens[:start]), columns, constraints, tuple(tokens[i + 1 :]))
        if t == "," and depth == 0:
            parts.append(tuple(part))
            part = []
            continue
        depth += (t == "(") - (t == ")")
        part.append(t)
    return tuple(tokens)  # unbalanced: compared as it is (and differs)


_PLAIN_NAME = re.compile(r'"[a-z_][a-z0-9_]*"')


def _shown_tokens(tokens: tuple) -> str:
    out = ""
    for t in tokens:
        if _PLAIN_NAME.fullmatch(t) and t[1:-1].upper() not in _KEYWORDS:
            t = t[1:-1]
        out += t if not out or out.endswith("(") or t in (")", ",") else " " + t
    return out


def _difference(theirs: tuple | None, ours: tuple | None) -> str:
    if theirs is None or ours is None or len(theirs) != 4 or len(ours) != 4:
        return "its CREATE statement differs"
    for mine, their in zip(ours[1], theirs[1], strict=False):
        if mine != their:
            return f"column {_shown_tokens(mine[:1])} is declared {show(_shown_tokens(their))}"
    if len(ours[1]) != len(theirs[1]):
        return "its columns differ"
    return "its constraints differ" if ours[2] != theirs[2] else "its options differ"


# --- the catalogue a schema version has ------------------------------------------------


def catalogue(fetch) -> dict[str, dict]:
    """Tables of a database with their columns, indexes, foreign keys and
    CREATE statements, as comparable values. ``fetch(sql)`` runs one
    statement and returns its rows."""
    master = fetch("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
    out: dict[str, dict] = {}
    for kind, name, _tbl, sql in master:
        if kind == "table" and not name.startswith("sqlite_"):
            out[name] = {**table_shape(fetch, name), "sql": sql_form(sql), "index_sql": {}}
    for kind, name, tbl, sql in master:
        if kind == "index" and tbl in out:
            out[tbl]["index_sql"][name] = sql_form(sql)
    return out


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_shape(fetch, name: str) -> dict:
    if name in _TABLE_STATEMENTS:  # a virtual table: its statement says it all, and asking would run its module
        return {"columns": [], "indexes": {}, "foreign_keys": []}
    columns = [(r[1], str(r[2]).upper(), r[3], r[4], r[5], r[6]) for r in fetch(f"PRAGMA table_xinfo({_quoted(name)})")]
    indexes = {}
    for r in fetch(f"PRAGMA index_list({_quoted(name)})"):
        keys = [(k[1], k[2], k[3], k[4]) for k in fetch(f"PRAGMA index_xinfo({_quoted(r[1])})") if k[5]]
        indexes[r[1]] = (r[2], r[3], r[4], tuple(keys))
    fks = sorted((r[2], r[3], r[4], r[5], r[6], r[7]) for r in fetch(f"PRAGMA foreign_key_list({_quoted(name)})"))
    return {"columns": columns, "indexes": indexes, "foreign_keys": fks}


@functools.cache
def expected_catalogue(version: int) -> dict[str, dict]:
    """The catalogue schema ``version`` has: the current one from its
    snapshot (:mod:`.catalogue_snapshot`, checked by the tests to be what the
    migrations build), an older one built by :func:`built_catalogue`."""
    from . import catalogue_snapshot

    return catalogue_snapshot.CATALOGUE if version == catalogue_snapshot.VERSION else built_catalogue(version)


def built_catalogue(version: int) -> dict[str, dict]:
    """Our migrations up to ``version``, run on an in-memory database (so old
    versions need no hand-kept description), and the catalogue they leave."""
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            for target, _what, step in MIGRATIONS:
                if target <= version:
                    step(conn)
            raw = conn.connection.driver_connection  # the PRAGMAs without SQLAlchemy's cost per statement
            return catalogue(lambda sql: raw.execute(sql).fetchall())
    finally:
        engine.dispose()


# --- the check ------------------------------------------------------------------------------


def check_catalogue(source: Path, con: sqlite3.Connection) -> tuple[int | None, dict]:
    """The schema version of the file behind ``con`` (None: it holds no
    table yet) and that version's expected catalogue; :class:`StoreError`
    (one line naming ``source``) for anything the module docstring lists."""

    def fetch(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    master = fetch("SELECT type, name, tbl_name, sql FROM sqlite_master")
    for kind, name, _tbl, sql in master:
        if kind in ("trigger", "view"):
            raise refusal(source, f"the file contains a {kind} {show(name)}, which an Annotator database never has")
        if kind == "table" and not (isinstance(sql, str) and sql.lstrip().upper().startswith(_TABLE_STATEMENTS.get(name, "CREATE TABLE"))):
            raise refusal(source, f"{show(name)} is not a plain table (a virtual table?)")
        if kind not in ("table", "index"):
            raise refusal(source, f"unexpected schema object {show(kind)} {show(name)}")
    tables = {name for kind, name, _t, _s in master if kind == "table" and not name.startswith("sqlite_stat")}
    if not tables:
        return None, {}
    version = _version(source, fetch, tables)
    expected = expected_catalogue(version)
    extra = sorted(tables - set(expected))
    if extra:
        raise refusal(source, f"table {show(extra[0])} is not part of an Annotator database (schema {version})")
    missing = sorted(set(expected) - tables)
    if missing:
        raise StoreError(f"{source}: damaged Annotator database: table {missing[0]} is missing (schema {version})")
    indexes = {name for kind, name, _t, _s in master if kind == "index"}
    known = {i for shape in expected.values() for i in shape["indexes"]}
    if indexes - known:
        raise refusal(source, f"index {show(sorted(indexes - known)[0])} is not part of an Annotator database")
    statements = {name: sql_form(sql) for _kind, name, _t, sql in master}
    for name in sorted(expected):
        shape = table_shape(fetch, name)
        for part in ("columns", "indexes", "foreign_keys"):
            if shape[part] != expected[name][part]:
                what = f"the {part.replace('_', ' ')} of table {name} are not those of schema {version}"
                if part == "columns":
                    differ = [t for t, o in zip(shape[part], expected[name][part], strict=False) if t != o]
                    what += f" (column {show(differ[0][0])})" if differ else ""
                raise refusal(source, f"{what}; it was altered or damaged")
        if statements[name] != expected[name]["sql"]:
            what = _difference(statements[name], expected[name]["sql"])
            raise refusal(source, f"table {name} is not defined as in schema {version} ({what}); it was altered")
        for index, form in expected[name]["index_sql"].items():
            if statements.get(index) != form:
                raise refusal(source, f"index {index} is not defined as in schema {version}; it was altered")
    return version, expected


def _version(source: Path, fetch, tables: set[str]) -> int:
    if "schema_info" not in tables:
        raise StoreError(f"{source}: not an Annotator database (it has other tables and no schema_info)")
    shape = table_shape(fetch, "schema_info")
    info: dict[str, str] = {}
    if {"key", "value"} <= {c[0] for c in shape["columns"]}:
        for key, value in fetch('SELECT "key", "value" FROM schema_info'):
            if isinstance(key, str) and isinstance(value, str):
                info[key] = value
    application = info.get("application")
    if application is not None and application != APPLICATION:
        raise StoreError(f"{source}: not an Annotator database (schema_info names another application)")
    ours = expected_catalogue(CURRENT_VERSION)["schema_info"]  # the same in every version
    [(sql,)] = fetch("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'")
    if shape != {k: ours[k] for k in shape} or sql_form(sql) != ours["sql"]:
        raise StoreError(f"{source}: not an Annotator database (its schema_info table is not ours)")
    if application is None:
        raise StoreError(f"{source}: not an Annotator database (schema_info names another application)")
    raw = info.get("schema_version", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 7 and int(raw) >= 1):
        raise StoreError(f"{source}: damaged Annotator database: schema version missing or unreadable")
    version = int(raw)
    if version > CURRENT_VERSION:
        raise StoreError(
            f"{source}: written by a newer Annotator (schema {version}; this version reads up to {CURRENT_VERSION})"
        )
    return version


# --- a file opened for work ---------------------------------------------------------------------


def check_for_work(path: Path) -> int | None:
    """:func:`check_catalogue` on ``path`` itself, read-only, before it is
    opened for writing; its schema version (None for a file with no table).

    A WAL file with no ``-wal`` beside it (closed cleanly) is read
    ``immutable``: a plain read-only connection would leave an empty
    ``-wal`` and ``-shm`` beside a file we then refuse. One with a ``-wal``
    is read with it (its last commits, a planted trigger among them, live
    there). A hot rollback journal (a crash mid-write) is rolled back first,
    as opening it for writing would: that runs no SQL of the file.

    Raises :class:`StoreError`, or SQLAlchemy's ``OperationalError`` /
    ``DatabaseError`` for SQLite's own errors (the caller words them)."""
    header = read_header(path, path.stat().st_size)
    immutable = header.wal and not Path(f"{path}-wal").exists()
    for attempt in (1, 2):
        try:
            con = connect_readonly(path, immutable=immutable)
            try:
                return check_catalogue(path, con)[0]
            finally:
                con.close()
        except sqlite3.Error as exc:
            if attempt == 1 and getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY_ROLLBACK":
                _roll_back(path)
                continue
            kind = OperationalError if isinstance(exc, sqlite3.OperationalError) else DatabaseError
            raise kind(f"checking {path}", None, exc) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _roll_back(path: Path) -> None:
    con = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        con.execute("PRAGMA trusted_schema=OFF")
        con.set_authorizer(authorizer())
        con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()  # the first read rolls the journal back
    finally:
        con.close()


__all__ = [
    "FRESH_COPY", "authorizer", "catalogue", "check_catalogue", "check_for_work", "connect_readonly",
    "expected_catalogue", "refusal", "show", "sql_form", "table_shape",
]  # fmt: skip
