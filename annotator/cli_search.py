"""``annotator search``: the corpus search of the desk (Ctrl+Shift+F), printed."""

from __future__ import annotations

import argparse

from .cli_plumbing import _desk, _print, _print_json
from .core.docref import resolve_document_ref
from .core.errors import InputError

# core.search (and the regex module) is imported by the command itself: `--help` stays quick.


def grades(value: str, allowed: str) -> str:
    """``"A-C"`` → ``"ABC"``, ``"AB"`` stays; each grade must be one of ``allowed``."""
    value = value.strip().upper().replace(" ", "").replace(",", "")
    if not value:  # the default (argparse passes it through here too)
        return ""
    if len(value) == 3 and value[1] == "-" and value[0] in allowed and value[2] in allowed:
        a, b = sorted((allowed.index(value[0]), allowed.index(value[2])))
        return allowed[a : b + 1]
    wrong = [c for c in value if c not in allowed]
    if wrong:
        raise argparse.ArgumentTypeError(f"grades are {allowed[0]}–{allowed[-1]}, one by one or as a range ({allowed[0]}-{allowed[2]})")
    return value


def add_parser(sub) -> None:
    sp = sub.add_parser(
        "search", help="search every document's text and details, annotations' quotes and notes, entities' names",
        description='Words must all match (any case; Arabic harakat, alif forms and proclitics as in the desk); "a phrase" in '
        "quotes; milit* for a prefix; OR (in capitals) between alternatives. Any annotation filter limits the hits to annotations; with no words, it lists them.",
    )  # fmt: skip
    sp.add_argument("query", nargs="?", default="", metavar="QUERY")
    sp.add_argument("--label", action="append", default=[], metavar="NAME", help="annotations with this label (repeatable)")
    sp.add_argument("--kind", action="append", default=[], choices=["actor", "claim", "location", "other"], help="annotations of this kind")
    sp.add_argument("--entity", default="", metavar="NAME", help="annotations linked to the entity with this name or alias")
    sp.add_argument("--source", default="", metavar="NAME", help="claims whose source is this actor")
    sp.add_argument("--reliability", default="", type=lambda v: grades(v, "ABCDEF"), metavar="GRADES", help="claims graded so (A-C, AB)")
    sp.add_argument("--credibility", default="", type=lambda v: grades(v, "123456"), metavar="GRADES", help="claims graded so (1-3)")
    sp.add_argument("--stance", action="append", default=[], metavar="STANCE", help="claims with this stance (asserted, denied…)")
    sp.add_argument("--likelihood", action="append", default=[], metavar="TERM", help="claims judged so (likely, …)")
    sp.add_argument("--analyst", action="append", default=[], metavar="NAME", help="annotations made by this analyst")
    sp.add_argument("--from", dest="date_from", default="", metavar="DATE", help="documents dated from (ISO, may be partial: 2025-06)")
    sp.add_argument("--to", dest="date_to", default="", metavar="DATE", help="documents dated up to")
    sp.add_argument("--doc", action="append", default=[], metavar="DOC", help="only this document (id or a unique prefix; repeatable)")
    sp.add_argument("--limit", type=int, default=200, metavar="N", help="at most N hits (default 200)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    from .core.search import SearchFilters

    if args.limit < 1:
        raise InputError("--limit must be 1 or more")
    with _desk(args, create=False) as (desk, db):
        docs = tuple(resolve_document_ref(ref, db.repo.document_ids()) for ref in args.doc)
        filters = SearchFilters(
            labels=tuple(args.label), kinds=tuple(args.kind), entity=args.entity, source=args.source,
            reliability=args.reliability, credibility=args.credibility, stances=tuple(args.stance),
            likelihoods=tuple(args.likelihood), analysts=tuple(args.analyst), date_from=args.date_from,
            date_to=args.date_to, documents=docs,
        )  # fmt: skip
        if not args.query.strip() and not filters.on_annotations:
            raise InputError("nothing to search for: give words, or an annotation filter (--label, --kind, --source…)")
        result = db.repo.search(args.query, filters, args.limit)
    if args.json:
        _print_json(as_json(result))
    else:
        print_result(result)
    return 0


def as_json(result) -> dict:
    def hit(h) -> dict:
        return {
            "where": h.where, "before": h.before, "match": h.match, "after": h.after, "start": h.start, "end": h.end,
            "annotation": str(h.annotation_id) if h.annotation_id else None, "entity": str(h.entity_id) if h.entity_id else None,
            "label": h.label or None, "name": h.name or None,
        }  # fmt: skip

    groups = [{"document": str(doc) if doc else None, "title": title, "hits": [hit(h) for h in hits]} for doc, title, hits in result.by_document()]
    return {"hits": len(result.hits), "truncated": result.truncated, "groups": groups}


def print_result(result) -> None:
    from .core.search import WHERE

    if not result.hits:
        _print("No hits.")
        return
    for doc, title, hits in result.by_document():
        _print(f"{title}  ({str(doc)[:8]})  {len(hits)} hit{'s' * (len(hits) != 1)}" if doc else f"Entities  {len(hits)}")
        for h in hits:
            where = WHERE.get(h.where, h.where) + (f" ({h.label})" if h.label else "")
            at = f" @{h.start}..{h.end}" if h.start is not None else ""
            who = f"{h.name}: " if h.name else ""
            _print(f"  {where}{at}  {who}…{h.before}[{h.match}]{h.after}…")
    more = " (more hits: narrow the search or raise --limit)" if result.truncated else ""
    _print(f"{len(result.hits)} hit{'s' * (len(result.hits) != 1)}{more}")
