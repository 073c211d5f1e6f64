"""Schema versions and migrations: a small ordered list, not Alembic.

Why not Alembic: migrations here run inside the desktop app on the user's own
file (and on a colleague's file before a merge), with no migration scripts
folder or command-line step; an ordered list of Python functions, each
using portable SQLAlchemy DDL, is enough and keeps the dependency list short.
If teams move to a PostgreSQL server, each step can be wrapped in Alembic's
``Operations`` without changing its meaning.

The version lives in the ``schema_info`` table (portable), not in SQLite's
``user_version``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, ForeignKeyConstraint, Index, MetaData, Table, inspect, select
from sqlalchemy.schema import CreateColumn
from sqlmodel import SQLModel

from ..core.errors import StoreError
from .paths import APPLICATION, SCHEMA_VERSION
from .tables import (
    AnnotationExtraRow, AnnotationRow, ChangeLogRow, ClaimLinkRow, ClaimRow, ClaimSubjectRow, DocumentRow, EntityRow, MergeConflictRow,
    RejectedSuggestionRow, SchemaInfo,
)  # fmt: skip


_V1_TABLES = ("schema_info", "document", "label", "entity", "annotation", "claim")
_ADDED_AFTER_V1 = {"entity": {"merged_into", "kept"}, "annotation": {"fragments"}}
"""Columns of the v1 tables that later steps add (so version 1 must not create them)."""
_INDEXES_AFTER_V1 = {
    "claim": {"ix_claim_source_entity_id", "ix_claim_grading"},
    "document": {"ix_document_published"},
    "annotation": {"ix_annotation_counts"},
}
"""Indexes on v1 tables that later steps add (6, 7): a file a version wrote
has none of a later version's, and its expected schema (see
:mod:`.sqlite.schema_check`) is built by these steps."""


def _v1_initial(conn: Connection) -> None:
    """The version 1 schema: today's definitions of its tables, less the
    columns later steps add. (Each later step must list what it adds to an
    older table in ``_ADDED_AFTER_V1``.)"""
    meta = MetaData()
    for name in _V1_TABLES:
        table = SQLModel.metadata.tables[name]
        later = _ADDED_AFTER_V1.get(name)
        copy = _copy_without(table, meta, later) if later else table.to_metadata(meta)
        for index in [i for i in copy.indexes if i.name in _INDEXES_AFTER_V1.get(name, ())]:
            copy.indexes.discard(index)
    meta.create_all(conn)


def _copy_without(table: Table, meta: MetaData, later: set[str]) -> Table:
    """``table`` in ``meta`` less the ``later`` columns, keeping the foreign
    keys and table-level indexes on the other columns (``Column._copy`` brings
    a column's own ``index=True`` but not constraints declared on the table)."""
    fks = [
        ForeignKeyConstraint(names, [e.target_fullname for e in fkc.elements], name=fkc.name)
        for fkc in table.foreign_key_constraints
        if not later & set(names := [c.name for c in fkc.columns])
    ]
    copy = Table(table.name, meta, *(c._copy() for c in table.columns if c.name not in later), *fks)
    for index in table.indexes:
        cols = [c.name for c in index.columns]
        if index.name not in {i.name for i in copy.indexes} and not later & set(cols):
            Index(index.name, *(copy.c[c] for c in cols), unique=index.unique)
    return copy


def _add_column(conn: Connection, table: Table, name: str) -> None:
    """``ALTER TABLE … ADD COLUMN`` for a column defined in :mod:`.tables`.

    SQLAlchemy has no portable construct for adding a column, so the column
    clause is SQLAlchemy's own ``CreateColumn`` compiled for the connection's
    dialect (``CHAR(32)`` for a UUID on SQLite, ``UUID`` on PostgreSQL) and
    the names are quoted by the dialect's identifier preparer. ``ALTER TABLE
    … ADD COLUMN`` itself is standard SQL that both accept. The column must
    be nullable or have a server default, so existing rows stay valid.
    """
    column = table.c[name]
    if not (column.nullable or column.server_default is not None):
        raise ValueError(f"{table.name}.{name}: a column added to existing rows must be nullable")
    clause = CreateColumn(column).compile(dialect=conn.dialect)
    quoted = conn.dialect.identifier_preparer.format_table(table)
    conn.exec_driver_sql(f"ALTER TABLE {quoted} ADD COLUMN {clause}")


def _v2_tradecraft(conn: Connection) -> None:
    """Claim subjects and links between claims; entities remember a merge."""
    SQLModel.metadata.create_all(conn, tables=[ClaimSubjectRow.__table__, ClaimLinkRow.__table__])
    _add_column(conn, EntityRow.__table__, "merged_into")


def _v3_merge_conflicts(conn: Connection) -> None:
    """The versions of rows that lost a merge, for review and reversal."""
    SQLModel.metadata.create_all(conn, tables=[MergeConflictRow.__table__])


def _v4_fragments_extras(conn: Connection) -> None:
    """Discontinuous spans (annotation.fragments) and what imports carry
    beyond our columns (annotation_extra: brat attributes, normalisations,
    relations, source ids)."""
    _add_column(conn, AnnotationRow.__table__, "fragments")
    SQLModel.metadata.create_all(conn, tables=[AnnotationExtraRow.__table__])


def _v5_change_log(conn: Connection) -> None:
    """One row per write transaction: which writer, what it touched (see :mod:`.change_log`)."""
    SQLModel.metadata.create_all(conn, tables=[ChangeLogRow.__table__])


def _v6_entity_life(conn: Connection) -> None:
    """Entities the analyst keeps without references (entity.kept), and the
    index that finds a claim's source when one may have lost its last
    reference (see :mod:`annotator.core.entity_life`)."""
    _add_column(conn, EntityRow.__table__, "kept")
    index = next(i for i in ClaimRow.__table__.indexes if [c.name for c in i.columns] == ["source_entity_id"])
    index.create(conn, checkfirst=True)


def _v7_search(conn: Connection) -> None:
    """The corpus search index, built from every live row (see
    :mod:`annotator.store.search`). SQLite's is FTS5 (:mod:`.sqlite.search_index`)."""
    for table, name in ((ClaimRow, "ix_claim_grading"), (DocumentRow, "ix_document_published"), (AnnotationRow, "ix_annotation_counts")):
        next(i for i in table.__table__.indexes if i.name == name).create(conn, checkfirst=True)
    if conn.dialect.name == "sqlite":
        from .sqlite import search_index

        search_index.create(conn)
        search_index.rebuild(conn)
        search_index.mark_current(conn)


def _v8_rejected_suggestions(conn: Connection) -> None:
    """The suggestions the analyst rejected, so they are not proposed again
    (rejected_suggestion, with its index by document)."""
    SQLModel.metadata.create_all(conn, tables=[RejectedSuggestionRow.__table__])


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "documents, labels, entities, annotations, claims", _v1_initial),
    (2, "claim subjects, claim links, entity.merged_into", _v2_tradecraft),
    (3, "merge conflicts", _v3_merge_conflicts),
    (4, "annotation fragments, annotation extras", _v4_fragments_extras),
    (5, "change log", _v5_change_log),
    (6, "entity.kept, an index on claim.source_entity_id", _v6_entity_life),
    (7, "the corpus search index; indexes on claim gradings, document dates, annotation counts", _v7_search),
    (8, "rejected suggestions", _v8_rejected_suggestions),
]
CURRENT_VERSION = MIGRATIONS[-1][0]
if CURRENT_VERSION != SCHEMA_VERSION:  # the light copy the first look reads by (see .paths)
    raise RuntimeError(f"paths.SCHEMA_VERSION is {SCHEMA_VERSION}, the migrations make {CURRENT_VERSION}")


