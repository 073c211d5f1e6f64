"""Finding a document from what a user typed: its id or the start of one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from .errors import InputError, NotFound

_SHOWN = 5


def resolve_document_ref(ref: str, ids: Iterable[uuid.UUID]) -> uuid.UUID:
    """The one id that ``ref`` is, or is a prefix of (hyphens and case ignored)."""
    key = ref.strip().lower()
    if key.startswith("urn:uuid:"):
        key = key[len("urn:uuid:") :]
    key = key.replace("-", "")
    if not key:
        raise InputError("give a document id, or the first characters of one")
    matches = sorted((i for i in ids if i.hex.startswith(key)), key=str)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no document matches {ref.strip()!r} (list them with: annotator docs)")
    shown = ", ".join(str(m) for m in matches[:_SHOWN])
    more = f" and {len(matches) - _SHOWN} more" if len(matches) > _SHOWN else ""
    raise InputError(f"{ref.strip()!r} matches {len(matches)} documents: {shown}{more}; give more characters")
