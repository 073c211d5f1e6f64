"""HTML files as canonical text: the visible text only, laid out roughly as
a browser's ``innerText`` would give it.

* Left out: ``script``, ``style``, ``template``, ``noscript``, ``svg``,
  ``iframe``, ``object``, ``canvas``, ``select`` and ``datalist`` content,
  elements with the ``hidden`` attribute or an inline ``display: none``, and
  everything that is not an element's text (comments, attributes, ``alt``).
* Block elements start new lines: paragraphs, headings, ``pre``, lists,
  block quotes, tables and ``hr`` with a blank line around them, other
  blocks (``div``, ``li``, ``tr``, ``dt``/``dd``, sections …) with a line
  break; ``<br>`` is a line break. Table cells of a row are joined by
  ``" | "``, as in Word tables (see :mod:`.docx_import`).
* White space is collapsed as in normal flow: runs of space, tab, CR, LF and
  form feed become one space, dropped at the start and end of a line; a
  no-break space (``&nbsp;``) is kept. Inside ``pre``, ``textarea``,
  ``listing`` and ``plaintext`` the text is kept as it is (less the newline
  right after the opening tag, as HTML parsing drops it).
* The title is ``<title>``, else the first ``<h1>`` (either's first 4,000
  characters), else the file name; the language is ``<html lang>``.

The bytes are decoded as UTF-8 (BOMs for UTF-8/16/32 are honoured); a file
that is not UTF-8 is decoded with the charset its ``<meta>`` declares, and
refused if it declares none, or a codec that is no web page's character set
(``base64``, ``rot13``, ``unicode_escape`` …); UTF-16/32 and EBCDIC there
mean UTF-8, as in browsers.

Parsing uses libxml2's HTML parser (through lxml, in event mode: no tree is
built), whose tokenizer follows HTML5: its cost is linear in the input, where
``html.parser`` took 47 s over 20,000 unclosed ``<a `` and recovered from an
unclosed ``<!--`` by showing the rest of the file. It fetches nothing and
expands no entity a DTD declares. The peak memory, measured on 60 MB pages,
is 3.5 to 4.5 times the file for text in small paragraphs or ``<pre>``,
for an unclosed comment and for 12 million nested ``div``; 5 times for Arabic
text, 8 times for text all emoji (four bytes a character in a Python
string). The worst is one tag with millions of attributes, 21 times (lxml
makes a dict of them); a page that runs out of memory is refused.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..core.canonical import canonical_from_string, decode
from ..core.errors import InputError
from .limits import read_bytes_limited

_SKIP = {"script", "style", "template", "noscript", "svg", "iframe", "object", "canvas", "select", "datalist", "head"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_PARA = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "table", "ul", "ol", "dl", "hr", "figure",
         "listing", "plaintext", "xmp"}  # fmt: skip
_LINE = {"address", "article", "aside", "body", "caption", "center", "dd", "details", "dialog", "dir", "div", "dt",
         "fieldset", "figcaption", "footer", "form", "header", "hgroup", "html", "legend", "li", "main", "menu", "nav",
         "option", "search", "section", "summary", "textarea", "tbody", "tfoot", "thead", "tr"}  # fmt: skip
_HEAD = {"base", "link", "meta", "noscript", "script", "style", "template", "title"}
_PRE = {"pre", "textarea", "listing", "plaintext", "xmp"}
_CELL = {"td", "th"}
_WS = re.compile(r"[ \t\n\r\f]+")
_ANY_WS = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Python codecs that are text encodings but no web page's character set: they raise on any input, read
# backslash escapes, or are domain-name codes (UTF-7 is banned from the web for smuggling markup).
_NOT_CHARSETS = {"undefined", "unicode-escape", "raw-unicode-escape", "idna", "punycode", "utf-7"}
_ASCII_PROBE = b'<meta charset="x">'
_SURROGATE = re.compile("[\ud800-\udfff]")
_NEWLINES = ("", "\n", "\n\n", "\n\n\n")
_TITLE_CHARS = 4000


@dataclass
class HtmlText:
    text: str
    title: str = ""
    language: str = ""


def _one_line(text: str) -> str:
    """White space collapsed as ``" ".join(text.split())`` would, without a list of every word."""
    return _ANY_WS.sub(" ", text).strip()


class _Heading:
    """The text of a ``<title>`` or ``<h1>``, kept to its first few thousand
    characters: a title, not a second copy of a page that is all heading."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.room = _TITLE_CHARS

    def add(self, piece: str) -> None:
        if self.room > 0:
            self.parts.append(piece[: self.room])
            self.room -= len(piece)

    def text(self) -> str:
        return _one_line("".join(self.parts))


