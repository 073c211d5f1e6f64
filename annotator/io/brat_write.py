"""Writing brat standoff: a document's annotations as a ``.ann`` and its
canonical text as the ``.txt`` beside it (see :mod:`.brat` for what each
line holds and how reading keeps what writing gives back)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from pathlib import Path

from ..core.errors import InputError
from ..core.model import AnnotationExtra, Document
from ..core.ports import Repository
from .atomic import atomic_write
from .brat_terms import BRAT_ID, NOTE_TYPE, SCHEME, TYPE_NAME, flat


def _number(brat_id: str) -> int:
    m = re.search(r"(\d+)$", brat_id)
    return int(m.group(1)) if m else 0


class _Ids:
    """Hands out ids of one prefix: the stored one when free, else a fresh one."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.used: set[str] = set()
        self.next = 1

    def reserve(self, wanted: Iterable[str]) -> None:
        for w in wanted:
            if w.startswith(self.prefix):
                self.next = max(self.next, _number(w) + 1)

    def take(self, wanted: str | None) -> str:
        if wanted and wanted.startswith(self.prefix) and wanted not in self.used and BRAT_ID.match(wanted):
            self.used.add(wanted)
            return wanted
        while f"{self.prefix}{self.next}" in self.used:
            self.next += 1
        fresh = f"{self.prefix}{self.next}"
        self.used.add(fresh)
        self.next += 1
        return fresh


def _type_name(name: str) -> str:
    """A label name as a brat type: no white space (brat types cannot hold it)."""
    return "_".join(name.split()) or "Untagged"


def _value_text(value) -> str:
    return " ".join(str(value).split())


def _tail(layout: dict, stored_id: object) -> str:
    """What followed a line's fields in the file (brat's trailing tab), kept on one line."""
    tails = layout.get("tails")
    tail = tails.get(str(stored_id), "") if isinstance(tails, dict) else ""
    return tail.replace("\n", " ") if isinstance(tail, str) and tail.startswith("\t") else ""


_ORDER = {"T": 0, "R": 1, "A": 2, "M": 2, "N": 3, "#": 4}


class _Out:
    """The lines of a ``.ann``, each put where it was in the file it came
    from (``lines`` of its annotation's ``source_id`` extra: brat id -> line
    number); the lines of annotations made here (or imported before lines
    were kept) after them, by kind then number."""

    def __init__(self) -> None:
        self.lines: list[tuple[tuple[int, int, int, int], str]] = []

    def add(self, layout: dict, stored_id: object, brat_id: str, line: str) -> None:
        where = layout.get("lines")
        at = where.get(str(stored_id)) if isinstance(where, dict) else None
        order, number = _ORDER[brat_id[0]], _number(brat_id)
        known = isinstance(at, int) and not isinstance(at, bool)
        self.lines.append(((0, at, order, number) if known else (1, 0, order, number), line))  # type: ignore[arg-type]

    def text(self) -> str:
        return "".join(line + "\n" for _key, line in sorted(self.lines, key=lambda t: t[0]))


