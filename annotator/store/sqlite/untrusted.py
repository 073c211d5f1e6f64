"""Reading a database file from someone else: untrusted input.

**SQLite-specific**, inside :mod:`annotator.store.sqlite`, the package
that holds every piece of SQLite-only SQL: this module speaks SQLite directly (the ``sqlite3`` driver, PRAGMAs, ``sqlite_master``,
URI options); nothing else in the store may. It has to: checking a foreign
file before trusting any of it is about the file format, not about SQL.

What :func:`open_untrusted` does before a single row is read:

1. The path must be a regular file starting with the SQLite header.
2. It is copied into a private temporary folder (mode 0700), with its
   ``-wal`` (committed transactions not yet folded into the main file are
   part of their database) and a ``-journal`` if present. Only when such a
   sidecar was copied is the *private copy* opened read-write, once, to fold
   the WAL in or roll the journal back (``journal_mode=DELETE``); their file
   is never opened, let alone written. No ``-shm`` is copied: SQLite
   rebuilds it from the WAL.
3. The copy is opened read-only and immutable (``mode=ro&immutable=1``),
   with ``trusted_schema`` off, ``query_only`` on, ``cell_size_check`` on,
   and an authorizer that allows nothing but reading and a fixed list of
   PRAGMAs.
4. ``sqlite_master`` may hold tables and indexes only: any trigger or view
   (which could run SQL or functions when the file is read or written) and
   any virtual table is refused.
5. ``PRAGMA integrity_check`` must say ``ok``.
6. ``schema_info`` must name the application ``annotator`` and a schema
   version this program reads (a newer one is refused with a clear message).
7. The tables, their columns, indexes and foreign keys must be exactly
   those that schema version has (built by running our own migrations up to
   that version in memory and comparing the two catalogues), and
   ``PRAGMA foreign_key_check`` must find no dangling reference.

An older file (schema 1 or 2) is read as it is — the private copy is not
migrated: columns that later versions added take their defaults, tables they
added are empty. Rows are read with SELECTs of named columns (never ``*``),
and every value is checked: UUIDs are 32 lowercase hex digits, times parse,
enums hold a known value, a document's text matches its SHA-256, every
annotation lies inside its document and quotes it exactly, and every
reference points to a row in the file. Anything else is refused with one
line saying what is wrong; nothing is repaired silently.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import JSON, Boolean, Float, Integer, Uuid, create_engine
from sqlmodel import SQLModel

from ...core.errors import StoreError
from ...core.model import EXTRA_KINDS, Direction, LabelKind
from ..migrations import APPLICATION, CURRENT_VERSION, MIGRATIONS, _set_version
from ..tables import UTCDateTime

SQLITE_HEADER = b"SQLite format 3\x00"
DATA_TABLE_NAMES = ("document", "label", "entity", "annotation", "annotation_extra", "claim", "claim_subject", "claim_link")
"""The tables a merge reads, in an order where every reference points backwards."""

_PRAGMAS = frozenset(
    {"integrity_check", "table_xinfo", "index_list", "index_xinfo", "foreign_key_list", "foreign_key_check",
     "trusted_schema", "query_only", "cell_size_check", "mmap_size"}
)  # fmt: skip
_HEX32 = re.compile(r"[0-9a-f]{32}")
_SHA = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_SHOWN = 60  # characters of a hostile string shown in a message


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# --- the catalogue a schema version has ------------------------------------------------


def _catalogue(fetch) -> dict[str, dict]:
    """Tables of a database with their columns, indexes and foreign keys, as
    comparable tuples. ``fetch(sql)`` runs one statement and returns its rows.
    Only called with table names already known to be ours (no quoting issue)."""
    out: dict[str, dict] = {}
    for (name,) in fetch("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if name.startswith("sqlite_"):
            continue
        out[name] = _table_shape(fetch, name)
    return out


def _table_shape(fetch, name: str) -> dict:
    columns = [(r[1], str(r[2]).upper(), r[3], r[5], r[6]) for r in fetch(f'PRAGMA table_xinfo("{name}")')]
    indexes = {}
    for r in fetch(f'PRAGMA index_list("{name}")'):
        keys = [(k[1], k[2], k[3], k[4]) for k in fetch(f'PRAGMA index_xinfo("{r[1]}")') if k[5]]
        indexes[r[1]] = (r[2], r[3], r[4], tuple(keys))
    fks = sorted((r[2], r[3], r[4], r[5], r[6], r[7]) for r in fetch(f'PRAGMA foreign_key_list("{name}")'))
    return {"columns": columns, "indexes": indexes, "foreign_keys": fks}


@functools.cache
def expected_catalogue(version: int) -> dict[str, dict]:
    """The catalogue schema ``version`` has: our migrations up to it, run on
    an in-memory database (so old versions need no hand-kept description)."""
    engine = create_engine("sqlite://")
    try:
        with engine.begin() as conn:
            for target, _what, step in MIGRATIONS:
                if target <= version:
                    step(conn)
            _set_version(conn, version)
            return _catalogue(lambda sql: conn.exec_driver_sql(sql).fetchall())
    finally:
        engine.dispose()


# --- values ------------------------------------------------------------------------------


class _Bad(Exception):
    """A value that is not what the column holds (message: what is wrong)."""


_new_object = object.__new__
_set_slot = object.__setattr__
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown


def uuid_from_hex(h: str) -> uuid.UUID:
    """``uuid.UUID(hex=h)`` for 32 lowercase hex digits already checked, about
    five times faster (a merge reads hundreds of thousands): it sets the two
    slots ``UUID.__init__`` would set after its parsing."""
    u = _new_object(uuid.UUID)
    _set_slot(u, "int", int(h, 16))
    _set_slot(u, "is_safe", _UNKNOWN_SAFETY)
    return u


if uuid_from_hex("0123456789abcdef0123456789abcdef") != uuid.UUID("0123456789abcdef0123456789abcdef"):  # pragma: no cover
    uuid_from_hex = uuid.UUID  # noqa: F811  (another Python's UUID: take the slow path)


def _uuid(v) -> uuid.UUID:
    if isinstance(v, str) and _HEX32.fullmatch(v):
        return uuid_from_hex(v)
    raise _Bad(f"is not a UUID ({_show(v)})")


def _time(v) -> datetime:
    m = _TIME.fullmatch(v) if isinstance(v, str) else None
    if m is None:
        raise _Bad(f"is not a time ({_show(v)})")
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), int((frac or "0").ljust(6, "0")), tzinfo=UTC)
    except ValueError:
        raise _Bad(f"is not a time ({_show(v)})") from None


def _bool(v) -> bool:
    if type(v) is int and v in (0, 1):
        return bool(v)
    raise _Bad(f"is not 0 or 1 ({_show(v)})")


def _int(v) -> int:
    if type(v) is int:
        return v
    raise _Bad(f"is not an integer ({_show(v)})")


def _float(v) -> float:
    if type(v) in (int, float) and math.isfinite(v):
        return float(v)
    raise _Bad(f"is not a finite number ({_show(v)})")


def _str(v) -> str:
    if isinstance(v, str):
        return v
    raise _Bad(f"is not text ({_show(v)})")


def _json(v):
    try:
        return json.loads(_str(v))
    except (ValueError, RecursionError):
        raise _Bad("is not JSON") from None


def _string_list(v) -> list[str]:
    data = _json(v)
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return data
    raise _Bad("is not a list of names")


def _pairs(v) -> list[list[int]] | None:
    data = _json(v)
    if data is None:
        return None
    if isinstance(data, list) and all(
        isinstance(p, list) and len(p) == 2 and all(type(x) is int for x in p) for p in data
    ):
        return data
    raise _Bad("is not a list of [start, end] pairs")


def _object(v) -> dict:
    data = _json(v)
    if isinstance(data, dict):
        return data
    raise _Bad("is not a JSON object")


_JSON_COLUMNS = {("entity", "aliases"): _string_list, ("annotation", "fragments"): _pairs, ("annotation_extra", "value"): _object}
"""How each JSON column is read; a JSON column missing here is refused (see :func:`_converter`)."""


def _converter(column):
    t = column.type
    if isinstance(t, Uuid):
        return _uuid
    if isinstance(t, UTCDateTime):
        return _time
    if isinstance(t, Boolean):
        return _bool
    if isinstance(t, Integer):
        return _int
    if isinstance(t, Float):
        return _float
    if isinstance(t, JSON):
        try:
            return _JSON_COLUMNS[(column.table.name, column.name)]
        except KeyError:
            raise AssertionError(f"{column}: say in _JSON_COLUMNS how to check this JSON column") from None
    return _str


def _repeats(column) -> bool:
    """A reference column: its few distinct values are worth converting once."""
    return column.name != "id" and isinstance(column.type, Uuid)


def _memo(conv):
    seen: dict = {}

    def convert(v):
        got = seen.get(v)
        if got is None:
            got = seen[v] = conv(v)
        return got

    return convert


def _fails(conv, v) -> bool:
    try:
        conv(v)
    except _Bad:
        return True
    return False


def _default(column):
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    if column.nullable:
        return None
    raise AssertionError(f"{column}: a column added after schema 1 needs a default")


# --- the file -----------------------------------------------------------------------------


@dataclass
class TheirRows:
    """Every row of a foreign database's data tables, checked.

    ``rows[table]`` is a list of dicts with the *current* schema's columns
    (UUIDs as :class:`uuid.UUID`, times aware UTC, flags as bool)."""

    source: Path
    version: int
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def count(self) -> int:
        return sum(len(r) for r in self.rows.values())


def _authorizer(action, arg1, arg2, _db, _trigger):
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 in _PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


class UntrustedDb:
    """A checked, read-only private copy of someone else's database. Use
    :func:`open_untrusted`; close it (or use ``with``) to delete the copy."""

    def __init__(self, source: Path, folder: Path, con: sqlite3.Connection, version: int, catalogue: dict):
        self.source = source
        self.version = version
        self._folder = folder
        self._con: sqlite3.Connection | None = con
        self._catalogue = catalogue

    def __enter__(self) -> UntrustedDb:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None
        shutil.rmtree(self._folder, ignore_errors=True)

    def _damaged(self, what: str) -> StoreError:
        return StoreError(f"{self.source}: damaged Annotator database: {what}")

    def _select(self, table: str) -> list[dict]:
        """The table's rows, each value converted and checked for its column."""
        columns = SQLModel.metadata.tables[table].columns
        if table not in self._catalogue:  # added by a later schema version
            return []
        present = {c[0] for c in self._catalogue[table]["columns"]}
        read = [c for c in columns if c.name in present]
        missing = {c.name: _default(c) for c in columns if c.name not in present}
        sql = "SELECT " + ", ".join(f'"{c.name}"' for c in read) + f' FROM "{table}" ORDER BY rowid'
        names = [c.name for c in read]
        convert = [_memo(_converter(c)) if _repeats(c) else _converter(c) for c in read]
        out = []
        assert self._con is not None
        n = 0
        try:
            for n, raw in enumerate(self._con.execute(sql), 1):
                try:
                    values = [None if v is None else conv(v) for conv, v in zip(convert, raw, strict=True)]
                except _Bad as exc:
                    name = next(c.name for c, v, conv in zip(read, raw, convert, strict=True) if v is not None and _fails(conv, v))
                    raise self._damaged(f"{table} row {n}: {name} {exc}") from None
                row = dict(zip(names, values, strict=True))
                if missing:
                    row.update(missing)
                out.append(row)
        except sqlite3.Error as exc:
            raise self._damaged(f"reading {table} (row {n + 1}): {exc}") from None
        for c in read:  # NOT NULL is in the checked catalogue, but say so clearly if it ever is not
            if not c.nullable and any(r[c.name] is None for r in out):
                raise self._damaged(f"{table}: {c.name} is empty")
        return out

    def read(self) -> TheirRows:
        """All data rows, checked one by one and against each other."""
        rows = {t: self._select(t) for t in DATA_TABLE_NAMES}
        self._check(rows)
        return TheirRows(self.source, self.version, rows)

    def _check(self, rows: dict[str, list[dict]]) -> None:
        docs = {}
        for d in rows["document"]:
            if not _SHA.fullmatch(d["sha256"]) or hashlib.sha256(d["text"].encode("utf-8")).hexdigest() != d["sha256"]:
                raise self._damaged(f"document {d['id']}: its text does not match its SHA-256")
            if d["direction"] not in Direction.__members__.values():
                raise self._damaged(f"document {d['id']}: direction {_show(d['direction'])} is unknown")
            docs[d["id"]] = d["text"]
        kinds = set(LabelKind.__members__.values())
        labels = set()
        for lb in rows["label"]:
            if lb["kind"] not in kinds:
                raise self._damaged(f"label {lb['id']}: kind {_show(lb['kind'])} is unknown")
            labels.add(lb["id"])
        entities = set()
        for e in rows["entity"]:
            if e["kind"] not in kinds:
                raise self._damaged(f"entity {e['id']}: kind {_show(e['kind'])} is unknown")
            entities.add(e["id"])
        anns = set()
        for a in rows["annotation"]:
            text = docs.get(a["document_id"])
            if text is None:
                raise self._damaged(f"annotation {a['id']}: its document {a['document_id']} is missing")
            if a["label_id"] not in labels:
                raise self._damaged(f"annotation {a['id']}: its label {a['label_id']} is missing")
            if a["entity_id"] is not None and a["entity_id"] not in entities:
                raise self._damaged(f"annotation {a['id']}: its entity {a['entity_id']} is missing")
            start, end = a["start"], a["end"]
            if not (0 <= start < end <= len(text)):
                raise self._damaged(f"annotation {a['id']}: span {start}..{end} is outside its document (0..{len(text)})")
            if text[start:end] != a["exact"]:
                raise self._damaged(f"annotation {a['id']}: its quote is not the text at {start}..{end}")
            pieces = a["fragments"]
            if pieces is not None and not (
                len(pieces) >= 2
                and pieces[0][0] == start
                and pieces[-1][1] == end
                and all(s < e for s, e in pieces)
                and all(pieces[i][1] <= pieces[i + 1][0] for i in range(len(pieces) - 1))
            ):
                raise self._damaged(f"annotation {a['id']}: its fragments are not ordered pieces of {start}..{end}")
            anns.add(a["id"])
        for x in rows["annotation_extra"]:
            if x["annotation_id"] not in anns:
                raise self._damaged(f"annotation extra {x['id']}: its annotation {x['annotation_id']} is missing")
            if x["kind"] not in EXTRA_KINDS:
                raise self._damaged(f"annotation extra {x['id']}: kind {_show(x['kind'])} is unknown")
        claimed = set()
        for c in rows["claim"]:
            if c["annotation_id"] not in anns or c["annotation_id"] in claimed:
                raise self._damaged(f"claim {c['id']}: its annotation {c['annotation_id']} is missing or has two claims")
            if c["source_entity_id"] is not None and c["source_entity_id"] not in entities:
                raise self._damaged(f"claim {c['id']}: its source {c['source_entity_id']} is missing")
            if c["source_annotation_id"] is not None and c["source_annotation_id"] not in anns:
                raise self._damaged(f"claim {c['id']}: its source mention {c['source_annotation_id']} is missing")
            claimed.add(c["annotation_id"])
        for s in rows["claim_subject"]:
            if s["claim_annotation_id"] not in anns or s["entity_id"] not in entities:
                raise self._damaged(f"claim subject {s['id']}: refers to a missing annotation or entity")
        for link in rows["claim_link"]:
            if link["from_annotation_id"] not in anns or link["to_annotation_id"] not in anns:
                raise self._damaged(f"claim link {link['id']}: refers to a missing annotation")


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def _private_copy(source: Path, folder: Path) -> Path:
    """Copy the file and its sidecars; fold them into the copy. Returns the copy."""
    copy = folder / "theirs.db"
    shutil.copyfile(source, copy)
    sidecars = False
    for suffix in ("-wal", "-journal"):
        side = Path(f"{source}{suffix}")
        if side.is_file() and side.stat().st_size > 0:
            shutil.copyfile(side, Path(f"{copy}{suffix}"))
            sidecars = True
    if sidecars:
        con = sqlite3.connect(copy, isolation_level=None)
        try:
            con.execute("PRAGMA trusted_schema=OFF")
            con.execute("PRAGMA journal_mode=DELETE")  # folds a WAL in; a hot journal is rolled back on first read
            con.execute("PRAGMA schema_version").fetchone()
        finally:
            con.close()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
    return copy


