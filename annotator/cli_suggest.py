"""``annotator suggest``: what the desk proposes from what the analyst already
knows (:mod:`annotator.core.suggestions`), printed, accepted or rejected in
bulk as the desk does (one edit each)."""

from __future__ import annotations

import argparse

from .cli_plumbing import _print, _print_json
from .core.change import Op


def add_parser(sub) -> None:
    sp = sub.add_parser("suggest", help="suggestions: every other occurrence of a known name or a gazetteer place")
    sp.add_argument("doc", nargs="?", help="a document id (or its first characters); --all for every document")
    sp.add_argument("--all", action="store_true", help="every document")
    what = sp.add_mutually_exclusive_group()
    what.add_argument("--accept", action="store_true", help="tag them all, as one edit")
    what.add_argument("--reject", action="store_true", help="reject them all: never proposed again")
    sp.add_argument("--no-gazetteer", action="store_true", help="only names of known entities, no gazetteer places")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_suggest)


def cmd_suggest(args: argparse.Namespace) -> int:
    from .core.docref import resolve_document_ref
    from .core.errors import InputError
    from .core.operations import Operations, services_for
    from .core.suggestions import default_gazetteer
    from .core.user import current_user
    from .store.database import open_database

    if bool(args.doc) == bool(args.all):
        raise InputError("give one document, or --all")
    if not args.no_gazetteer:
        from .core import gazetteer
        from .store.sqlite.place_index import open_place_index

        gazetteer.use_index(open_place_index)  # the places' names from the index file (built once), not the 180 MB of JSON
    db = open_database(args.db, create=False)
    try:
        services = services_for(db.repo, args.user or current_user(), None if args.no_gazetteer else default_gazetteer)
        ids = list(db.repo.document_ids()) if args.all else [resolve_document_ref(args.doc, db.repo.document_ids())]
        found = [(doc, s) for doc, suggestions in services.suggestions.for_documents(ids) for s in suggestions]
        suggestions = [s for _doc, s in found]
        if args.accept or args.reject:
            name = "accept_suggestions" if args.accept else "reject_suggestions"
            change = Operations(services).run(Op(name, {"suggestions": suggestions}))
            done = len(change.added) if args.accept else len(change.rows)
            _print(f"{'Tagged' if args.accept else 'Rejected'} {done} suggestion{'s' * (done != 1)}"
                   f" in {len({s.document_id for s in suggestions})} document(s).")  # fmt: skip
            return 0
    finally:
        db.close()
    if args.json:
        _print_json([
            {"document": str(s.document_id), "title": doc.title, "start": s.start, "end": s.end, "exact": s.exact,
             "kind": s.kind.value, "label_id": str(s.label_id),
             "entity": str(s.entity_id) if s.entity_id else None, "name": s.known.entity_name,
             "score": round(s.score, 3), "why": s.why}
            for doc, s in found
        ])  # fmt: skip
        return 0
    if not found:
        _print("No suggestions.")
    title = None
    for doc, s in found:
        if doc.title != title:
            title = doc.title
            _print(f"{title}  ({doc.id})")
        score = f"{s.score:.0%}" if s.score else "new"
        _print(f"  {s.start}-{s.end}  {s.exact}  [{s.kind.value}, {score}]  {s.why}")
    return 0