def brat_ann(repo: Repository, doc: Document) -> tuple[str, list[str]]:
    """The document's live annotations as a ``.ann`` (offsets into ``doc.text``),
    and what could not be written, one line each."""
    labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
    annotations = list(repo.annotations(doc.id))
    live = {a.id for a in annotations}
    extras: dict[uuid.UUID, list[AnnotationExtra]] = {}
    for x in repo.annotation_extras(doc.id):
        extras.setdefault(x.annotation_id, []).append(x)
    source = {a: next((x.value for x in xs if x.kind == "source_id" and x.name == SCHEME), {}) for a, xs in extras.items()}
    gens = {p: _Ids(p) for p in ("T", "R", "A", "M", "N", "#")}
    stored_ids: list[str] = []
    for a, xs in extras.items():
        for x in xs:
            stored_ids.append(str(x.value.get("id", "")))
            stored_ids += [str(n[0]) for n in x.value.get("notes", []) if isinstance(n, list) and n]
    for g in gens.values():
        g.reserve(stored_ids)
    problems: list[str] = []
    tids: dict[uuid.UUID, str] = {}
    out = _Out()
    text = doc.text
    for ann in sorted(annotations, key=lambda a: (_number(str(source.get(a.id, {}).get("id", ""))) or 10**12, a.start, a.end)):
        meta = source.get(ann.id, {})
        tid = gens["T"].take(str(meta.get("id", "")) or None)
        tids[ann.id] = tid
        label = labels[ann.label_id].name
        stored_type = str(meta.get("type", ""))
        btype = stored_type if stored_type and stored_type.casefold() == label.casefold() and TYPE_NAME.match(stored_type) else _type_name(label)
        pieces = ann.pieces()
        spans = ";".join(f"{s} {e}" for s, e in pieces)
        surface = flat(" ".join(text[s:e] for s, e in pieces))
        out.add(meta, meta.get("id"), tid, f"{tid}\t{btype} {spans}\t{surface}")
        if ann.note:
            note_ids = [n[0] for n in meta.get("notes", []) if isinstance(n, list) and n]
            note_types = [n[1] if len(n) > 1 else NOTE_TYPE for n in meta.get("notes", []) if isinstance(n, list) and n]
            for i, part in enumerate(ann.note.split("\n")):
                stored = note_ids[i] if i < len(note_ids) else None
                nid = gens["#"].take(stored)
                ntype = note_types[i] if i < len(note_types) and TYPE_NAME.match(str(note_types[i])) else NOTE_TYPE
                out.add(meta, stored, nid, f"{nid}\t{ntype} {tid}\t{part.replace(chr(9), ' ')}")
    for ann in annotations:
        layout = source.get(ann.id, {})
        for x in extras.get(ann.id, []):
            v = x.value
            if x.kind == "relation":
                try:
                    target = uuid.UUID(str(v.get("target")))
                except ValueError:
                    target = None
                if target not in live or target not in tids:
                    problems.append(f"relation {x.name} from {tids[ann.id]}: its target annotation is deleted or in another document; left out")
                    continue
                roles = v.get("roles") or ["Arg1", "Arg2"]
                rid = gens["R"].take(str(v.get("id", "")) or None)
                args = f"{roles[0]}:{tids[ann.id]} {roles[1]}:{tids[target]}"
                out.add(layout, v.get("id"), rid, f"{rid}\t{_type_name(x.name)} {args}{_tail(layout, v.get('id'))}")
                for n in v.get("notes", []):
                    if isinstance(n, list) and len(n) >= 3:
                        nid = gens["#"].take(str(n[0]))
                        out.add(layout, n[0], nid, f"{nid}\t{n[1]} {rid}\t{flat(str(n[2]))}")
            elif x.kind == "attribute":
                prefix = "M" if v.get("prefix") == "M" else "A"
                aid = gens[prefix].take(str(v.get("id", "")) or None)
                value = v.get("value", True)
                shown = "" if value is True else f" {_value_text(value)}"
                out.add(layout, v.get("id"), aid, f"{aid}\t{_type_name(x.name)} {tids[ann.id]}{shown}{_tail(layout, v.get('id'))}")
            elif x.kind == "normalisation":
                nid = gens["N"].take(str(v.get("id", "")) or None)
                ref, surface = _value_text(v.get("ref", "")), flat(str(v.get("text", "")))
                out.add(layout, v.get("id"), nid, f"{nid}\t{_type_name(x.name)} {tids[ann.id]} {ref}\t{surface}")
    return out.text(), problems


def write_brat(repo: Repository, doc: Document, ann_path: Path | str) -> tuple[Path, Path, list[str]]:
    """Write ``FILE.ann`` and the canonical text as ``FILE.txt`` beside it."""
    ann_path = Path(ann_path)
    if ann_path.suffix.lower() == ".txt":
        raise InputError(f"{ann_path}: give the .ann file to write (the .txt is written beside it)")
    txt_path = ann_path.with_suffix(".txt")
    ann, problems = brat_ann(repo, doc)
    with atomic_write(txt_path, newline="\n") as fh:
        fh.write(doc.text)
    with atomic_write(ann_path, newline="\n") as fh:
        fh.write(ann)
    return ann_path, txt_path, problems
