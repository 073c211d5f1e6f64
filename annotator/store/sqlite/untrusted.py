"""Reading a database file from someone else: untrusted input.

**SQLite-specific**, inside :mod:`annotator.store.sqlite`, the package that
holds every piece of SQLite-only SQL: checking a foreign file before
trusting any of it is about the file format, not about SQL.

What is checked where
  * Opening a file for work (``--db``, *Open database…*):
    :func:`.schema_check.check_for_work` runs the schema checks below (step
    4) on the file itself, read-only, before it is opened for writing; then
    ``open_database`` runs ``PRAGMA quick_check``. A refused file is left
    exactly as it was, with nothing created beside it.
  * Merging a file (:func:`open_untrusted`, this module): all of it.

What :func:`open_untrusted` does before a single row is read:

1. The path must be a regular file starting with the SQLite header.
2. Sizes, from the file system and the file's header
   (:mod:`.file_header`): the file, and what SQLite will read of it (page
   count x page size) with its ``-wal`` and ``-journal``, may not pass
   :data:`~annotator.core.limits.MAX_DATABASE_BYTES`.
3. What SQLite will read, and no more, is copied into a private temporary
   folder (mode 0700), with the ``-wal`` (committed transactions not yet
   folded into the main file are part of their database) and a hot
   ``-journal``. Only when such a sidecar was copied is the *private copy*
   opened read-write, once, to fold the WAL in or roll the journal back
   (``journal_mode=DELETE``), and its size checked again; their file is
   never opened, let alone written. No ``-shm`` is copied: SQLite rebuilds
   it from the WAL.
4. The copy is opened read-only and immutable, with ``trusted_schema``
   off, ``query_only`` on, ``cell_size_check`` on, and an authorizer that
   allows nothing but reading, a fixed list of PRAGMAs and ``length()``.
   :func:`.schema_check.check_catalogue`: no trigger, view or virtual
   table; ``schema_info`` names ``annotator`` and a schema version this
   program reads; the tables, columns, indexes, foreign keys and CREATE
   statements are exactly those of that version.
5. ``PRAGMA integrity_check`` must say ``ok`` and ``PRAGMA
   foreign_key_check`` find no dangling reference.

Then :meth:`UntrustedDb.read`: no document's text may pass
:data:`~annotator.core.limits.MAX_TEXT_BYTES`, the limit of an imported one
(asked of SQLite before any text is read into memory). An older file
(schema 1 to 3) is read as it is — the private copy is not migrated:
columns that later versions added take their defaults, tables they added
are empty. Rows are read with SELECTs of named columns (never ``*``), and
every value is checked (:mod:`.untrusted_values`): a document's text
matches its SHA-256, every annotation and rejected suggestion lies inside
its document and quotes it exactly, a label's name holds no NUL or other
control character, and every reference points to a row in the file.
Anything else is refused with one line saying what is wrong; nothing is
repaired silently.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import SQLModel

from ...core.errors import StoreError
from ...core.label_names import first_control
from ...core.limits import MAX_DATABASE_BYTES, MAX_TEXT_BYTES
from ...core.model import EXTRA_KINDS, Direction, LabelKind
from .file_header import copy_prefix, is_sqlite, read_header
from .schema_check import check_catalogue, connect_readonly, expected_catalogue, show
from .untrusted_values import Bad, converter, default_of, fails, memo, repeats, uuid_from_hex

DATA_TABLE_NAMES = (
    "document", "label", "entity", "annotation", "annotation_extra", "claim", "claim_subject", "claim_link", "rejected_suggestion",
)  # fmt: skip
"""The tables a merge reads, in an order where every reference points backwards."""

_SHA = re.compile(r"[0-9a-f]{64}")
_MB = 1024 * 1024


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
        missing = {c.name: default_of(c) for c in columns if c.name not in present}
        sql = "SELECT " + ", ".join(f'"{c.name}"' for c in read) + f' FROM "{table}" ORDER BY rowid'
        names = [c.name for c in read]
        convert = [memo(converter(c)) if repeats(c) else converter(c) for c in read]
        out = []
        assert self._con is not None
        n = 0
        try:
            for n, raw in enumerate(self._con.execute(sql), 1):
                try:
                    values = [None if v is None else conv(v) for conv, v in zip(convert, raw, strict=True)]
                except Bad as exc:
                    name = next(c.name for c, v, conv in zip(read, raw, convert, strict=True) if v is not None and fails(conv, v))
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

    def _check_document_sizes(self) -> None:
        """No text over the limit of an imported document, asked before any
        text is read into memory."""
        assert self._con is not None
        sql = 'SELECT "id", length(CAST("text" AS BLOB)) FROM document WHERE length(CAST("text" AS BLOB)) > ? LIMIT 1'
        try:
            big = self._con.execute(sql, (MAX_TEXT_BYTES,)).fetchone()
        except sqlite3.Error as exc:
            raise self._damaged(f"reading document: {exc}") from None
        if big is not None:
            raise StoreError(
                f"{self.source}: refused: document {show(big[0])} holds {big[1] // _MB} MB of text, more than the "
                f"{MAX_TEXT_BYTES // _MB} MB limit of an imported document (nothing was copied into your database)"
            )

    def read(self) -> TheirRows:
        """All data rows, checked one by one and against each other."""
        self._check_document_sizes()
        rows = {t: self._select(t) for t in DATA_TABLE_NAMES}
        self._check(rows)
        return TheirRows(self.source, self.version, rows)

    def _check(self, rows: dict[str, list[dict]]) -> None:
        docs = {}
        for d in rows["document"]:
            if not _SHA.fullmatch(d["sha256"]) or hashlib.sha256(d["text"].encode("utf-8")).hexdigest() != d["sha256"]:
                raise self._damaged(f"document {d['id']}: its text does not match its SHA-256")
            if d["direction"] not in Direction.__members__.values():
                raise self._damaged(f"document {d['id']}: direction {show(d['direction'])} is unknown")
            docs[d["id"]] = d["text"]
        kinds = set(LabelKind.__members__.values())
        labels = set()
        for lb in rows["label"]:
            if lb["kind"] not in kinds:
                raise self._damaged(f"label {lb['id']}: kind {show(lb['kind'])} is unknown")
            bad = first_control(lb["name"])
            if bad is not None:
                what = "a NUL character" if bad == "\0" else f"a control character (U+{ord(bad):04X})"
                raise self._damaged(f"label {lb['id']}: name {show(lb['name'])} contains {what}")
            labels.add(lb["id"])
        entities = set()
        for e in rows["entity"]:
            if e["kind"] not in kinds:
                raise self._damaged(f"entity {e['id']}: kind {show(e['kind'])} is unknown")
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
                raise self._damaged(f"annotation extra {x['id']}: kind {show(x['kind'])} is unknown")
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
        for r in rows["rejected_suggestion"]:
            text = docs.get(r["document_id"])
            if text is None or r["label_id"] not in labels:
                raise self._damaged(f"rejected suggestion {r['id']}: its document or label is missing")
            if r["entity_id"] is not None and r["entity_id"] not in entities:
                raise self._damaged(f"rejected suggestion {r['id']}: its entity {r['entity_id']} is missing")
            start, end = r["start"], r["end"]
            if not (0 <= start < end <= len(text)):
                raise self._damaged(f"rejected suggestion {r['id']}: span {start}..{end} is outside its document (0..{len(text)})")
            if text[start:end] != r["exact"]:
                raise self._damaged(f"rejected suggestion {r['id']}: its quote is not the text at {start}..{end}")


def _too_large(source: Path, size: int, what: str) -> StoreError:
    return StoreError(
        f"{source}: refused: {what} {-(-size // _MB)} MB, more than the {MAX_DATABASE_BYTES // _MB} MB limit "
        "for a database to merge (nothing was copied); ask its sender to share fewer documents (annotator share)"
    )


def _private_copy(source: Path, size: int, folder: Path) -> Path:
    """Copy what SQLite reads of the file and its sidecars, within the limit;
    fold the sidecars into the copy. Returns the copy."""
    header = read_header(source, size)
    main = min(size, header.size)
    sidecars = {}
    for suffix in ("-wal", "-journal"):
        side = Path(f"{source}{suffix}")
        if side.is_file() and side.stat().st_size > 0:
            sidecars[suffix] = side.stat().st_size
    total = main + sum(sidecars.values())
    if total > MAX_DATABASE_BYTES:
        raise _too_large(source, total, "with its -wal, it holds" if sidecars else "its header says it holds")
    copy = folder / "theirs.db"
    copy_prefix(source, copy, main)
    for suffix, nbytes in sidecars.items():
        copy_prefix(Path(f"{source}{suffix}"), Path(f"{copy}{suffix}"), nbytes)
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
        folded = copy.stat().st_size
        if max(folded, read_header(copy, folded).size) > MAX_DATABASE_BYTES:
            raise _too_large(source, max(folded, read_header(copy, folded).size), "with its -wal folded in, it holds")
    return copy


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
    foreign, too large, damaged, altered or newer file. See the module docstring."""
    source = Path(path).expanduser()
    try:
        st = source.stat()
    except FileNotFoundError:
        raise StoreError(f"{source}: no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise StoreError(f"{source}: not a database file (a folder or device)")
    if st.st_size < 100 or not is_sqlite(source):
        raise StoreError(f"{source}: not an Annotator database (not an SQLite file)")
    if st.st_size > MAX_DATABASE_BYTES:
        raise _too_large(source, st.st_size, "the file is")
    _sweep_stale_copies(Path(tmp_dir) if tmp_dir is not None else Path(tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=f"{_COPY_PREFIX}{os.getpid()}-", dir=tmp_dir))
    con = None
    try:
        os.chmod(folder, 0o700)
        copy = _private_copy(source, st.st_size, folder)
        con = connect_readonly(copy, immutable=True, functions=frozenset({"length"}))
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
    version, catalogue = check_catalogue(source, con)
    if version is None:
        raise StoreError(f"{source}: not an Annotator database (it has no tables)")
    problems = [r[0] for r in con.execute("PRAGMA integrity_check(5)").fetchall()]
    if problems != ["ok"]:
        raise StoreError(f"{source}: damaged database file (integrity check: {show(problems[0])[1:-1]})")
    dangling = con.execute("PRAGMA foreign_key_check").fetchall()
    if dangling:
        table, rowid, parent, _fk = dangling[0]
        raise StoreError(f"{source}: damaged Annotator database: row {rowid} of {table} refers to a missing {parent} row")
    return version, catalogue


def read_untrusted(path: Path | str, *, tmp_dir: Path | str | None = None) -> TheirRows:
    """Open, check and read someone else's database in one go (the copy is deleted after)."""
    with open_untrusted(path, tmp_dir=tmp_dir) as db:
        return db.read()


__all__ = ["DATA_TABLE_NAMES", "TheirRows", "UntrustedDb", "expected_catalogue", "open_untrusted", "read_untrusted", "uuid_from_hex"]
