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

Safety, before anything is parsed: the file must be at most
:data:`MAX_FILE_BYTES`, be a zip (an OLE file is called an old .doc or an
encrypted file), hold at most :data:`MAX_MEMBERS` members whose declared
sizes add up to at most :data:`MAX_UNCOMPRESSED` bytes, none of them over
:data:`RATIO_LIMIT` times compressed once past 1 MB (a zip bomb), and hold a
main document part. The sizes checked are the ones the zip declares; Python's
``zipfile`` never inflates a member past its declared size (a member that
lies fails its CRC check), so they bound what is read. Each XML part is read
whole (at most :data:`MAX_PART_BYTES`) and parsed by lxml with a parser that
resolves no entities, loads no DTD, never uses the network and keeps lxml's
default limits on huge documents (``huge_tree=False``); a part with a DOCTYPE
is refused (OPC packages may not carry DTDs).

We read the package with ``zipfile`` and lxml rather than python-docx: it
also reads ISO 29500 *Strict* files (other namespaces, which python-docx
cannot open), reads only the parts it needs instead of every part
(embedded media included), and walks elements by local name, so the same
code serves both namespaces.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..core.canonical import canonical_from_string
from ..core.errors import InputError
from .limits import open_regular

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 10_000
RATIO_LIMIT = 100
_RATIO_FLOOR = 1024 * 1024  # small members may compress well (blank XML); only large ones are judged

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SEP = " | "

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False, remove_pis=True
)


@dataclass
class DocxText:
    text: str
    title: str = ""  # "" when the file names none
    language: str = ""


# --- the package -------------------------------------------------------------------


def _local(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1]


def _attr(el, name: str) -> str | None:
    """Attribute by local name, whatever its namespace (w:val, val, …)."""
    for key, value in el.attrib.items():
        if key.rsplit("}", 1)[-1] == name:
            return value
    return None


class _Package:
    """The zip, checked, and the few parts we read."""

    def __init__(self, path: Path):
        self.path = path
        self.zip = self._open(path)
        self.names = {info.filename.lower(): info.filename for info in self.zip.infolist()}

    def _open(self, path: Path) -> zipfile.ZipFile:
        fd, size = open_regular(path, str(path))  # a FIFO or a device is refused, never read
        self._file = os.fdopen(fd, "rb")  # ZipFile leaves a file it was handed open: close() closes it
        try:
            return self._zip(path, self._file, size)
        except BaseException:
            self._file.close()
            raise

    def _zip(self, path: Path, fh, size: int) -> zipfile.ZipFile:
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: {size // (1024 * 1024)} MB is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
        if size == 0:
            raise InputError(f"{path}: the file is empty")
        if fh.read(8) == _OLE_MAGIC:
            raise InputError(f"{path}: an old Word .doc or a password-protected file, not a .docx; save it as .docx")
        if not zipfile.is_zipfile(fh):
            raise InputError(f"{path}: not a Word .docx file (a .docx is a zip archive, and this is not one)")
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: a damaged zip archive ({exc})") from None
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            zf.close()
            raise InputError(f"{path}: {len(infos)} files inside; more than the {MAX_MEMBERS} a Word file could need")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > _RATIO_FLOOR and info.file_size > RATIO_LIMIT * max(info.compress_size, 1):
                zf.close()
                raise InputError(
                    f"{path}: refused as a zip bomb: {info.filename} would inflate "
                    f"{info.file_size // max(info.compress_size, 1)} times (limit {RATIO_LIMIT})"
                )
            if total > MAX_UNCOMPRESSED:
                zf.close()
                raise InputError(
                    f"{path}: refused as a zip bomb: its contents would inflate past "
                    f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB"
                )
        return zf

    def close(self) -> None:
        self.zip.close()
        self._file.close()

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def xml(self, name: str):
        """The parsed part ``name`` (a path inside the zip, no leading slash)."""
        real = self.names.get(name.lower())
        if real is None:
            raise InputError(f"{self.path}: not a Word document ({name} is missing)")
        info = self.zip.getinfo(real)
        if info.file_size > MAX_PART_BYTES:
            raise InputError(f"{self.path}: {name} is larger than the {MAX_PART_BYTES // (1024 * 1024)} MB limit")
        try:
            data = self.zip.read(real)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise InputError(f"{self.path}: cannot read {name} inside the file ({exc})") from None
        try:
            tree = etree.fromstring(data, _PARSER).getroottree()
        except etree.XMLSyntaxError as exc:
            raise InputError(f"{self.path}: {name} is not well-formed XML ({exc.msg})") from None
        if tree.docinfo.doctype:
            raise InputError(f"{self.path}: {name} declares a DTD, which Word files never do; refused")
        return tree.getroot()

    def rels(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationships of part ``source`` ("" for the package): id -> (type, part name)."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return {}
        out: dict[str, tuple[str, str]] = {}
        for rel in self.xml(rels_name):
            if _local(rel) != "Relationship" or (rel.get("TargetMode") or "").lower() == "external":
                continue
            target = rel.get("Target") or ""
            if target.startswith("/"):
                part = target.lstrip("/")
            else:
                part = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id") or ""] = (rel.get("Type") or "", part)
        return out

    def by_type(self, source: str, suffix: str) -> str | None:
        for rtype, part in self.rels(source).values():
            if rtype.endswith("/" + suffix) and self.has(part):
                return part
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
    order: dict[str, list[str]] = field(default_factory=lambda: {"footnote": [], "endnote": []})
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
                boxes.extend(child.iter("{*}txbxContent"))
            elif name == "AlternateContent":
                self.inline(_alternative(child), out, boxes)
            elif name == "txbxContent":
                boxes.append(child)
            else:
                self.inline(child, out, boxes)

    def note_marker(self, kind: str, note_id: str) -> str:
        if self.in_note or note_id not in self.notes.get(kind, {}):
            return ""
        order = self.order[kind]
        if note_id not in order:
            order.append(note_id)
        n = order.index(note_id) + 1
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


def _styles(pkg: _Package, main: str) -> tuple[set[str], set[str]]:
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


def _notes(pkg: _Package, main: str, kind: str) -> dict[str, object]:
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


def _core(pkg: _Package) -> tuple[str, str]:
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
    pkg = _Package(path)
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
