"""Word .docx files as canonical text.

What becomes text, in body order:

* paragraphs and headings, one per line with a blank line between them
  (consecutive list items and the rows of a table sit on single lines);
* tables row by row, the cells of a row joined by ``" | "`` (a visible
  separator that survives copying and never looks like indentation, which a
  tab would); a cell's own paragraphs are joined by a space, a nested table's
  rows by ``" / "``; a cell continuing a vertical merge is empty;
* text boxes, as paragraphs after the paragraph that anchors them;
* tracked insertions are kept and tracked deletions left out (the document
  as it reads with changes accepted); field codes are left out, their
  results kept; tabs stay ``\\t`` and line breaks ``\\n``;
* footnotes and endnotes: where they are referenced a marker ``[1]`` (``[i]``
  for endnotes) is put in the text, and their text is appended at the end
  under a ``Footnotes`` (``Endnotes``) line, one note per line, in the order
  they are referenced.

Left out: headers and footers (page furniture repeated on every page),
comments (they are annotations, not text), images and charts.

The title is the core properties' title, else the first heading (or Title
paragraph), else the file name. The language is the core properties' one.

How the package is read, and what is checked before anything is parsed
(declared sizes, compression methods, bytes actually inflated, DTDs), is in
:mod:`annotator.io.docx_package`.

We read the package with ``zipfile`` and lxml rather than python-docx: it
also reads ISO 29500 *Strict* files (other namespaces, which python-docx
cannot open), reads only the parts it needs instead of every part
(embedded media included), and walks elements by local name, so the same
code serves both namespaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.canonical import canonical_from_string
from ..core.errors import InputError
from .docx_package import Package
from .docx_package import local_name as _local

_SEP = " | "


@dataclass
class DocxText:
    text: str
    title: str = ""  # "" when the file names none
    language: str = ""


def _attr(el, name: str) -> str | None:
    """Attribute by local name, whatever its namespace (w:val, val, …)."""
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None


# --- the text ------------------------------------------------------------------------

_SKIP = {
    "del", "moveFrom", "delText", "instrText", "delInstrText", "footnoteRef", "endnoteRef", "annotationRef",
    "commentReference", "rt", "fldData", "sym", "softHyphen", "lastRenderedPageBreak", "proofErr",
}  # fmt: skip
_BOXES = {"drawing", "pict", "object"}


def _roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                           (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):  # fmt: skip
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


@dataclass
class _Block:
    text: str
    kind: str = "para"  # "para", "list", "row"
    heading: bool = False


@dataclass
class _Walker:
    headings: set[str]  # style ids of headings and the Title style
    lists: set[str]  # style ids that number their paragraphs
    notes: dict[str, dict[str, object]]  # "footnote"/"endnote" -> id -> element
    order: dict[str, dict[str, int]] = field(default_factory=lambda: {"footnote": {}, "endnote": {}})  # id -> number
    in_note: bool = False

    # inline ------------------------------------------------------------------

    def inline(self, el, out: list[str], boxes: list) -> None:
        """Text of a paragraph's content, in order; text boxes go to ``boxes``."""
        for child in el:
            name = _local(child)
            if not name or name in _SKIP or name.endswith("Pr"):
                continue
            if name == "t":
                out.append(child.text or "")
            elif name == "tab" or name == "ptab":
                out.append("\t")
            elif name in ("br", "cr"):
                out.append("\n")
            elif name == "noBreakHyphen":
                out.append("\u2011")
            elif name in ("footnoteReference", "endnoteReference"):
                kind = name[:-9]
                out.append(self.note_marker(kind, _attr(child, "id") or ""))
            elif name in _BOXES:
                boxes.extend(_outer_boxes(child))
            elif name == "AlternateContent":
                self.inline(_alternative(child), out, boxes)
            elif name == "txbxContent":
                boxes.append(child)
            else:
                self.inline(child, out, boxes)

    def note_marker(self, kind: str, note_id: str) -> str:
        if self.in_note or note_id not in self.notes.get(kind, {}):
            return ""
        n = self.order[kind].setdefault(note_id, len(self.order[kind]) + 1)
        return f"[{n}]" if kind == "footnote" else f"[{_roman(n)}]"

    def paragraph(self, p) -> tuple[str, list]:
        out: list[str] = []
        boxes: list = []
        self.inline(p, out, boxes)
        return "".join(out), boxes

    # blocks --------------------------------------------------------------------

    def blocks(self, container, out: list[_Block]) -> None:
        for child in container:
            name = _local(child)
            if name == "p":
                text, boxes = self.paragraph(child)
                kind, heading = self.paragraph_kind(child)
                if text.strip():
                    out.append(_Block(text, kind, heading))
                for box in boxes:
                    self.blocks(box, out)
            elif name == "tbl":
                for row in self.table_rows(child):
                    out.append(_Block(row, "row"))
            elif name in ("sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"):
                self.blocks(child, out)
            elif name == "AlternateContent":
                self.blocks(_alternative(child), out)

    def paragraph_kind(self, p) -> tuple[str, bool]:
        ppr = next((c for c in p if _local(c) == "pPr"), None)
        if ppr is None:
            return "para", False
        kind, heading = "para", False
        for c in ppr:
            name = _local(c)
            if name == "pStyle":
                style = _attr(c, "val") or ""
                heading = heading or style in self.headings
                kind = "list" if style in self.lists else kind
            elif name == "outlineLvl" and (_attr(c, "val") or "9") < "9":
                heading = True
            elif name == "numPr":
                kind = "list"
        return kind, heading

    def cell_text(self, tc) -> str:
        for c in tc:
            if _local(c) == "tcPr":
                for p in c:
                    if _local(p) == "vMerge" and (_attr(p, "val") or "continue") == "continue":
                        return ""
        parts: list[str] = []
        for child in tc:
            name = _local(child)
            if name == "tbl":
                parts.append(" / ".join(self.table_rows(child)))
            elif name in ("p", "sdt", "customXml", "AlternateContent"):
                blocks: list[_Block] = []
                self.blocks([child], blocks)
                parts.extend(b.text for b in blocks)
        return " ".join(" ".join(p.split("\n")) for p in parts if p.strip())

    def table_rows(self, tbl) -> list[str]:
        rows: list[str] = []
        for tr in _children(tbl, "tr"):
            cells = [self.cell_text(tc) for tc in _children(tr, "tc")]
            if any(c.strip() for c in cells):
                rows.append(_SEP.join(c.replace("\t", " ") for c in cells).rstrip())
        return rows

    def note_text(self, kind: str, note_id: str) -> str:
        self.in_note = True
        try:
            blocks: list[_Block] = []
            self.blocks(self.notes[kind][note_id], blocks)  # type: ignore[arg-type]
        finally:
            self.in_note = False
        return " ".join(b.text.strip() for b in blocks if b.text.strip())