class _Pieces:
    """Text built from many small pieces, joined every few thousand of them so
    that a page of tiny paragraphs does not hold millions of small strings."""

    def __init__(self) -> None:
        self.joined: list[str] = []
        self.pieces: list[str] = []

    def add(self, piece: str) -> None:
        self.pieces.append(piece)
        if len(self.pieces) >= 4096:
            self.joined.append("".join(self.pieces))
            self.pieces.clear()

    def __bool__(self) -> bool:
        return bool(self.joined or self.pieces)

    def text(self) -> str:
        self.joined.append("".join(self.pieces))
        self.pieces.clear()
        return "".join(self.joined)


class _Extractor:
    """An lxml parser target: libxml2 reports every element it opens (those
    the markup implies too) and ends each, in order, so a count of the open
    elements inside a hidden one is enough to know where it ends."""

    def __init__(self) -> None:
        self.out = _Pieces()
        self.tail_newlines = 0  # newlines ending the last piece written (a <pre> may end its own line)
        self.breaks = 0  # line breaks owed before the next text
        self.space = False  # a collapsed space owed before the next text on this line
        self.at_line_start = True
        self.skip = 0  # open elements whose content is not shown
        self.skip_root = ""  # the outermost of them
        self.pre = 0
        self.pre_fresh = False  # just after <pre>: one leading newline is dropped
        self.cells: list[int] = []  # cells seen in each open table row
        self.title: _Heading | None = None  # collecting the first <title>
        self.title_text = ""
        self.h1: _Heading | None = None
        self.first_h1 = ""
        self.language = ""
        self.open = 0  # elements started and not yet ended: libxml2 ends all of them unless it stops early

    # output ---------------------------------------------------------------------

    def block(self, n: int) -> None:
        if self.cells and self.cells[-1]:  # inside a table cell: blocks flow on in the row
            self.space = True
            return
        if self.out:
            self.breaks = max(self.breaks, n)
        self.space = False
        self.at_line_start = True

    def write(self, piece: str) -> None:
        self.out.add(piece)
        self.tail_newlines = len(piece) - len(piece.rstrip("\n"))

    def emit(self, text: str) -> None:
        if self.breaks:
            owed = self.breaks - self.tail_newlines
            if owed > 0:
                self.out.add(_NEWLINES[owed] if owed < len(_NEWLINES) else "\n" * owed)
            self.breaks = 0
        self.write(text)
        if self.h1 is not None:
            self.h1.add(text)

    def flow_text(self, data: str) -> None:
        words = _WS.sub(" ", data)  # one piece per chunk of text, not one per word
        if words.startswith(" "):
            self.space = True
            words = words[1:]
        ends_in_space = words.endswith(" ")
        if ends_in_space:
            words = words[:-1]
        if words:
            if self.space and not self.at_line_start:
                words = " " + words
            self.space = False
            self.emit(words)
            self.at_line_start = False
        if ends_in_space:
            self.space = True

    # parser events ------------------------------------------------------------------

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        self.open += 1
        if tag == "html" and attrib and not self.language:
            self.language = (attrib.get("lang") or "").strip()
        if self.skip == 1 and self.skip_root == "head" and tag not in _HEAD:
            self.skip = 0  # body content libxml2 keeps in the head: browsers end the head there
        if tag == "title" and (not self.skip or (self.skip == 1 and self.skip_root == "head")):
            if not self.title_text and self.title is None:
                self.title = _Heading()
            if not self.skip:
                self.hide(tag)  # a title is never shown in the page, even one in the body
                return
        if self.skip:
            self.skip += 1
            return
        if tag in _SKIP or (attrib and ("hidden" in attrib or _HIDDEN_STYLE.search(attrib.get("style") or ""))):
            if tag not in _VOID:
                self.hide(tag)
                return
        if tag == "br":
            if self.pre:
                self.emit("\n")
            else:
                self.breaks += 1 if self.out or self.breaks else 0
                self.space = False
                self.at_line_start = True
            return
        if tag in _CELL:
            if self.cells:
                if self.cells[-1]:
                    if self.breaks:
                        self.emit("")
                    self.write(" | ")
                    self.at_line_start = True
                self.cells[-1] += 1
            self.space = False
            return
        if tag == "tr":
            self.cells.append(0)
        if tag in _PARA:
            self.block(2)
        elif tag in _LINE:
            self.block(1)
        if tag == "h1" and not self.first_h1 and self.h1 is None:
            self.h1 = _Heading()
        if tag in _PRE:
            self.pre += 1
            self.pre_fresh = True

    def hide(self, tag: str) -> None:
        self.skip = 1
        self.skip_root = tag

    def end(self, tag: str) -> None:
        self.open -= 1
        if tag == "title" and self.title is not None:  # a title holds text only: this end is its own
            self.title_text = self.title.text()
            self.title = None
        if self.skip:
            self.skip -= 1
            return
        if tag in ("body", "html"):
            return  # browsers ignore a stray </body> or </html> in the middle of content
        if tag == "tr" and self.cells:
            self.cells.pop()
        if tag in _PRE and self.pre:
            self.pre -= 1
        if tag == "h1" and self.h1 is not None:
            self.first_h1 = self.h1.text()
            self.h1 = None
        if tag in _PARA:
            self.block(2)
        elif tag in _LINE:
            self.block(1)

    def data(self, data: str) -> None:
        if self.title is not None:
            self.title.add(data)
            return
        if self.skip:
            return
        if self.pre:
            if self.pre_fresh and data.startswith(("\r\n", "\n", "\r")):
                data = data[2:] if data.startswith("\r\n") else data[1:]
            self.pre_fresh = False
            if data:
                self.emit(data)
                self.at_line_start = data.endswith(("\n", "\r"))
            return
        self.flow_text(data)

    def close(self) -> str:
        return self.out.text()


