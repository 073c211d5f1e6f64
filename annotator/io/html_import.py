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
* The title is ``<title>``, else the first ``<h1>``, else the file name; the
  language is ``<html lang>``.

The bytes are decoded as UTF-8 (BOMs for UTF-8/16/32 are honoured); a file
that is not UTF-8 is decoded with the charset its ``<meta>`` declares, and
refused if it declares none. Parsing uses the standard library's
``html.parser``, which is forgiving of broken markup and never fetches
anything.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

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
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


@dataclass
class HtmlText:
    text: str
    title: str = ""
    language: str = ""


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.breaks = 0  # line breaks owed before the next text
        self.space = False  # a collapsed space owed before the next text on this line
        self.at_line_start = True
        self.skip: list[str] = []  # open elements whose content is not shown
        self.pre = 0
        self.pre_fresh = False  # just after <pre>: one leading newline is dropped
        self.cells: list[int] = []  # cells seen in each open table row
        self.title: list[str] | None = None  # collecting the first <title>
        self.title_text = ""
        self.h1: list[str] | None = None
        self.first_h1 = ""
        self.language = ""

    # output ---------------------------------------------------------------------

    def block(self, n: int) -> None:
        if self.cells and self.cells[-1]:  # inside a table cell: blocks flow on in the row
            self.space = True
            return
        if self.out:
            self.breaks = max(self.breaks, n)
        self.space = False
        self.at_line_start = True

    def emit(self, text: str) -> None:
        if self.breaks:
            last = self.out[-1] if self.out else ""
            owed = self.breaks - (len(last) - len(last.rstrip("\n")))  # a <pre> may have ended its line already
            self.out.append("\n" * max(owed, 0))
            self.breaks = 0
        self.out.append(text)
        if self.h1 is not None:
            self.h1.append(text)

    def flow_text(self, data: str) -> None:
        parts = _WS.split(data)
        for i, part in enumerate(parts):
            if i > 0:
                self.space = True
            if not part:
                continue
            if self.space and not self.at_line_start:
                self.emit(" ")
            self.space = False
            self.emit(part)
            self.at_line_start = False

    # parser events ------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html" and a.get("lang") and not self.language:
            self.language = (a["lang"] or "").strip()
        if self.skip == ["head"] and tag not in _HEAD:
            self.skip.clear()  # body content without </head>: the head has ended, as in browsers
        if tag == "title":
            if not self.title_text and self.title is None and all(t == "head" for t in self.skip):
                self.title = []
            return
        if self.skip:
            if tag == self.skip[-1] or (tag in _SKIP and tag not in _VOID):
                self.skip.append(tag)
            return
        hidden = "hidden" in a or _HIDDEN_STYLE.search(a.get("style") or "")
        if tag in _SKIP or (hidden and tag not in _VOID):
            self.skip.append(tag)
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
                    self.out.append(" | ")
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
            self.h1 = []
        if tag in _PRE:
            self.pre += 1
            self.pre_fresh = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            if self.title is not None:
                self.title_text = " ".join("".join(self.title).split())
                self.title = None
            return
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in ("body", "html"):
            return  # browsers ignore a stray </body> or </html> in the middle of content
        if tag == "tr" and self.cells:
            self.cells.pop()
        if tag in _PRE and self.pre:
            self.pre -= 1
        if tag == "h1" and self.h1 is not None:
            self.first_h1 = " ".join("".join(self.h1).split())
            self.h1 = None
        if tag in _PARA:
            self.block(2)
        elif tag in _LINE:
            self.block(1)

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
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

    def text(self) -> str:
        return "".join(self.out)


def _decode_html(data: bytes, name: str) -> str:
    try:
        return decode(data, name)
    except InputError as utf8_error:
        m = _META_CHARSET.search(data[:4096])
        if m is None:
            raise
        charset = m.group(1).decode("ascii", "replace")
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            raise InputError(f"{name}: declares an unknown character set {charset!r}") from None
        if codec == "utf-8":
            raise utf8_error from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: not valid {charset} (byte {exc.start}), though its <meta> says so") from None
        if "\x00" in text:
            raise InputError(f"{name}: looks like a binary file (contains NUL characters)")
        return canonical_from_string(text)


def html_to_text(source: str) -> HtmlText:
    parser = _Extractor()
    parser.feed(source)
    parser.close()
    text = canonical_from_string(parser.text())
    return HtmlText(text=text, title=parser.title_text or parser.first_h1, language=parser.language)


def read_html(path: Path | str) -> HtmlText:
    path = Path(path)
    source = _decode_html(read_bytes_limited(path), str(path))
    try:
        found = html_to_text(source)
    except RecursionError:
        raise InputError(f"{path}: the page is nested too deeply to read") from None
    if not found.text.strip():
        raise InputError(f"{path}: the page has no visible text")
    return found