def _children(el, name: str):
    """Direct children named ``name``, looking through sdt/customXml wrappers."""
    for child in el:
        local = _local(child)
        if local == name:
            yield child
        elif local in ("sdt", "sdtContent", "customXml"):
            yield from _children(child, name)


def _outer_boxes(el) -> list:
    """The text boxes in a drawing, outermost only: a box inside a box is
    reached when the outer box's paragraphs are walked, so each box's text
    appears once (collecting every descendant box at every level multiplied
    nested boxes: 564 bytes became 8.4 million characters)."""
    found: list = []
    stack = [iter(el)]  # iterators, not recursion: document order, any depth
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        name = _local(child)
        if name == "txbxContent":
            found.append(child)
        elif name == "AlternateContent":
            stack.append(iter(_alternative(child)))
        elif name:
            stack.append(iter(child))
    return found


def _alternative(ac):
    """The first mc:Choice of an mc:AlternateContent (else its Fallback), never both."""
    for c in ac:
        if _local(c) == "Choice":
            return c
    for c in ac:
        if _local(c) == "Fallback":
            return c
    return []


def _join(blocks: list[_Block]) -> str:
    out: list[str] = []
    prev: _Block | None = None
    for b in blocks:
        if prev is not None:
            same = b.kind == prev.kind and b.kind in ("list", "row")
            out.append("\n" if same else "\n\n")
        out.append(b.text)
        prev = b
    return "".join(out)


