"""The values of a colleague's database, each checked for its column as it
is read (see :mod:`.untrusted`): UUIDs are 32 lowercase hex digits, times
parse, flags are 0 or 1, numbers are finite, JSON columns hold the shape
they should. A value that is not is :class:`Bad` (its message says why)."""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, Boolean, Float, Integer, Uuid

from ..tables import UTCDateTime
from .schema_check import show as _show

_HEX32 = re.compile(r"[0-9a-f]{32}")
_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")

class Bad(Exception):
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
    raise Bad(f"is not a UUID ({_show(v)})")


def _time(v) -> datetime:
    m = _TIME.fullmatch(v) if isinstance(v, str) else None
    if m is None:
        raise Bad(f"is not a time ({_show(v)})")
    y, mo, d, h, mi, s, frac = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), int((frac or "0").ljust(6, "0")), tzinfo=UTC)
    except ValueError:
        raise Bad(f"is not a time ({_show(v)})") from None


def _bool(v) -> bool:
    if type(v) is int and v in (0, 1):
        return bool(v)
    raise Bad(f"is not 0 or 1 ({_show(v)})")


def _int(v) -> int:
    if type(v) is int:
        return v
    raise Bad(f"is not an integer ({_show(v)})")


def _float(v) -> float:
    if type(v) in (int, float) and math.isfinite(v):
        return float(v)
    raise Bad(f"is not a finite number ({_show(v)})")


def _str(v) -> str:
    if isinstance(v, str):
        return v
    raise Bad(f"is not text ({_show(v)})")


def _json(v):
    try:
        return json.loads(_str(v))
    except (ValueError, RecursionError):
        raise Bad("is not JSON") from None


def _string_list(v) -> list[str]:
    data = _json(v)
    if isinstance(data, list) and all(isinstance(x, str) for x in data):
        return data
    raise Bad("is not a list of names")


def _pairs(v) -> list[list[int]] | None:
    data = _json(v)
    if data is None:
        return None
    if isinstance(data, list) and all(
        isinstance(p, list) and len(p) == 2 and all(type(x) is int for x in p) for p in data
    ):
        return data
    raise Bad("is not a list of [start, end] pairs")


def _object(v) -> dict:
    data = _json(v)
    if isinstance(data, dict):
        return data
    raise Bad("is not a JSON object")


_JSON_COLUMNS = {("entity", "aliases"): _string_list, ("annotation", "fragments"): _pairs, ("annotation_extra", "value"): _object}
"""How each JSON column is read; a JSON column missing here is refused (see :func:`converter`)."""


def converter(column):
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


def repeats(column) -> bool:
    """A reference column: its few distinct values are worth converting once."""
    return column.name != "id" and isinstance(column.type, Uuid)


def memo(conv):
    seen: dict = {}

    def convert(v):
        got = seen.get(v)
        if got is None:
            got = seen[v] = conv(v)
        return got

    return convert


def fails(conv, v) -> bool:
    try:
        conv(v)
    except Bad:
        return True
    return False


def default_of(column):
    if column.default is not None and column.default.is_scalar:
        return column.default.arg
    if column.nullable:
        return None
    raise AssertionError(f"{column}: a column added after schema 1 needs a default")


__all__ = ["Bad", "converter", "default_of", "fails", "memo", "repeats", "uuid_from_hex"]
