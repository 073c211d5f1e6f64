"""Bulk inserts and id lookups compiled once per table and dialect, run as
one DBAPI call each (see :class:`InsertPlan` and :class:`IdLookup`): the
store's fast path for 10,000-row imports and merges."""

from __future__ import annotations

import itertools
import operator
import typing
import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from enum import Enum

from sqlalchemy import Connection, bindparam, select

class InsertPlan:
    """How rows of one dataclass go into one table on one dialect, in bulk.

    The statement is SQLAlchemy's own ``insert()`` compiled for the dialect
    (portable: SQLAlchemy writes the SQL and its placeholders), run as one
    DBAPI ``executemany`` through :meth:`Connection.exec_driver_sql`. Bind
    values are made here with each column type's own bind processor (the
    one SQLAlchemy would apply), column by column: a column whose values
    repeat (the document, the label, a batch's shared timestamps, the
    tombstone flag) has each distinct value processed once, not once per row
    — that per-value processing was most of the time of a 10,000-row insert.
    Distinct means the same object, or, for UUIDs, times and flags (whose
    equal values are stored alike), an equal value; every row's own empty
    JSON list is one value too.
    """

    __slots__ = ("convert", "getter", "names", "positional", "sql")

    def __init__(self, table, cls, dialect):
        field_names = tuple(f.name for f in fields(cls))
        compiled = table.insert().compile(dialect=dialect, column_keys=list(field_names))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = tuple(compiled.positiontup) if self.positional else field_names
        if set(order) != set(field_names):
            raise RuntimeError(f"cannot insert {cls.__name__} rows into {table.name}: the columns do not match its fields")
        self.names = order
        self.getter = operator.attrgetter(*order)
        hints = typing.get_type_hints(cls)
        self.convert = []  # (position, processor, each value | per object | per equal value)
        for i, name in enumerate(order):
            col = table.c[name]
            proc = col.type.dialect_impl(dialect).bind_processor(dialect)
            hint = hints.get(name)
            if any(isinstance(t, type) and issubclass(t, Enum) for t in (hint, *typing.get_args(hint))):
                proc = _enum_value if proc is None else (lambda v, p=proc: p(_enum_value(v)))
            if proc is not None:
                try:
                    by_value = col.type.python_type in (uuid.UUID, datetime, bool)
                except NotImplementedError:
                    by_value = False
                self.convert.append((i, proc, _EACH if col.primary_key else _BY_VALUE if by_value else _BY_OBJECT))

    def rows(self, objs: Sequence) -> list:
        cols = list(zip(*map(self.getter, objs))) if len(self.names) > 1 else [[self.getter(o) for o in objs]]
        for i, proc, how in self.convert:
            if how == _EACH:  # the primary key: every value differs
                cols[i] = list(map(proc, cols[i]))
                continue
            # Few distinct values: the document's and labels' ids, shared
            # times, flags, None. Found by object identity first (the rows of
            # a batch share those objects; hashing a UUID is Python code, a
            # JSON list cannot be hashed), each object kept alive by the
            # column while its id is in use.
            first = cols[i][0]
            if all(map(operator.is_, cols[i], itertools.repeat(first))):  # one object in every row
                cols[i] = [proc(first)] * len(cols[i])
                continue
            keys = list(map(id, cols[i]))
            objects = dict(zip(keys, cols[i]))
            if how == _BY_VALUE and len(objects) > 1:  # equal times parsed one by one: processed once
                done = {v: proc(v) for v in set(objects.values())}
                memo = {k: done[v] for k, v in objects.items()}
            elif len(objects) > 1:  # (every row's own empty list of aliases: one "[]")
                empty: dict = {}
                memo = {
                    k: (empty[type(v)] if type(v) in empty else empty.setdefault(type(v), proc(v)))
                    if (type(v) is list or type(v) is dict) and not v else proc(v)
                    for k, v in objects.items()
                }
            else:
                memo = {k: proc(v) for k, v in objects.items()}
            cols[i] = list(map(memo.__getitem__, keys))
        rows = list(zip(*cols))
        return rows if self.positional else [dict(zip(self.names, r)) for r in rows]


_EACH, _BY_OBJECT, _BY_VALUE = range(3)


def _enum_value(v):
    return v.value if isinstance(v, Enum) else v


_PLANS: dict[tuple, InsertPlan] = {}
IN_CHUNK = 500


class IdLookup:
    """Which of a chunk of ids a table holds (:func:`existing_ids`):
    SQLAlchemy's ``select(id).where(id.in_(…))`` with :data:`IN_CHUNK`
    placeholders, compiled once for the dialect and run through
    :meth:`Connection.exec_driver_sql` (a short chunk repeats its last id),
    the ids bound and read with the column type's own processors. An
    expanding IN renders its list and processes each id anew on every run:
    most of the time of checking an import's 10,000 ids."""

    __slots__ = ("bind", "names", "read", "sql")

    def __init__(self, table, dialect):
        col = table.c.id
        places = [bindparam(f"id{k}", type_=col.type) for k in range(IN_CHUNK)]
        compiled = select(col).where(col.in_(places)).compile(dialect=dialect)
        self.sql = compiled.string
        self.names = None if compiled.positional else [f"id{k}" for k in range(IN_CHUNK)]
        impl = col.type.dialect_impl(dialect)
        self.bind = impl.bind_processor(dialect)
        self.read = impl.result_processor(dialect, None)

    def run(self, conn: Connection, ids: list) -> list:
        ids = ids + ids[-1:] * (IN_CHUNK - len(ids))
        values = list(map(self.bind, ids)) if self.bind else ids
        params = tuple(values) if self.names is None else dict(zip(self.names, values))
        found = [row[0] for row in conn.exec_driver_sql(self.sql, params)]
        return list(map(self.read, found)) if self.read else found


_EXISTING: dict[tuple, IdLookup] = {}


def insert_many(conn: Connection, table, objs: Sequence) -> None:
    """Insert dataclass rows (all of one class) in one executemany."""
    key = (table, type(objs[0]), conn.dialect.name, conn.dialect.paramstyle)
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = InsertPlan(table, type(objs[0]), conn.dialect)
    conn.exec_driver_sql(plan.sql, plan.rows(objs))


def existing_ids(conn: Connection, table, wanted: list) -> set[uuid.UUID]:
    """Which of ``wanted`` the table holds."""
    key = (table, conn.dialect.name, conn.dialect.paramstyle)
    lookup = _EXISTING.get(key)
    if lookup is None:
        lookup = _EXISTING[key] = IdLookup(table, conn.dialect)
    found: set[uuid.UUID] = set()
    for i in range(0, len(wanted), IN_CHUNK):
        found.update(lookup.run(conn, wanted[i : i + IN_CHUNK]))
    return found
