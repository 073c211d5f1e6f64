"""The ``annotator`` command: the GUI by default, plus scriptable subcommands.

``annotator [--db DB] [FILE...]`` opens the desk (importing FILEs);
``annotator COMMAND ...`` runs a command without Qt (see ``--help``).
Exit status: 0 success, 1 ``check`` found problems, 2 error (one line on
stderr, database unchanged), 3 some annotations could not be anchored, 141
the output was closed early (``annotator docs | head``: quietly, as ``ls``).
Everything printed goes through :func:`_print`, which escapes what came from
outside (control characters, bidi overrides, bytes of a name not UTF-8).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from . import __version__, cli_search, cli_sources, cli_suggest
from .cli_conflicts import cmd_conflicts, cmd_conflicts_change
from .cli_plumbing import _desk, _print, _print_json
from .core.docref import resolve_document_ref
from .core.errors import AnnotatorError, InputError
from .core.names import printable
from .io.formats import DOCUMENT_SUFFIXES
from .store.paths import SCHEMA_VERSION, default_db_path

if TYPE_CHECKING:
    from .core.services import Desk

# Each command imports what it uses: `--help` and the desk's own start (which
# draws before the store is loaded, see ui.app) do not wait for the store.

EXIT_PROBLEMS = 1
EXIT_ERROR = 2
EXIT_ORPHANS = 3
EXIT_PIPE_CLOSED = 128 + 13  # what a shell reports for `ls | head` (killed by SIGPIPE)
COMMANDS = ("run-default", "import", "docs", "annotations", "search", "sources", "suggest", "check", "brief", "merge", "share", "agreement", "conflicts", "qdpx")
HEADLESS = "No display found: running the headless path (import the seed article, list documents)."
KINDS = ("actor", "claim", "location", "other")


# --- plumbing (in .cli_plumbing, shared with the commands kept in their own modules) ---


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("darwin", "win32")


def _gui(args: argparse.Namespace, files: list[Path]) -> int:
    if args.user:
        os.environ["ANNOTATOR_USER"] = args.user  # read by current_user() inside the GUI
    from .ui.app import run_gui  # Qt is imported only here

    return run_gui(args.db, files, getattr(args, "qt_args", []))


# Qt's own options (QGuiApplication's and QApplication's, X11's too), passed on
# to Qt when the desk opens: -style fusion, -platform xcb, -reverse…
QT_OPTIONS_WITH_VALUE = frozenset({
    "-platform", "-platformpluginpath", "-platformtheme", "-plugin", "-qmljsdebugger", "-qwindowgeometry",
    "-qwindowicon", "-qwindowtitle", "-session", "-display", "-geometry", "-style", "-stylesheet", "-name",
    "-title", "-visual", "-im", "-inputstyle",
})  # fmt: skip
QT_FLAGS = frozenset({"-reverse", "-widgetcount", "-nograb", "-dograb", "-sync", "-cmap"})


def split_qt_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """``argv`` as (ours, Qt's): Qt's options (``-style fusion``,
    ``-style=fusion``, ``-reverse``…) with their values, in order, taken out."""
    ours: list[str] = []
    qt: list[str] = []
    it = iter(argv)
    for tok in it:
        if tok == "--":  # everything after is ours (files)
            ours.append(tok)
            ours.extend(it)
            break
        name = tok.split("=", 1)[0]
        if name in QT_OPTIONS_WITH_VALUE:
            qt.append(tok)
            if "=" not in tok:
                value = next(it, None)
                if value is not None:
                    qt.append(value)
        elif tok in QT_FLAGS:
            qt.append(tok)
        else:
            ours.append(tok)
    return ours, qt


def _print_docs_table(desk: Desk) -> None:
    docs = desk.repo.document_summaries()
    if not docs:
        _print("No documents yet. Import one with: annotator import FILE")
        return
    rows = [("ID", "TITLE", "LENGTH", *(k.upper() for k in KINDS))]
    for d in docs:
        title = printable(d.title)  # one cell: a tab or newline escaped too
        title = title if len(title) <= 60 else title[:59] + "…"
        rows.append((str(d.id), title, str(d.length), *(str(d.counts.get(k, 0)) for k in KINDS)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [r[0].ljust(widths[0]), r[1].ljust(widths[1])] + [c.rjust(w) for c, w in zip(r[2:], widths[2:], strict=True)]
        _print("  ".join(cells).rstrip())


# --- commands -----------------------------------------------------------------------


SEED_BRIEF = "seed-brief.docx"


def _write_seed_brief(desk: Desk, folder: Path) -> Path | None:
    """The seed article's brief, written next to the database (None if the seed is gone)."""
    from .export.brief import BriefOptions, write_brief  # python-docx is loaded only when needed

    from .core.canonical import canonical_from_string, sha256
    from .io.seeds import load_seeds

    for loaded, _drafts in load_seeds():
        doc = desk.repo.document_by_sha256(sha256(canonical_from_string(loaded.text)))
        if doc is not None and not doc.deleted:
            return write_brief(desk.repo, BriefOptions([doc.id], analyst=desk.user, include_sample=True), folder / SEED_BRIEF)
    return None


def cmd_run_default(args: argparse.Namespace) -> int:
    if _has_display():
        return _gui(args, [])
    from .io.seeds import seed_if_empty

    _print(HEADLESS)
    with _desk(args, create=True) as (desk, db):
        seed_if_empty(desk)
        _print_docs_table(desk)
        brief = _write_seed_brief(desk, db.path.parent)
        if brief is not None:
            _print(f"Brief of the seed article: {brief}")
        _print(f"Database: {db.path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .io.documents import import_documents, load_document_file

    loaded = [load_document_file(p) for p in args.files]  # every file read before the database is touched
    with _desk(args, create=True) as (desk, _db):
        imports = import_documents(desk, loaded)
    for doc, imp in zip(loaded, imports, strict=True):
        _print(f"{imp.document.id}\t{printable(imp.document.title)}")  # one line, one tab
        if not imp.created:  # stdout stays "<id>\t<title>" for scripts; the news goes to stderr
            _print(f"{doc.filename}: already imported as {imp.document.id}; nothing added", file=sys.stderr)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    with _desk(args, create=False) as (desk, _db):
        if not args.json:
            _print_docs_table(desk)
            return 0
        docs = desk.repo.document_summaries()
    out = [
        {
            "id": str(d.id),
            "title": d.title,
            "source": d.source,
            "published": d.published,
            "length": d.length,
            "direction": d.direction.value,
            "counts": {k: d.counts.get(k, 0) for k in KINDS},
        }
        for d in docs
    ]
    _print_json(out)
    return 0


def cmd_annotations_import(args: argparse.Namespace) -> int:
    from .io.interchange import format_for, import_annotation_file

    format_for(args.file, args.format)  # an unreadable format fails before the database is opened
    with _desk(args, create=False) as (desk, _db):
        doc_id = resolve_document_ref(args.doc, desk.repo.document_ids())
        result = import_annotation_file(desk, doc_id, args.file, args.format)
    _print(result.summary())
    report = result.report
    for problem in result.problems:  # brat lines Annotator cannot hold, reported one by one
        _print(f"left out: {problem}", file=sys.stderr)
    for name in report.labels_added:
        _print(f"new label: {name}", file=sys.stderr)
    for orphan in report.orphans:
        _print(f"orphan: {orphan.draft.source_line}: {orphan.reason}", file=sys.stderr)
    for problem in report.problems:  # claim links or source mentions whose annotation is missing
        _print(f"problem: {problem}", file=sys.stderr)
    return EXIT_ORPHANS if report.orphans or result.elsewhere else 0


def cmd_annotations_export(args: argparse.Namespace) -> int:
    from .io.interchange import export_annotation_file, format_for

    format_for(args.output, args.format, writing=True)
    with _desk(args, create=False) as (desk, _db):
        doc = desk.repo.get_document(resolve_document_ref(args.doc, desk.repo.document_ids()))
        written, problems = export_annotation_file(desk.repo, doc, args.output, args.format)
    for problem in problems:
        _print(f"left out: {problem}", file=sys.stderr)
    if len(written) > 1:  # brat: the .ann and the .txt beside it
        for path in written:
            _print(path)
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from .export.brief import BriefOptions, parse_date, write_brief  # python-docx is loaded only when needed

    labels = [x for x in args.labels.split(",")] if args.labels is not None else None
    date = parse_date(args.date) if args.date is not None else None  # a bad date fails before the database opens
    out = Path(args.output)
    with _desk(args, create=False) as (desk, _db):
        ids = desk.repo.document_ids()
        docs = [resolve_document_ref(ref, ids) for ref in args.docs]
        options = BriefOptions(
            document_ids=docs,
            title=args.title or "",
            tlp=args.tlp,
            labels=labels,
            include_text=not args.no_text,
            include_comments=not args.no_comments,
            include_tables=not args.no_tables,
            include_sample=args.include_sample,
            order=args.order,
            analyst=args.analyst or desk.user,
            date=date,
            template=args.template,
        )
        written = write_brief(desk.repo, options, out)
    _print(written.resolve())
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with _desk(args, create=False, verify=False) as (_desk_, db):  # a damaged file is reported, not refused
        problems = db.integrity_problems()
        version = db.version
    if problems:
        _print(f"integrity: {len(problems)} problem(s)")
        for p in problems:
            _print(f"  {p}")
    else:
        _print("integrity: ok")
    _print(f"schema version: {version} (this Annotator reads up to {SCHEMA_VERSION})")
    return EXIT_PROBLEMS if problems else 0


def cmd_merge(args: argparse.Namespace) -> int:
    from .store.merge import apply_merge, plan_merge

    with _desk(args, create=not args.dry_run) as (desk, db):
        result = plan_merge(db, args.file) if args.dry_run else apply_merge(db, args.file, user=desk.user)
    _print(f"dry run, nothing written: merging {args.file} would change" if args.dry_run else f"merged {args.file}")
    for line in result.lines():
        _print(f"  {line}")
    n = result.total.conflicts
    if n:
        what = "would be recorded" if args.dry_run else "recorded; review them with: annotator conflicts"
        _print(f"{n} conflict(s) {what}")
    return 0


def cmd_share(args: argparse.Namespace) -> int:
    from .store.share import share

    with _desk(args, create=False) as (desk, db):
        ids = desk.repo.document_ids()
        docs = [resolve_document_ref(ref, ids) for ref in args.docs]
        report = share(db, docs, args.output, overwrite=args.force)
    _print(report.path)
    c = report.counts
    _print(f"{c['document']} document(s), {c['annotation']} annotation(s), {c['entity']} entities, "
          f"{c['label']} label(s), {c['claim']} claim(s)", file=sys.stderr)  # fmt: skip
    return 0


def cmd_qdpx(args: argparse.Namespace) -> int:
    from .io.qdpx import write_qdpx

    with _desk(args, create=False) as (desk, _db):
        if args.docs:
            ids = desk.repo.document_ids()
            docs = [resolve_document_ref(ref, ids) for ref in args.docs]
        else:  # every live document, oldest first
            docs = [d.id for d in desk.repo.document_summaries()]
        written = write_qdpx(desk.repo, docs, args.output, user=desk.user, name=args.name or "")
    _print(written)
    return 0


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def cmd_agreement(args: argparse.Namespace) -> int:
    from .core.agreement import document_agreement

    with _desk(args, create=False) as (desk, _db):
        doc_id = resolve_document_ref(args.doc, desk.repo.document_ids())
        report = document_agreement(desk.repo, doc_id, tuple(args.between) if args.between else None)
    if args.json:
        _print_json(report.as_dict())
        return 0
    _print(f"{report.analyst_b} against {report.analyst_a} (reference), {report.tokens} tokens")
    rows = [("LABEL", "A", "B", "MATCHED", "PRECISION", "RECALL", "F1", "KAPPA")]
    for lb in report.labels:
        rows.append((lb.label, str(lb.a_spans), str(lb.b_spans), str(lb.matched), _ratio(lb.precision),
                     _ratio(lb.recall), _ratio(lb.f1), _ratio(lb.kappa)))  # fmt: skip
    rows.append(("all", str(sum(lb.a_spans for lb in report.labels)), str(sum(lb.b_spans for lb in report.labels)),
                 str(sum(lb.matched for lb in report.labels)), "", "", _ratio(report.f1), _ratio(report.kappa)))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        _print("  ".join([r[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))]).rstrip())
    _print(f"disagreements: {len(report.disagreements)}")
    who = {"only_a": f"only {report.analyst_a}", "only_b": f"only {report.analyst_b}", "label": "label"}
    for d in report.disagreements:
        quote = " ".join(d.exact.split())
        quote = quote if len(quote) <= 50 else quote[:49] + "…"
        labels = d.label_a or d.label_b if d.kind != "label" else f"{d.label_a} / {d.label_b}"
        _print(f"  {who[d.kind]:<14} {d.start}..{d.end}  {labels}  “{quote}”")
    return 0


# --- argument parsing -----------------------------------------------------------------


def _globals(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help=f"database file (default: $ANNOTATOR_DB or {default_db_path()})"
    )
    parser.add_argument("--user", metavar="NAME", help="creator recorded on new rows (default: $ANNOTATOR_USER or login name)")
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")


def _command_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="annotator",
        description="Offline annotation desk. Without a COMMAND, `annotator [--db PATH] [FILE ...]` "
        "opens the desk window, importing any FILEs.",
        epilog="Exit status: 0 ok, 1 check found problems, 2 error, 3 some annotations could not be anchored, "
        "141 the output was closed early.",
    )
    _globals(p)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sp = sub.add_parser("run-default", help="open the desk, or without a display import the seed article and list documents")
    sp.set_defaults(func=cmd_run_default)
    sp = sub.add_parser("import", help=f"import {'/'.join(DOCUMENT_SUFFIXES)} documents (all or none); prints id and title")
    sp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sp.set_defaults(func=cmd_import)
    sp = sub.add_parser("docs", help="list documents with annotation counts")
    sp.add_argument("--json", action="store_true", help="print a JSON array")
    sp.set_defaults(func=cmd_docs)
    cli_search.add_parser(sub)
    cli_sources.add_parser(sub)
    cli_suggest.add_parser(sub)
    sp = sub.add_parser("check", help="check the database's integrity and schema version")
    sp.set_defaults(func=cmd_check)
    sp = sub.add_parser("brief", help="write the Word brief of one or more documents; prints the path written")
    sp.add_argument("docs", nargs="+", metavar="DOC", help="document id or a unique prefix of one")
    sp.add_argument("-o", "--output", required=True, metavar="OUT.docx")
    sp.add_argument("--tlp", default="amber", choices=["clear", "green", "amber", "amber+strict", "red"],
                    help="handling marking on every page (default: amber)")  # fmt: skip
    sp.add_argument("--title", help="title on the cover (default: the document's title)")
    sp.add_argument("--labels", metavar="LIST", help="only these labels: kinds or names, comma-separated (e.g. actor,claim)")
    sp.add_argument("--order", choices=["position", "grading"], default="position", help="order of the key claims")
    sp.add_argument("--no-text", action="store_true", help="leave out the annotated text")
    sp.add_argument("--no-comments", action="store_true", help="no Word comments on the annotated text")
    sp.add_argument("--no-tables", action="store_true", help="leave out the actors, locations and claims tables")
    sp.add_argument("--include-sample", action="store_true", help="include the sample's demonstration annotations")
    sp.add_argument("--analyst", metavar="NAME", help="analyst named on the cover (default: --user)")
    sp.add_argument("--date", metavar="YYYY-MM-DD", help="date on the cover and in the footer (default: today)")
    sp.add_argument("--template", type=Path, metavar="FILE.docx", help="a Word file whose styles the brief uses")
    sp.set_defaults(func=cmd_brief)
    sp = sub.add_parser("merge", help="merge a colleague's database into this one (one transaction); prints what changed")
    sp.add_argument("file", type=Path, metavar="THEIRS.db")
    sp.add_argument("--dry-run", action="store_true", help="only say what the merge would do")
    sp.set_defaults(func=cmd_merge)
    sp = sub.add_parser("share", help="write a new database holding only these documents and what they need")
    sp.add_argument("docs", nargs="+", metavar="DOC", help="document id or a unique prefix of one")
    sp.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.db")
    sp.add_argument("--force", action="store_true", help="replace OUT.db if it exists")
    sp.set_defaults(func=cmd_share)
    sp = sub.add_parser("qdpx", help="write a REFI-QDA project (.qdpx) for QDA tools; prints the path written")
    sp.add_argument("docs", nargs="*", metavar="DOC", help="document id or a unique prefix of one (default: every document)")
    sp.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.qdpx")
    sp.add_argument("--name", help="the project's name (default: the document's title)")
    sp.set_defaults(func=cmd_qdpx)
    sp = sub.add_parser("agreement", help="how far two analysts agree on a document (span F1, Cohen's kappa on tokens)")
    sp.add_argument("doc", metavar="DOC", help="document id or a unique prefix of one")
    sp.add_argument("--between", nargs=2, metavar=("A", "B"), help="the two analysts (default: the two with most annotations)")
    sp.add_argument("--json", action="store_true", help="print JSON")
    sp.set_defaults(func=cmd_agreement)
    sp = sub.add_parser("conflicts", help="list the versions merges set aside; reverse or resolve one")
    sp.add_argument("--json", action="store_true", help="print a JSON array")
    sp.add_argument("--all", action="store_true", help="include resolved conflicts")
    sp.set_defaults(func=cmd_conflicts, action=None)
    acts = sp.add_subparsers(dest="action", metavar="ACTION")
    for action, what in (("reverse", "swap the kept version with the one set aside (again to undo)"),
                         ("resolve", "mark reviewed"), ("unresolve", "mark not reviewed")):  # fmt: skip
        ap = acts.add_parser(action, help=what)
        ap.add_argument("id", metavar="ID", help="conflict id or a unique prefix of one")
        ap.set_defaults(func=cmd_conflicts_change)

    ann = sub.add_parser("annotations", help="import or export a document's annotations").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    sp = ann.add_parser("import", help="import W3C or brat annotations into DOC (exit 3 if some cannot be anchored)")
    sp.add_argument("doc", metavar="DOC", help="document id or a unique prefix of one")
    sp.add_argument("file", type=Path, metavar="FILE")
    sp.add_argument("--format", choices=["w3c", "brat"], help="default: brat for a .ann file, else w3c")
    sp.set_defaults(func=cmd_annotations_import)
    sp = ann.add_parser("export", help="export DOC's annotations (W3C JSON, CSV, or brat .ann with its .txt beside)")
    sp.add_argument("doc", metavar="DOC", help="document id or a unique prefix of one")
    sp.add_argument("-o", "--output", required=True, metavar="FILE")
    sp.add_argument("--format", choices=["w3c", "csv", "brat"], help="default: by the suffix (.csv, .ann), else w3c")
    sp.set_defaults(func=cmd_annotations_export)
    return p


