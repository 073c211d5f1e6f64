"""``annotator sources``: the register of sources (:mod:`annotator.core.sources`)."""

from __future__ import annotations

import argparse

from .cli_plumbing import _desk, _print, _print_json


def add_parser(sub) -> None:
    sp = sub.add_parser(
        "sources", help="the register of sources: each claim source's claims, gradings, stances, corroboration, and what to check"
    )
    sp.add_argument("--checks", action="store_true", help="only the sources with something to check")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_sources)


def cmd_sources(args: argparse.Namespace) -> int:
    with _desk(args, create=False) as (_d, db):
        register = [r for r in db.repo.source_register() if r.checks or not args.checks]
    if args.json:
        _print_json([
            {"source": str(r.source_id), "name": r.name, "claims": len(r.claims), "documents": r.documents,
             "gradings": {analyst: dict(sorted(codes.items())) for analyst, codes in sorted(r.gradings.items())},
             "stances": dict(r.stances), "corroborated": r.corroborated, "contradicted": r.contradicted, "checks": r.checks,
             "claim_ids": [str(c.annotation_id) for c in r.claims]}
            for r in register
        ])  # fmt: skip
        return 0
    if not register:
        _print("No claim has a source." if not args.checks else "Nothing to check.")
        return 0
    for r in register:
        docs = f"{r.documents} document{'s' * (r.documents != 1)}"
        _print(f"{r.name}  {len(r.claims)} claim{'s' * (len(r.claims) != 1)} in {docs}; "
               f"corroborated {r.corroborated}, contradicted {r.contradicted}")  # fmt: skip
        for analyst, codes in sorted(r.gradings.items()):
            _print(f"  graded by {analyst}: " + ", ".join(f"{code} ×{n}" if n > 1 else code for code, n in sorted(codes.items())))
        _print("  stances: " + ", ".join(f"{s} {n}" for s, n in r.stances.most_common()))
        for check in r.checks:
            _print(f"  check: {check}")
    return 0
