"""The main window's selection: the annotation chosen in the reader or the
list, its details (and claim editor) shown, and the reader's tooltips: a
part of the main window (see :mod:`.window_context`)."""

from __future__ import annotations

import uuid
from typing import Callable

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from ..core.model import LabelKind
from .panels import AnnotationPanel, DetailsPane
from .reader import ReaderView
from .window_context import WindowContext

MENU_QUOTE_CHARS = 60


class Selection:
    """Which annotation is selected, shown in the ``annotations`` list, the
    ``details`` pane and flashed in the ``reader``."""

    def __init__(self, ctx: WindowContext, reader: ReaderView, annotations: AnnotationPanel, details: DetailsPane) -> None:
        self.ctx, self.ctl = ctx, ctx.ctl
        self.reader, self.annotations, self.details = reader, annotations, details
        annotations.annotationChosen.connect(self.chosen)
        reader.spansClicked.connect(self._spans_clicked)
        reader.describe = self.describe

    def entity_name(self, entity_id) -> str:
        entity = self.ctl.entity(entity_id)
        return entity.name if entity else ""

    def select(self, ann_id: uuid.UUID) -> None:
        """Select the annotation in the list and show its details."""
        self.annotations.select(ann_id)
        self.show_details(ann_id)

    def chosen(self, ann_id: uuid.UUID | None) -> None:
        """Chosen in the list: its details, and its span flashed in the reader."""
        if ann_id is None:
            return
        self.show_details(ann_id)
        span = self.reader.highlighter.span(ann_id)
        if span is not None:
            self.reader.flash(span.start, span.end)

    def show_details(self, ann_id: uuid.UUID) -> None:
        ann = self.ctl.annotation(ann_id)
        self.details.show_annotation(ann, [], self.entity_name(ann.entity_id))
        label = self.ctl.label(ann.label_id)
        is_claim = label is not None and label.kind is LabelKind.CLAIM
        if is_claim:
            details = self.ctl.claims.details(ann_id)
            source = self.ctl.entity(details.claim.source_entity_id)
            ctx = self.ctl.claim_context(self.reader.highlighter.all_spans(), ann_id, details.claim.source_entity_id)
            self.details.claim.show_claim(details, source.name if source else "", ctx)
        self.details.claim.setVisible(is_claim)

    def clear_if_shown(self, ann_id: uuid.UUID) -> None:
        """The annotation is gone: its details go too, if they are shown."""
        if self.details.ann is not None and self.details.ann.id == ann_id:
            self.details.show_annotation(None, [], "")

    def with_entity(self, action: Callable[[uuid.UUID], None]) -> None:
        """Run ``action(entity_id)`` for the selected annotation's entity."""
        ann = self.details.ann
        if ann is None or ann.entity_id is None:
            self.ctx.status("Select an actor or location mention first.", 4000)
            return
        action(ann.entity_id)

    def describe(self, ann_id: uuid.UUID) -> str:
        """The reader's tooltip for a span."""
        ann = self.ctl.annotation(ann_id)
        label = self.ctl.label(ann.label_id)
        lines = [f"{label.name if label else '?'}: {' '.join(ann.exact.split())[:120]}"]
        entity = self.ctl.entity(ann.entity_id)
        if entity:
            lines.append(f"Entity: {entity.name}")
        if ann.note:
            lines.append(f"Note: {ann.note}")
        lines.append(f"By {ann.creator}")
        return "\n".join(lines)

    def _spans_clicked(self, ann_ids: list, global_pos: QPoint) -> None:
        """One span under the click is selected; overlapping ones are offered in a menu."""
        if len(ann_ids) == 1:
            self.select(ann_ids[0])
            return
        menu = QMenu(self.ctx.window)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for ann_id in ann_ids:
            ann = self.ctl.annotation(ann_id)
            label = self.ctl.label(ann.label_id)
            quote = " ".join(ann.exact.split())
            more = "…" if len(quote) > MENU_QUOTE_CHARS else ""
            act = menu.addAction(f"{label.name if label else '?'}: {quote[:MENU_QUOTE_CHARS]}{more}")
            act.triggered.connect(lambda _c=False, a=ann_id: self.select(a))
        menu.popup(global_pos)