def _styles(pkg: Package, main: str) -> tuple[set[str], set[str]]:
    """Ids of the paragraph styles that are headings (or the Title), and of
    those that number their paragraphs (list styles)."""
    part = pkg.by_type(main, "styles")
    headings: set[str] = set()
    lists: set[str] = set()
    if part is None:
        return headings, lists
    for style in pkg.xml(part):
        if _local(style) != "style" or _attr(style, "type") != "paragraph":
            continue
        style_id = _attr(style, "styleId") or ""
        name = next(((_attr(c, "val") or "") for c in style if _local(c) == "name"), "")
        outline = next(((_attr(c, "val") or "9") for c in style.iter("{*}outlineLvl")), "9")
        if re.fullmatch(r"(heading \d|title)", name.strip().lower()) or outline < "9":
            headings.add(style_id)
        if next(style.iter("{*}numPr"), None) is not None:
            lists.add(style_id)
    return headings, lists


def _notes(pkg: Package, main: str, kind: str) -> dict[str, object]:
    part = pkg.by_type(main, kind + "s")
    if part is None:
        return {}
    notes: dict[str, object] = {}
    for note in pkg.xml(part):
        if _local(note) != kind:
            continue
        if (_attr(note, "type") or "normal") != "normal":
            continue  # separators and continuation notices
        notes[_attr(note, "id") or ""] = note
    return notes


def _core(pkg: Package) -> tuple[str, str]:
    part = pkg.by_type("", "core-properties") or ("docProps/core.xml" if pkg.has("docProps/core.xml") else None)
    if part is None:
        return "", ""
    title = language = ""
    for el in pkg.xml(part):
        name = _local(el)
        if name == "title":
            title = " ".join((el.text or "").split())
        elif name == "language":
            language = (el.text or "").strip()
    return title, language


def read_docx(path: Path | str) -> DocxText:
    """The canonical text of a .docx, with its title and language; raises
    :class:`InputError` naming the file for anything it cannot read."""
    path = Path(path)
    pkg = Package(path)
    try:
        main = pkg.by_type("", "officeDocument") or ("word/document.xml" if pkg.has("word/document.xml") else None)
        if main is None:
            raise InputError(f"{path}: not a Word document (the zip has no word/document.xml)")
        root = pkg.xml(main)
        body = next((c for c in root if _local(c) == "body"), None)
        if _local(root) != "document" or body is None:
            raise InputError(f"{path}: not a Word document ({main} has no document body)")
        headings, lists = _styles(pkg, main)
        walker = _Walker(
            headings=headings,
            lists=lists,
            notes={"footnote": _notes(pkg, main, "footnote"), "endnote": _notes(pkg, main, "endnote")},
        )
        blocks: list[_Block] = []
        walker.blocks(body, blocks)
        text = _join(blocks)
        for kind, heading in (("footnote", "Footnotes"), ("endnote", "Endnotes")):
            lines = []
            for i, note_id in enumerate(walker.order[kind], 1):
                marker = f"[{i}]" if kind == "footnote" else f"[{_roman(i)}]"
                lines.append(f"{marker} {walker.note_text(kind, note_id)}".rstrip())
            if lines:
                text += ("\n\n" if text else "") + heading + "\n\n" + "\n".join(lines)
        title, language = _core(pkg)
    except RecursionError:
        raise InputError(f"{path}: the document is nested too deeply to read") from None
    finally:
        pkg.close()
    text = canonical_from_string(text)
    if not text.strip():
        raise InputError(f"{path}: the document has no text")
    if not title:
        title = next((" ".join(b.text.split()) for b in blocks if b.heading and b.text.strip()), "")
    return DocxText(text=text, title=title[:300], language=language)