def _connect_readonly(copy: Path) -> sqlite3.Connection:
    uri = f"file:{quote(copy.as_posix())}?mode=ro&immutable=1"
    con = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    for pragma in ("trusted_schema=OFF", "query_only=ON", "cell_size_check=ON", "mmap_size=0"):
        con.execute(f"PRAGMA {pragma}")
    con.set_authorizer(_authorizer)
    return con


_COPY_PREFIX = "annotator-merge-"


def _sweep_stale_copies(root: Path) -> None:
    """Remove private copies left by a process that was killed mid-merge
    (its pid is in the folder's name and no such process runs any more)."""
    try:
        candidates = list(root.glob(f"{_COPY_PREFIX}*-*"))
    except OSError:
        return
    for folder in candidates:
        pid = folder.name[len(_COPY_PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)  # raises if no such process
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # another user's process, or the folder went meanwhile
            continue


def open_untrusted(path: Path | str, *, tmp_dir: Path | str | None = None) -> UntrustedDb:
    """Check someone else's database file and open a private read-only copy.

    Raises :class:`StoreError` (one line naming the file) for a missing,
    foreign, damaged, altered or newer file. See the module docstring."""
    source = Path(path).expanduser()
    try:
        st = source.stat()
    except FileNotFoundError:
        raise StoreError(f"{source}: no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"{source}: not a database file (a folder or device)")
    if st.st_size < 100 or not _is_sqlite(source):
        raise StoreError(f"{source}: not an Annotator database (not an SQLite file)")
    _sweep_stale_copies(Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-", dir=tmp_dir))
    con = None
    try:
        os.chmod(folder, 0o700)
        copy = _private_copy(source, folder)
        con = _connect_readonly(copy)
        version, catalogue = _check_file(source, con)
        return UntrustedDb(source, folder, con, version, catalogue)
    except sqlite3.Error as exc:
        if con is not None:
            con.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise StoreError(f"{source}: not a database or damaged ({exc})") from None
    except BaseException:
        if con is not None:
            con.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _check_file(source: Path, con: sqlite3.Connection) -> tuple[int, dict]:
    def fetch(sql: str) -> list[tuple]:
        return con.execute(sql).fetchall()

    master = fetch("SELECT type, name, tbl_name, sql FROM sqlite_master")
    for kind, name, _tbl, sql in master:
        if kind in ("trigger", "view"):
            raise StoreError(
                f"{source}: refused: the file contains a {kind} ({_show(name)}), which an Annotator "
                "database never has; it was altered and may be hostile"
            )
        if kind == "table" and not (isinstance(sql, str) and sql.lstrip().upper().startswith("CREATE TABLE")):
            raise StoreError(f"{source}: refused: {_show(name)} is not a plain table (a virtual table?); the file was altered")
        if kind not in ("table", "index"):
            raise StoreError(f"{source}: refused: unexpected schema object {kind} {_show(name)}")
    problems = [r[0] for r in fetch("PRAGMA integrity_check(5)")]
    if problems != ["ok"]:
        raise StoreError(f"{source}: damaged database file (integrity check: {_show(problems[0])[1:-1]})")
    tables = {name for kind, name, _t, _s in master if kind == "table" and not name.startswith("sqlite_stat")}
    if "schema_info" not in tables:
        raise StoreError(f"{source}: not an Annotator database (it has no schema_info table)")
    if _table_shape(fetch, "schema_info") != expected_catalogue(1)["schema_info"]:
        raise StoreError(f"{source}: not an Annotator database (its schema_info table is not ours)")
    info: dict[str, str] = {}
    for key, value in fetch('SELECT "key", "value" FROM schema_info'):
        if isinstance(key, str) and isinstance(value, str):
            info[key] = value
    if info.get("application") != APPLICATION:
        raise StoreError(f"{source}: not an Annotator database (schema_info names another application)")
    raw = info.get("schema_version", "")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 7 and int(raw) >= 1):
        raise StoreError(f"{source}: damaged Annotator database: schema version missing or unreadable")
    version = int(raw)
    if version > CURRENT_VERSION:
        raise StoreError(
            f"{source}: written by a newer Annotator (schema {version}; this version reads up to {CURRENT_VERSION})"
        )
    expected = expected_catalogue(version)
    extra = sorted(tables - set(expected))
    if extra:
        raise StoreError(f"{source}: refused: table {_show(extra[0])} is not part of an Annotator database (schema {version})")
    missing = sorted(set(expected) - tables)
    if missing:
        raise StoreError(f"{source}: damaged Annotator database: table {missing[0]} is missing (schema {version})")
    indexes = {name for kind, name, _t, _s in master if kind == "index"}
    known = {i for shape in expected.values() for i in shape["indexes"]}
    if indexes - known:
        raise StoreError(f"{source}: refused: index {_show(sorted(indexes - known)[0])} is not part of an Annotator database")
    for name in sorted(expected):
        shape = _table_shape(fetch, name)
        for part in ("columns", "indexes", "foreign_keys"):
            if shape[part] != expected[name][part]:
                raise StoreError(
                    f"{source}: damaged Annotator database: the {part.replace('_', ' ')} of table {name} "
                    f"are not those of schema {version}"
                )
    dangling = fetch("PRAGMA foreign_key_check")
    if dangling:
        table, rowid, parent, _fk = dangling[0]
        raise StoreError(f"{source}: damaged Annotator database: row {rowid} of {table} refers to a missing {parent} row")
    return version, expected


def read_untrusted(path: Path | str, *, tmp_dir: Path | str | None = None) -> TheirRows:
    """Open, check and read someone else's database in one go (the copy is deleted after)."""
    with open_untrusted(path, tmp_dir=tmp_dir) as db:
        return db.read()


__all__ = ["DATA_TABLE_NAMES", "TheirRows", "UntrustedDb", "expected_catalogue", "open_untrusted", "read_untrusted", "uuid_from_hex"]
