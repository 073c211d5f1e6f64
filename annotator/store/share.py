"""Need-to-know sharing: a new database holding only the chosen documents.

:func:`share` writes the documents with every annotation on them (tombstones
included, so deletions reach the recipient and come back on a merge), their
claim rows, the claim subjects of those claims, the claim links whose both
ends are among those annotations, the labels those annotations use, and the
entities they, their claims' sources and subjects refer to (with the entity
an included one was merged into). Every row is copied exactly: same UUID,
creator and times, so merging the file back changes nothing.

One row may be trimmed: a claim whose source *mention* lies in a document
not shared is written without that mention (its source entity is kept). Its
``modified`` time is not changed; if the recipient merges it back unedited,
the merge keeps our version (on equal times the fuller version wins) and
lists the trimmed one as a conflict.

What an import carried beyond our columns (``annotation_extra``) goes with
its annotation; the suggestions the analyst rejected in a document
(``rejected_suggestion``, tombstones included) go with it, with the labels
and entities they name.

The file is written next to the target under a temporary name, closed
(folding its WAL in) and renamed over the target only when complete; an
existing file is replaced only when asked.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from ..core.errors import InputError, NotFound, StoreError
from .database import Database, describe_error, open_database
from .sqlite import search_index
from .sqlite.untrusted import DATA_TABLE_NAMES

_CHUNK = 500


@dataclass
class ShareReport:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)  # rows written per table
    trimmed_sources: int = 0  # claims written without a source mention from a document not shared


def _table(name: str):
    return SQLModel.metadata.tables[name]


def _rows_in(conn: Connection, name: str, column: str, values: Iterable) -> list[dict]:
    table = _table(name)
    wanted = list(dict.fromkeys(values))
    out: list[dict] = []
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        stmt = select(*table.columns).where(table.c[column].in_(chunk)).order_by(table.c.created, table.c.id)
        out.extend(dict(r) for r in conn.execute(stmt).mappings())
    return out


def collect(conn: Connection, doc_ids: Sequence[uuid.UUID]) -> tuple[dict[str, list[dict]], int]:
    """The rows :func:`share` writes for ``doc_ids``, by table; and how many
    claims lose a source mention outside them."""
    docs = _rows_in(conn, "document", "id", doc_ids)
    found = {d["id"] for d in docs if not d["deleted"]}
    missing = [i for i in doc_ids if i not in found]
    if missing:
        raise NotFound(f"no document {missing[0]}")
    anns = _rows_in(conn, "annotation", "document_id", doc_ids)
    ann_ids = {a["id"] for a in anns}
    extras = _rows_in(conn, "annotation_extra", "annotation_id", ann_ids)
    claims = _rows_in(conn, "claim", "annotation_id", ann_ids)
    trimmed = 0
    for c in claims:
        if c["source_annotation_id"] is not None and c["source_annotation_id"] not in ann_ids:
            c["source_annotation_id"] = None
            trimmed += 1
    subjects = _rows_in(conn, "claim_subject", "claim_annotation_id", ann_ids)
    links = [r for r in _rows_in(conn, "claim_link", "from_annotation_id", ann_ids) if r["to_annotation_id"] in ann_ids]
    rejections = _rows_in(conn, "rejected_suggestion", "document_id", doc_ids)
    wanted = {a["entity_id"] for a in anns} | {c["source_entity_id"] for c in claims} | {s["entity_id"] for s in subjects}
    wanted |= {r["entity_id"] for r in rejections}
    wanted.discard(None)
    entities: dict[uuid.UUID, dict] = {}
    while wanted:
        rows = _rows_in(conn, "entity", "id", wanted)
        entities.update((e["id"], e) for e in rows)
        wanted = {e["merged_into"] for e in rows if e["merged_into"] is not None} - set(entities)
    labels = _rows_in(conn, "label", "id", {a["label_id"] for a in anns} | {r["label_id"] for r in rejections})
    ordered_entities = sorted(entities.values(), key=lambda e: (e["created"], str(e["id"])))
    rows = {
        "document": docs,
        "label": labels,
        "entity": ordered_entities,
        "annotation": anns,
        "annotation_extra": extras,
        "claim": claims,
        "claim_subject": subjects,
        "claim_link": links,
        "rejected_suggestion": rejections,
    }
    return rows, trimmed


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            os.unlink(f"{path}{suffix}")


def share(db: Database, doc_ids: Sequence[uuid.UUID], out_path: Path | str, *, overwrite: bool = False) -> ShareReport:
    """Write a new database at ``out_path`` holding only ``doc_ids`` and what
    they need (see the module docstring). Refuses to replace an existing
    file unless ``overwrite``; never replaces the database being shared."""
    out = Path(out_path).expanduser()
    if not doc_ids:
        raise InputError("choose at least one document to share")
    if not out.parent.is_dir():
        raise InputError(f"{out.parent}: no such folder")
    if out.is_dir():
        raise InputError(f"{out}: is a folder, not a file")
    if out.exists() and out.resolve() == db.path.resolve():
        raise InputError(f"{out}: is the database being shared; choose another file")
    if out.exists() and not overwrite:
        raise InputError(f"{out}: already exists (choose another name, or replace it with --force)")
    with db.repo.read_connection() as conn:
        rows, trimmed = collect(conn, list(dict.fromkeys(doc_ids)))
    tmp = out.parent / f".{out.name}.{uuid.uuid4().hex[:12]}.part"
    try:
        try:
            target = open_database(tmp)
        except StoreError as exc:  # creating the file failed: say which file the user asked for
            raise StoreError(str(exc).replace(str(tmp), str(out), 1)) from None
        try:
            with target.engine.begin() as conn:
                for name in DATA_TABLE_NAMES:
                    if rows[name]:
                        conn.execute(_table(name).insert(), rows[name])
                search_index.rebuild(conn)  # rows written here, not through the repository: index them all
        except DBAPIError as exc:  # the disk filled up, the folder turned read-only…: name the file written
            raise StoreError(describe_error(exc, out)) from None
        finally:
            target.close()  # the last connection closing folds the WAL into the file
        if Path(f"{tmp}-wal").exists():
            raise OSError(f"{tmp}: the new database was not closed cleanly")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    return ShareReport(out, {name: len(rows[name]) for name in DATA_TABLE_NAMES}, trimmed)


__all__ = ["ShareReport", "collect", "share"]