def stored_version(conn: Connection) -> int | None:
    """Schema version of the database; None for an empty file. Raises for a foreign one."""
    names = set(inspect(conn).get_table_names())
    if not names:
        return None
    if "schema_info" not in names:
        raise StoreError("not an Annotator database (it has other tables and no schema_info)")
    info = dict(conn.execute(select(SchemaInfo.key, SchemaInfo.value)).all())
    if info.get("application") != APPLICATION:
        raise StoreError("not an Annotator database (schema_info names another application)")
    try:
        return int(info["schema_version"])
    except (KeyError, ValueError):
        raise StoreError("damaged Annotator database: schema version missing or unreadable") from None


def _set_version(conn: Connection, version: int) -> None:
    table = SchemaInfo.__table__
    conn.execute(table.delete().where(table.c.key.in_(["application", "schema_version"])))  # other keys stay
    conn.execute(table.insert(), [{"key": "application", "value": APPLICATION}, {"key": "schema_version", "value": str(version)}])


def upgrade(conn: Connection) -> int:
    """Bring the schema to :data:`CURRENT_VERSION` inside the caller's transaction."""
    start = version = stored_version(conn) or 0
    if version > CURRENT_VERSION:
        raise StoreError(
            f"this database was written by a newer Annotator (schema {version}; this version reads up to {CURRENT_VERSION})"
        )
    for target, _what, step in MIGRATIONS:
        if target > version:
            step(conn)
            version = target
    if version != start:
        _set_version(conn, version)
    return version