def _gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="annotator", description="Open the desk window, importing any FILEs.")
    _globals(p)
    p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    return p


def _first_positional(argv: list[str]) -> str | None:
    """The first token that is not an option or an option's value."""
    skip = False
    for tok in argv:
        if skip:
            skip = False
        elif tok == "--":
            return None
        elif tok in ("--db", "--user"):
            skip = True
        elif not tok.startswith("-") or tok == "-":
            return tok
    return None


def _parse(argv: list[str]) -> argparse.Namespace:
    ours, qt_args = split_qt_args(argv)
    first = _first_positional(ours)
    if first in COMMANDS or (first is None and ("-h" in ours or "--help" in ours)):
        args = _command_parser().parse_args(argv)  # commands take no Qt options
        if args.command is None:
            args.files, args.func = [], None
        args.qt_args = []
        return args
    args = _gui_parser().parse_args(ours)  # ours first; Qt's go on to Qt
    args.func = None
    args.qt_args = qt_args
    return args


def _open_gui(args: argparse.Namespace) -> int:
    for f in args.files:
        if not f.exists():
            if f.suffix == "" and len(f.parts) == 1:
                raise InputError(f"unknown command {str(f)!r} (commands: {', '.join(COMMANDS)}; see annotator --help)")
            raise InputError(f"{f}: no such file")
    if not _has_display() and not os.environ.get("QT_QPA_PLATFORM"):
        raise InputError("no display to open the desk on (set DISPLAY, or use a command: annotator --help)")
    return _gui(args, list(args.files))


def _message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        return f"{where}: {exc.strerror}" if where else exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def _stdout_closed() -> int:
    """The reader of our output went away: say nothing (it cannot be heard)
    and point stdout at the null device, so the flush at exit is quiet too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout
        pass
    return EXIT_PIPE_CLOSED


def main(argv: list[str] | None = None) -> int:
    try:
        code = _run(list(sys.argv[1:] if argv is None else argv))
        sys.stdout.flush()  # a closed pipe shows here rather than at exit
        return code
    except BrokenPipeError:
        return _stdout_closed()


def _run(argv: list[str]) -> int:
    try:
        args = _parse(argv)
    except SystemExit as exc:  # --help, --version and usage errors (argparse printed them)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    try:
        return (args.func or _open_gui)(args)
    except BrokenPipeError:
        raise
    except (AnnotatorError, OSError) as exc:
        _print(f"annotator: {_message(exc)}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
