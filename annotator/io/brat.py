"""brat standoff (``.ann`` beside a ``.txt``): read here, written by :mod:`.brat_write`.

brat counts offsets in Unicode code points of the ``.txt`` file's text as it
decodes it (UTF-8, nothing dropped: a BOM counts as one character and CRLF
as two), end exclusive. Reading maps them onto the document's canonical text
(BOM dropped, CRLF -> LF); writing puts the canonical text in the ``.txt``
(UTF-8, LF, no BOM), so written offsets are canonical ones.

Where each line goes:

* ``T`` (text-bound, ``T1<TAB>Type 0 5;10 15<TAB>text``): an annotation
  labelled ``Type``; a type unknown to the tagset is added to it (its kind
  taken from the name as for any import: ``actor``, ``location``, ``claim``,
  else ``other``). Several ``;``-separated ranges make a discontinuous
  annotation (``Annotation.fragments``). The span's text must equal the
  line's text (ranges joined by one space, line breaks read as spaces),
  else the annotation is reported as an orphan (so is a ``T`` line whose
  offsets cannot be read: negative, not numbers, missing).
* ``#`` (``AnnotatorNotes``) on a ``T``: the annotation's note (several
  notes are joined by line breaks; writing gives one ``#`` line per line).
* ``A``/``M`` (attributes, binary or valued), ``N`` (normalisations) and
  ``R`` (relations, kept on the annotation of their first argument, with any
  ``#`` notes on the relation): rows of ``annotation_extra`` (see
  :class:`~annotator.core.model.AnnotationExtra`), written back as they came.
* The brat ids of a ``T`` and its ``#`` lines are kept too (an extra of kind
  ``source_id``, name ``brat``), so writing reproduces the numbering;
  annotations made in Annotator get ids after the largest one used.
* That ``source_id`` extra also keeps where the lines that hang on the
  ``T`` were (``lines``: brat id -> line number, for the ``T``, its notes,
  the relations from it and their notes, its attributes and
  normalisations) and what followed an ``R`` or ``A`` line's fields
  (``tails``: brat writes ``R`` lines with a trailing tab, other tools
  none), so writing puts every line back where it was, as it was: a file
  imported and written again is the same file but for the lines reported
  as left out. Lines of annotations made in Annotator come after them.
* A type holding a control character cannot be a label (nor a relation,
  attribute or note type): a ``T`` line with one is an orphan, another line
  is left out, each reported.
* ``E`` (events) and ``*`` (equivalences) have no place in Annotator, nor do
  attributes, notes and normalisations on them: each such line is reported,
  never dropped silently (an event's trigger is a ``T`` line and is imported).

Importing is all or nothing (one transaction) and idempotent: a ``T`` whose
label and span are already annotated in the document is not added again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.canonical import canonical_from_string, decode
from ..core.errors import InputError
from ..core.label_names import control_problem
from ..core.matching import name_key
from ..core.model import AnnotationExtra, now
from ..core.offsets import Quote
from ..core.services import AnnotationDraft, AnnotationImport, Desk
from .brat_terms import BRAT_ID as _ID
from .brat_terms import SCHEME
from .brat_terms import flat as _flat
from .brat_write import brat_ann, write_brat  # noqa: F401  (the writing half, re-exported)
from .limits import read_bytes_limited

MAX_LISTED = 1000  # problems listed one by one; past these, one line counts the rest

_SPAN = re.compile(r"^(\d{1,12}) (\d{1,12})$")
_MAX_FRAGMENTS = 1000


# --- reading -----------------------------------------------------------------------------


@dataclass
class TextBound:
    id: str
    type: str
    spans: list[tuple[int, int]]
    text: str
    line: int
    problem: str = ""  # why its offsets cannot be read (then ``spans`` is empty): an orphan


@dataclass
class Relation:
    id: str
    type: str
    args: list[tuple[str, str]]  # (role, target id), in file order
    line: int
    tail: str = ""  # what followed the fields, as it came (brat writes a tab)


@dataclass
class Attribute:
    id: str
    name: str
    target: str
    value: str | bool  # True for a binary attribute
    line: int
    prefix: str = "A"  # "A", or "M" (brat's older name for attributes)
    tail: str = ""  # what followed the fields, as it came


@dataclass
class Normalisation:
    id: str
    type: str
    target: str
    ref: str
    text: str
    line: int


@dataclass
class Note:
    id: str
    type: str
    target: str
    text: str
    line: int


@dataclass
class BratFile:
    """What a ``.ann`` file holds, parsed but not yet anchored."""

    name: str
    textbounds: list[TextBound] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)
    normalisations: list[Normalisation] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # lines left out, one line each (the first MAX_LISTED)
    raw_text: str | None = None  # the .txt beside it, decoded but not canonical (None: no .txt)
    txt_name: str = ""


def read_brat_file(path: Path | str, txt: Path | str | None = None) -> BratFile:
    """Parse ``path`` (a ``.ann``) and read the ``.txt`` beside it if there is one."""
    path = Path(path)
    parsed = parse_ann(read_bytes_limited(path), str(path))
    if not (parsed.textbounds or parsed.relations or parsed.attributes or parsed.normalisations or parsed.notes
            or parsed.problems):  # fmt: skip
        raise InputError(f"{path}: the file is empty")  # (a BOM and blank lines)
    txt_path = Path(txt) if txt is not None else path.with_suffix(".txt")
    if txt_path.exists() and txt_path != path:
        data = read_bytes_limited(txt_path)
        try:
            parsed.raw_text = data.decode("utf-8")  # as brat reads it: a BOM and CRs are characters
        except UnicodeDecodeError as exc:
            raise InputError(f"{txt_path}: not UTF-8 text (undecodable byte at offset {exc.start})") from None
        if "\x00" in parsed.raw_text:
            raise InputError(f"{txt_path}: looks like a binary file (contains NUL characters)")
        parsed.txt_name = str(txt_path)
    elif txt is not None:
        raise InputError(f"{txt_path}: no such file")
    return parsed


def parse_ann(data: bytes | str, name: str) -> BratFile:
    """Parse brat standoff; lines that cannot be read are listed in ``problems``.

    Raises :class:`InputError` (naming ``name``) when nothing in it is brat
    standoff, or for duplicate ids.
    """
    text = decode(data, name) if isinstance(data, bytes) else canonical_from_string(data)
    out = BratFile(name=name)
    seen: dict[str, int] = {}
    content = left_out = 0

    def leave_out(problem: str) -> None:
        nonlocal left_out
        left_out += 1
        if left_out <= MAX_LISTED:
            out.problems.append(problem)

    for n, line in enumerate(_lines(text), 1):
        if not line.strip():
            continue
        content += 1
        fields = line.split("\t")
        ann_id = fields[0].strip()
        if not _ID.match(ann_id):
            leave_out(f"{name}:{n}: not a brat annotation line (unknown id {ann_id[:20]!r}); left out")
            continue
        if ann_id != "*" and ann_id in seen:
            raise InputError(f"{name}:{n}: id {ann_id} is used twice (first on line {seen[ann_id]})")
        if ann_id != "*":
            seen[ann_id] = n
        why = _parse_line(out, ann_id, fields, n)
        if why:
            leave_out(f"{name}:{n}: {why}")
    parsed = (out.textbounds, out.relations, out.attributes, out.normalisations, out.notes)
    if content and not any(parsed) and left_out == content:
        raise InputError(f"{name}: not a brat .ann file (no line of it is a brat annotation)")
    if left_out > MAX_LISTED:
        out.problems.append(f"{name}: {left_out - MAX_LISTED:,} more lines left out (the first {MAX_LISTED} are listed)")
    return out


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time: a list of a million short lines
    would cost some 60 bytes each, many times the file itself."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


def _parse_line(out: BratFile, ann_id: str, fields: list[str], n: int) -> str:
    """Add one line to ``out``; returns why it was left out, or ""."""
    kind = ann_id[0]
    head = fields[1].split(" ") if len(fields) > 1 else []
    if kind == "E":
        return f"{ann_id}: events cannot be held in Annotator; left out (their trigger's T line is imported)"
    if kind == "*":
        return f"equivalence ({' '.join(head)}) cannot be held in Annotator; left out"
    if len(fields) < 2 or not head or not head[0]:
        return f"{ann_id}: malformed line (no type); left out"
    bad_type = control_problem(head[0], "type")
    tail = "\t" + "\t".join(fields[2:]) if len(fields) > 2 else ""
    if kind == "T":  # an annotation whose offsets cannot be read is an orphan, like one that cannot be anchored
        text = "\t".join(fields[2:]) if len(fields) > 2 else ""
        spans: list[tuple[int, int]] = []
        problem = bad_type or ("malformed text-bound line (no offsets)" if len(head) < 3 else "")
        for part in " ".join(head[1:]).split(";") if not problem else ():
            m = _SPAN.match(part.strip())
            if m is None:
                problem = f"offsets {part.strip()[:40]!r} are not two whole numbers"
                break
            spans.append((int(m.group(1)), int(m.group(2))))
        if len(spans) > _MAX_FRAGMENTS:
            problem = f"more than {_MAX_FRAGMENTS} fragments"
        out.textbounds.append(TextBound(ann_id, head[0], [] if problem else spans, text, n, problem))
    elif bad_type:
        return f"{ann_id}: {bad_type}; left out"
    elif kind == "R":
        args = []
        for arg in head[1:]:
            role, sep, target = arg.partition(":")
            if not sep or not role or not target:
                return f"{ann_id}: relation argument {arg[:40]!r} is not Role:Id; left out"
            args.append((role, target))
        if len(args) != 2:
            return f"{ann_id}: a relation needs two arguments (found {len(args)}); left out"
        out.relations.append(Relation(ann_id, head[0], args, n, tail))
    elif kind in "AM":
        if len(head) not in (2, 3):
            return f"{ann_id}: malformed attribute line; left out"
        value: str | bool = head[2] if len(head) == 3 else True
        out.attributes.append(Attribute(ann_id, head[0], head[1], value, n, kind, tail))
    elif kind == "N":
        if len(head) != 3:
            return f"{ann_id}: malformed normalisation line; left out"
        out.normalisations.append(Normalisation(ann_id, head[0], head[1], head[2], "\t".join(fields[2:]), n))
    elif kind == "#":
        if len(head) != 2:
            return f"{ann_id}: malformed note line; left out"
        out.notes.append(Note(ann_id, head[0], head[1], "\t".join(fields[2:]), n))
    return ""


# --- anchoring and importing ----------------------------------------------------------------


class _OffsetMap:
    """brat offsets (into the .txt as decoded) -> canonical offsets: the BOM
    and the CR of each CRLF are dropped from canonical text, nothing else."""

    def __init__(self, raw: str):
        dropped = list(range(len(raw) - len(raw.lstrip("\ufeff"))))  # the BOM (and any U+FEFF right after it)
        dropped += [m.start() for m in re.finditer("\r\n", raw)]
        self.dropped = dropped
        self.length = len(raw)

    def __call__(self, offset: int) -> int:
        from bisect import bisect_left

        return offset - bisect_left(self.dropped, offset)


@dataclass
class BratImport:
    report: AnnotationImport
    unchanged: int = 0  # T lines already annotated in the document
    extras_added: int = 0
    problems: list[str] = field(default_factory=list)  # everything left out or moved, one line each


def _pieces(text: str, lengths: list[int]) -> list[str] | None:
    """Split a T line's text into its fragments' texts (joined by one space)."""
    if len(text) != sum(lengths) + len(lengths) - 1:
        return None
    out, at = [], 0
    for n in lengths:
        out.append(text[at : at + n])
        at += n + 1
    return out


def _draft(tb: TextBound, doc_text: str, mapping: _OffsetMap | None, strict: bool, where: str) -> AnnotationDraft:
    draft = AnnotationDraft(label=tb.type, id=uuid.uuid4(), source_line=where)
    if tb.problem:
        draft.problem = tb.problem
        return draft
    spans = []
    for s, e in tb.spans:
        if s > e:
            draft.problem = f"reversed span {s}..{e}"
            return draft
        if s == e:
            draft.problem = f"empty span {s}..{e}"
            return draft
        if mapping is not None:
            if e > mapping.length:
                draft.problem = f"span {s}..{e} is past the end of the .txt (length {mapping.length})"
                return draft
            s, e = mapping(s), mapping(e)
        spans.append((s, e))
    n = len(doc_text)
    if strict:
        for s, e in spans:
            if e > n:
                draft.problem = f"span {s}..{e} is past the end of the document (length {n})"
                return draft
        found = " ".join(doc_text[s:e] for s, e in spans)
        if _flat(found) != _flat(tb.text):
            draft.problem = f"the text at {s}..{e} is {found[:40]!r}, not {tb.text[:40]!r} as the line says"
            return draft
        quotes = [Quote(doc_text[s:e]) for s, e in spans]
    else:
        texts = _pieces(tb.text, [e - s for s, e in tb.spans])
        if texts is None:
            draft.problem = f"its text {tb.text[:40]!r} does not fit its offsets"
            return draft
        quotes = [Quote(t) for t in texts]
    if len(spans) == 1:
        draft.start, draft.end = spans[0]
        draft.quote = quotes[0]
    else:
        draft.fragments = spans
        draft.fragment_quotes = quotes  # type: ignore[assignment]
    return draft


def _existing_key(label: str, pieces: Iterable[tuple[int, int]]) -> tuple:
    return (name_key(label), tuple(pieces))


def import_brat(desk: Desk, doc_id: uuid.UUID, parsed: BratFile) -> BratImport:
    """Anchor and store ``parsed`` in the document, all in one transaction."""
    repo = desk.repo
    doc = repo.get_document(doc_id)
    name = parsed.name
    result = BratImport(report=AnnotationImport(), problems=list(parsed.problems))
    mapping: _OffsetMap | None = None
    strict = True
    if parsed.raw_text is not None:
        mapping = _OffsetMap(parsed.raw_text)
        if canonical_from_string(parsed.raw_text) != doc.text:
            strict = False
            result.problems.append(
                f"{parsed.txt_name}: its text differs from the document's; spans were found by their text near their offsets"
            )
    with repo.transaction():
        desk.ensure_tagset()
        labels = {lb.id: lb.name for lb in repo.labels(include_deleted=True)}
        existing: dict[tuple, uuid.UUID] = {}
        for ann in repo.annotations(doc_id):
            existing.setdefault(_existing_key(labels.get(ann.label_id, ""), ann.pieces()), ann.id)
        ids: dict[str, uuid.UUID] = {}  # brat T id -> annotation id
        notes = _notes_by_target(parsed)
        drafts: list[AnnotationDraft] = []
        for tb in parsed.textbounds:
            draft = _draft(tb, doc.text, mapping, strict, f"{name}:{tb.line} {tb.id}")
            pieces = draft.fragments or ([(draft.start, draft.end)] if draft.start is not None else [])
            found = existing.get(_existing_key(tb.type, sorted(pieces))) if strict and pieces else None
            if found is not None:
                ids[tb.id] = found
                result.unchanged += 1
                continue
            draft.note = "\n".join(n.text for n in notes.get(tb.id, []))
            ids[tb.id] = draft.id  # type: ignore[assignment]
            drafts.append(draft)
        report = desk.import_annotations(doc_id, drafts)
        result.report = report
        drafted = {d.id for d in drafts}
        new = drafted & set(report.added)
        stored = new | {a for a in ids.values() if a not in drafted}  # added now, or already there
        extras = _extras(parsed, ids, stored, notes, new, result.problems)
        old = {(x.annotation_id, x.kind, x.name, _comparable(x.value)) for x in repo.annotation_extras(doc_id)}
        fresh = [x for x in extras if (x.annotation_id, x.kind, x.name, _comparable(x.value)) not in old]
        for x in fresh:
            x.creator = desk.user
        repo.add_annotation_extras(fresh)
        result.extras_added = len(fresh)
    return result


def _comparable(value: dict) -> str:
    import json

    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _notes_by_target(parsed: BratFile) -> dict[str, list[Note]]:
    by_target: dict[str, list[Note]] = {}
    for note in parsed.notes:
        by_target.setdefault(note.target, []).append(note)
    return by_target


def _extras(
    parsed: BratFile,
    ids: dict[str, uuid.UUID],
    stored: set[uuid.UUID],
    notes: dict[str, list[Note]],
    new: set[uuid.UUID],
    problems: list[str],
) -> list[AnnotationExtra]:
    name = parsed.name
    relations = {r.id for r in parsed.relations}
    out: list[AnnotationExtra] = []
    stamp = now()
    layout = _layout(parsed, notes)

    def held(target: str, line: int, what: str) -> uuid.UUID | None:
        ann_id = ids.get(target)
        if ann_id is not None and ann_id in stored:
            return ann_id
        if target.startswith("E"):
            problems.append(f"{name}:{line}: {what} on event {target} cannot be held in Annotator; left out")
        elif target in {t.id for t in parsed.textbounds}:
            problems.append(f"{name}:{line}: {what} on {target} left out: {target} was not imported")
        else:
            problems.append(f"{name}:{line}: {what} refers to {target}, which is not in the file; left out")
        return None

    for tb in parsed.textbounds:
        ann_id = ids.get(tb.id)
        if ann_id is None or ann_id not in new or ann_id not in stored:
            continue
        value: dict = {"id": tb.id, "type": tb.type}
        tb_notes = notes.get(tb.id, [])
        if tb_notes:
            value["notes"] = [[n.id, n.type] for n in tb_notes]
        value.update(layout.get(tb.id, {}))
        out.append(AnnotationExtra(annotation_id=ann_id, kind="source_id", name=SCHEME, value=value, created=stamp, modified=stamp))
    kept_relations: set[str] = set()
    for rel in parsed.relations:
        (role1, arg1), (role2, arg2) = rel.args
        source = held(arg1, rel.line, f"relation {rel.id}")
        target = held(arg2, rel.line, f"relation {rel.id}") if source is not None else None
        if source is None or target is None:
            continue
        kept_relations.add(rel.id)
        value = {"id": rel.id, "roles": [role1, role2], "target": str(target)}
        rel_notes = notes.get(rel.id, [])
        if rel_notes:
            value["notes"] = [[n.id, n.type, n.text] for n in rel_notes]
        out.append(AnnotationExtra(annotation_id=source, kind="relation", name=rel.type, value=value, created=stamp, modified=stamp))
    for attr in parsed.attributes:
        if attr.target in relations:
            problems.append(f"{name}:{attr.line}: attribute {attr.id} on relation {attr.target} cannot be held; left out")
            continue
        ann_id = held(attr.target, attr.line, f"attribute {attr.id}")
        if ann_id is not None:
            value = {"id": attr.id, "value": attr.value}
            if attr.prefix != "A":
                value["prefix"] = attr.prefix
            out.append(AnnotationExtra(annotation_id=ann_id, kind="attribute", name=attr.name, value=value, created=stamp, modified=stamp))
    for norm in parsed.normalisations:
        ann_id = held(norm.target, norm.line, f"normalisation {norm.id}")
        if ann_id is not None:
            value = {"id": norm.id, "ref": norm.ref, "text": norm.text}
            out.append(AnnotationExtra(annotation_id=ann_id, kind="normalisation", name=norm.type, value=value, created=stamp, modified=stamp))
    for note in parsed.notes:
        if note.target in kept_relations:
            continue  # kept with its relation
        if note.target in relations:
            problems.append(f"{name}:{note.line}: note {note.id} on relation {note.target} left out with its relation")
        else:
            held(note.target, note.line, f"note {note.id}")  # a T's note is the annotation's: reported only if not stored
    return out


def _layout(parsed: BratFile, notes: dict[str, list[Note]]) -> dict[str, dict]:
    """By ``T`` id: where the lines that hang on it were (``lines``: brat id ->
    line number) and what followed the fields of its ``R`` and ``A`` lines
    (``tails``), for its ``source_id`` extra; :func:`brat_ann` writes them back so."""
    lines: dict[str, dict[str, int]] = {tb.id: {tb.id: tb.line} for tb in parsed.textbounds}
    tails: dict[str, dict[str, str]] = {}
    hanging: list[tuple[str, Relation | Attribute | Normalisation | Note]] = [(r.args[0][1], r) for r in parsed.relations]
    hanging += [(n.target, n) for n in parsed.notes]
    hanging += [(r.args[0][1], n) for r in parsed.relations for n in notes.get(r.id, [])]
    hanging += [(x.target, x) for x in (*parsed.attributes, *parsed.normalisations)]
    for tid, item in hanging:
        if tid in lines:
            lines[tid].setdefault(item.id, item.line)
            if getattr(item, "tail", ""):
                tails.setdefault(tid, {})[item.id] = item.tail  # type: ignore[union-attr]
    return {tid: {"lines": found, **({"tails": tails[tid]} if tid in tails else {})} for tid, found in lines.items()}
