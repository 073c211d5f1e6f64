"""What an edit did, and how to take it back.

Every edit is an operation (:class:`Op`: a name and its arguments, run by
:class:`~annotator.core.operations.Operations`) that commits one transaction
and returns a :class:`Change`: the rows it wrote, what a view must redraw,
and its inverse, another :class:`Op`. Running the inverse undoes the edit and
returns a change whose inverse redoes it, so undo and redo need nothing but
operations (:class:`~annotator.core.operations.History`; the desk's
``QUndoCommand`` is a thin Qt view of the same thing). A tombstoned row comes
back with the same UUID, which keeps merges exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Op:
    """One edit as data: an operation's name and its keyword arguments.

    ``merge_key``: consecutive edits with the same key (typing in one field,
    grading one claim key by key) may become one undo step; their ``fields``
    arguments are merged (see :meth:`merged`)."""

    name: str
    args: dict[str, Any] = field(default_factory=dict, hash=False)
    merge_key: tuple | None = None

    def merged(self, later: Op) -> Op:
        """This edit followed by ``later`` on the same row, as one: the
        ``fields`` of both, ``later``'s winning where both set one."""
        if self.name != later.name or "fields" not in self.args or "fields" not in later.args:
            raise ValueError(f"cannot merge {self.name} with {later.name}")
        return Op(self.name, {**self.args, "fields": {**self.args["fields"], **later.args["fields"]}}, self.merge_key)


@dataclass
class Change:
    """What an operation changed, in terms a view can redraw without reading
    the database again."""

    document_id: uuid.UUID | None = None
    added: list[uuid.UUID] = field(default_factory=list)
    updated: list[uuid.UUID] = field(default_factory=list)
    removed: list[uuid.UUID] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)  # code point ranges to redraw
    labels_changed: bool = False
    entities_changed: bool = False  # an entity was created, changed or removed
    entities_added: list[uuid.UUID] = field(default_factory=list)  # entities this edit created
    rows: list[Any] = field(default_factory=list)
    """The rows this edit wrote, as written (Annotation, Entity, Claim,
    Document…); views take them from here. A bulk edit may leave it empty."""
    inverse: Op | None = None
    """The operation that undoes this one (None: nothing to undo)."""

    def rows_of(self, cls: type) -> list:
        return [r for r in self.rows if isinstance(r, cls)]

    def locate(self, spans: Iterable) -> Change:
        """Name the document and the spans of ``spans`` (rows with ``document_id``,
        ``start``, ``end``) when they all lie in one; across documents (or none)
        ``document_id`` stays None and ``spans`` empty: a view showing any reloads."""
        spans = list(spans)
        docs = {s.document_id for s in spans}
        if len(docs) == 1:
            self.document_id = docs.pop()
            self.spans = [(s.start, s.end) for s in spans]
        return self
