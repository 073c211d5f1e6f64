"""``annotator conflicts``: the versions merges set aside, reversed or resolved."""

from __future__ import annotations

import argparse

from .cli_plumbing import _desk, _print, _print_json
from .core.errors import InputError


def _conflict_ref(ref: str, items) -> object:
    key = ref.strip().lower().replace("-", "")
    matches = [c for c in items if key and c.id.hex.startswith(key)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise InputError(f"no conflict matches {ref.strip()!r} (list them with: annotator conflicts --all)")
    raise InputError(f"{ref.strip()!r} matches {len(matches)} conflicts; give more characters")


def cmd_conflicts(args: argparse.Namespace) -> int:
    from .store.merge import conflicts

    with _desk(args, create=False) as (_desk_, db):
        items = conflicts(db, include_resolved=args.all)
    if args.json:
        out = [
            {"id": str(c.id), "table": c.table, "row": str(c.row_id), "document": str(c.document_id) if c.document_id else None,
             "kept": c.kept, "other": c.other, "kept_side": c.kept_side, "other_side": c.other_side,
             "other_creator": c.other_creator, "source": c.source, "merged_at": c.merged_at.isoformat(),
             "merged_by": c.merged_by, "resolved": c.resolved, "swapped": c.swapped}
            for c in items
        ]  # fmt: skip
        _print_json(out)
        return 0
    if not items:
        _print("No conflicts." if args.all else "No unresolved conflicts.")
        return 0
    for c in items:
        diffs = "; ".join(f"{col}: {kept!r} (kept, {c.kept_side}) vs {other!r}" for col, kept, other in c.differences())
        flags = "".join([" [resolved]" if c.resolved else "", " [reversed]" if c.swapped else ""])
        _print(f"{str(c.id)[:8]}  {c.table} {str(c.row_id)[:8]}  from {c.source} {c.merged_at:%Y-%m-%d %H:%M}{flags}")
        _print(f"          {diffs}")
    return 0


def cmd_conflicts_change(args: argparse.Namespace) -> int:
    from .store.merge import conflicts, resolve_conflict, reverse_conflict

    with _desk(args, create=False) as (_desk_, db):
        c = _conflict_ref(args.id, conflicts(db))
        if args.action == "reverse":
            reverse_conflict(db, c.id)
            _print(f"{c.id}: the {c.table} row now holds the version from {c.other_side}")
        else:
            resolve_conflict(db, c.id, resolved=args.action == "resolve")
            _print(f"{c.id}: {'resolved' if args.action == 'resolve' else 'unresolved'}")
    return 0
