"""The main window's corpus search: the dialog, made on first use, and what
opening one of its hits does in the desk."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from ..core.search import SearchFilters, SearchHit, SearchResult
from .search_dialog import SearchDialog
from .window_context import WindowContext

RESULTS_SHOWN = 500


class CorpusSearch:
    def __init__(self, ctx: WindowContext, reader, tabs, entities, *, open_document: Callable[[uuid.UUID], None],
                 go_to_annotation: Callable[[uuid.UUID, uuid.UUID], None]):  # fmt: skip
        self.ctx, self.reader, self.tabs, self.entities = ctx, reader, tabs, entities
        self._open_document, self._go_to_annotation = open_document, go_to_annotation
        self.dialog: SearchDialog | None = None

    def search(self, query: str, filters: SearchFilters) -> SearchResult:
        return self.ctx.ctl.repo.search(query, filters, RESULTS_SHOWN)

    def open(self) -> None:
        """Ctrl+Shift+F: the dialog, with the reader's selection as the query if there is one."""
        if self.dialog is None:
            self.dialog = SearchDialog(self.ctx.window, self.search, self.open_hit, self._current_document)
            geometry = self.ctx.settings.value("search_geometry")
            if geometry is not None:
                self.dialog.restoreGeometry(geometry)
            self.dialog.finished.connect(lambda _r: self.ctx.settings.setValue("search_geometry", self.dialog.saveGeometry()))
        selected = self.reader.textCursor().selectedText().replace("\u2029", " ").strip()
        self.dialog.open_search(f'"{selected}"' if selected and len(selected) <= 80 and " " in selected else selected[:80])

    def _current_document(self) -> uuid.UUID | None:
        doc = self.ctx.ctl.document
        return doc.id if doc is not None else None

    def open_hit(self, hit: SearchHit) -> None:
        """Show the hit in the desk: its annotation selected, or its span flashed, or its entity."""
        if hit.entity_id is not None:
            self.tabs.setCurrentWidget(self.entities)
            self.entities.select(hit.entity_id)
            return
        if hit.document_id is None:
            return
        if hit.annotation_id is not None:
            self._go_to_annotation(hit.document_id, hit.annotation_id)
            return
        if self._current_document() != hit.document_id:
            self._open_document(hit.document_id)
        if hit.start is not None and hit.end is not None and self._current_document() == hit.document_id:
            self.reader.flash(hit.start, hit.end)