def _decode_html(data: bytes, name: str) -> str:
    try:
        return decode(data, name)
    except InputError as utf8_error:
        m = _META_CHARSET.search(data[:4096])
        if m is None:
            raise
        codec = _declared_codec(m.group(1).decode("ascii"), name)
        if codec is None:
            raise utf8_error from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid {codec} (byte {exc.start}), though its <meta> says so") from None
        except (UnicodeError, LookupError):
            raise InputError(f"{name}: not valid {codec}, though its <meta> says so") from None
        if "\x00" in text:
            raise InputError(f"{name}: looks like a binary file (contains NUL characters)")
        if _SURROGATE.search(text):
            raise InputError(f"{name}: not valid {codec} (it decodes to half a UTF-16 pair), though its <meta> says so")
        return canonical_from_string(text)


def _declared_codec(charset: str, name: str) -> str | None:
    """The Python codec for the character set a ``<meta>`` declares; None
    where browsers read UTF-8 instead: UTF-8 itself, and the encodings that do
    not write ASCII as ASCII (a ``<meta>`` found in ASCII cannot be in them)."""
    shown = repr(charset) if len(charset) <= 40 else repr(charset[:40]) + "…"
    try:
        if len(charset) > 40:
            raise LookupError(charset)
        info = codecs.lookup(charset)
    except (LookupError, ValueError):
        raise InputError(f"{name}: declares an unknown character set {shown}") from None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        raise InputError(f"{name}: declares {shown} as its character set, which is not a text encoding")
    try:
        ascii_compatible = _ASCII_PROBE.decode(info.name) == _ASCII_PROBE.decode("ascii")
    except (UnicodeError, LookupError):
        ascii_compatible = False
    return info.name if ascii_compatible and info.name != "utf-8" else None


def html_to_text(source: str) -> HtmlText:
    extractor = _Extractor()
    parser = etree.HTMLParser(
        target=extractor,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
        recover=True,
        huge_tree=True,  # no limit on the size of one text or the depth of nesting: the parser is linear
        default_doctype=False,
    )
    parser.feed(source)
    text = canonical_from_string(parser.close())
    if extractor.open:  # libxml2 stops without a word when a malloc fails: the rest of the page would be lost
        raise MemoryError("the HTML parser stopped before the end of the page")
    return HtmlText(text=text, title=extractor.title_text or extractor.first_h1, language=extractor.language)


def read_html(path: Path | str) -> HtmlText:
    path = Path(path)
    data = read_bytes_limited(path)
    try:
        found = html_to_text(_decode_html(data, str(path)))
    except MemoryError:  # the page and everything made from it are garbage now, so there is room to say so
        raise InputError(f"{path}: not enough memory to read this {len(data) // (1024 * 1024)} MB page") from None
    except etree.LxmlError as exc:  # libxml2 recovers from any markup; this would be a resource limit
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: could not be read as HTML ({reason[:200]})") from None
    if not found.text.strip():
        raise InputError(f"{path}: the page has no visible text")
    return found
