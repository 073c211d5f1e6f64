"""Reading document files into canonical text, and importing them.

Each supported suffix maps to a loader in :data:`LOADERS`: plain text and
Markdown here, Word in :mod:`.docx_import`, HTML in :mod:`.html_import`. A
loader returns the canonical text verbatim (see
:mod:`annotator.core.canonical`) plus what it can tell about the document;
it never trims or rewrites the text, since offsets count into it (Word and
HTML loaders define their text as described in their modules).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import InputError
from ..core.names import display_name
from ..core.services import Desk, DocumentImport
from .formats import DOCUMENT_SUFFIXES
from .limits import read_text_limited


@dataclass
class LoadedDocument:
    text: str
    title: str
    filename: str
    language: str = ""
    source: str = ""
    published: str = ""
    url: str = ""
    description: str = ""
    doc_id: uuid.UUID | None = None  # store it under this UUID (seeds do); None: a new one


def title_from_stem(stem: str) -> str:
    """``"syria-troops_border"`` -> ``"Syria troops border"``."""
    words = " ".join(re.split(r"[\s_\-.]+", stem)).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


_MD_HEADING = re.compile(r"^[ ]{0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)


def _stem_title(path: Path) -> str:
    return title_from_stem(display_name(path.stem))  # a name that is not UTF-8 still makes a title


def _load_txt(path: Path) -> LoadedDocument:
    return LoadedDocument(text=read_text_limited(path), title=_stem_title(path), filename=display_name(path.name))


def _load_md(path: Path) -> LoadedDocument:
    text = read_text_limited(path)
    m = _MD_HEADING.search(text)
    title = m.group(1).strip() if m else _stem_title(path)
    return LoadedDocument(text=text, title=title, filename=display_name(path.name))


def _load_docx(path: Path) -> LoadedDocument:
    from .docx_import import read_docx  # lxml is loaded only when needed

    found = read_docx(path)
    return LoadedDocument(
        text=found.text, title=found.title or _stem_title(path), filename=display_name(path.name), language=found.language
    )


def _load_html(path: Path) -> LoadedDocument:
    from .html_import import read_html

    found = read_html(path)
    return LoadedDocument(
        text=found.text, title=found.title or _stem_title(path), filename=display_name(path.name), language=found.language
    )


LOADERS: dict[str, Callable[[Path], LoadedDocument]] = {
    ".txt": _load_txt,
    ".md": _load_md,
    ".docx": _load_docx,
    ".html": _load_html,
    ".htm": _load_html,
}
if tuple(LOADERS) != DOCUMENT_SUFFIXES:  # the light copy the command line's help names
    raise RuntimeError(f"io.formats.DOCUMENT_SUFFIXES is {DOCUMENT_SUFFIXES}, the loaders read {tuple(LOADERS)}")


def load_document_file(path: Path | str) -> LoadedDocument:
    """Read one document file; raises :class:`InputError` with a one-line reason."""
    path = Path(path)
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        supported = ", ".join(LOADERS)
        kind = path.suffix or "(no suffix)"
        raise InputError(f"{display_name(path)}: unsupported file type {display_name(kind)} (supported: {supported})")
    return loader(path)


def import_loaded(desk: Desk, loaded: LoadedDocument) -> DocumentImport:
    return desk.import_document(
        loaded.text,
        loaded.title,
        source=loaded.source,
        url=loaded.url,
        published=loaded.published,
        language=loaded.language,
        filename=loaded.filename,
        description=loaded.description,
        doc_id=loaded.doc_id,
    )


def import_documents(desk: Desk, loaded: Iterable[LoadedDocument]) -> list[DocumentImport]:
    """Import already-read documents in one transaction: all of them or none."""
    with desk.repo.transaction():
        return [import_loaded(desk, doc) for doc in loaded]


def import_files(desk: Desk, paths: Iterable[Path | str]) -> list[DocumentImport]:
    """Import every file, or none: all files are read before anything is written."""
    return import_documents(desk, [load_document_file(p) for p in paths])
