"""The main window's suggestions: every other occurrence of a name the
analyst already tagged (or of a gazetteer place), outlined in the reader,
accepted or rejected one at a time from the keyboard or all at once.

Suggestions for the open document are found on a thread of their own
(:meth:`~annotator.core.suggestions.Suggestions.for_document`), just after
the document is drawn and once the analyst pauses after an edit that names
something new; a result that
arrives for a document no longer open, or after a newer request, is dropped.
A tag just made, or a suggestion just accepted or rejected, takes its
outline away at once, without waiting for the next search.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left, bisect_right
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QEvent, QObject, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import QMenu, QToolTip

from ..core.change import Change
from ..core.errors import AnnotatorError
from ..core.model import Annotation, RejectedSuggestion
from ..core.suggest import Suggestion
from .suggestion_marks import line_rects, paint_outlines, visible
from .window_context import WindowContext
from .workers import BackgroundTask

SEARCH_DELAY_MS = 1200  # after the last edit: a search waits until the analyst pauses (it competes with their tagging)
OPENED_DELAY_MS = 250  # after a document opens: its drawing done first (a search on the other thread slows it)
WHY_SHOWN_MS = 8000


class SuggestionTools(QObject):
    """Owns the suggestion actions (Enter accepts, Backspace rejects, F8 and
    Shift+F8 move between suggestions) and the outlines in the reader."""

    _found = Signal(int, object, object)  # generation, document id, suggestions (or the error): queued from the thread

    def __init__(self, ctx: WindowContext, reader):
        super().__init__(ctx.window)
        self.ctx, self.reader = ctx, reader
        self.shown: list[Suggestion] = []  # the open document's, in text order
        self._starts: list[int] = []
        self._longest = 0  # the longest suggestion's length: how far before a span one may start
        self._doc_id: uuid.UUID | None = None
        self._generation = 0
        self._current: Suggestion | None = None
        self._queued: Future | None = None  # the last search asked for
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-suggest")
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self._search)
        self._found.connect(self._arrived)
        self._build_actions()
        ctl = ctx.ctl
        ctl.documentOpened.connect(self._document_opened)
        ctl.changed.connect(self._changed)
        ctl.entitiesChanged.connect(self.schedule)
        ctl.labelsChanged.connect(self.schedule)
        reader.cursorPositionChanged.connect(self._cursor_moved)
        reader.overlays.append(self._paint)
        reader.installEventFilter(self)

    def _action(self, text: str, slot, keys: list[str], tip: str, widget: bool = True) -> QAction:
        act = QAction(text, self.ctx.window)
        act.setShortcuts([QKeySequence(k) for k in keys])
        if widget:  # only while the reader has the focus: Enter and Backspace mean other things elsewhere
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.reader.addAction(act)
        act.setStatusTip(tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        a = self._action
        self.act_show = a("Show &suggestions", self._show_toggled, [], "Outline every other occurrence of a name already tagged, and gazetteer places", False)
        self.act_show.setCheckable(True)
        self.act_show.setChecked(self.ctx.settings.value("show_suggestions", True, type=bool))
        self.act_accept = a("A&ccept suggestion", self.accept_current, ["Return", "Enter"], "Tag the suggestion at the cursor as proposed")
        self.act_reject = a("&Reject suggestion", self.reject_current, ["Backspace"], "Never propose this suggestion again")
        self.act_next = a("&Next suggestion", lambda: self.step(+1), ["F8"], "Go to the next suggestion")
        self.act_prev = a("&Previous suggestion", lambda: self.step(-1), ["Shift+F8"], "Go to the previous suggestion")
        self.act_accept_doc = a("Accept all suggestions in this &document", self.accept_document, [], "Tag every suggestion in the open document, as one edit", False)
        self.act_reject_doc = a("Reject all suggestions in this document", self.reject_document, [], "Never propose the open document's suggestions again", False)
        self.act_accept_all = a("Accept all suggestions in &every document…", self.accept_corpus, [], "Find every document's suggestions, then tag them all as one edit", False)
        self.act_accept.setEnabled(False)
        self.act_reject.setEnabled(False)
        self._update_actions()

    def add_to_menu(self, menu: QMenu) -> None:
        menu.addSeparator()
        sub = menu.addMenu("S&uggestions")
        for act in (self.act_show, None, self.act_accept, self.act_reject, self.act_next, self.act_prev, None,
                    self.act_accept_doc, self.act_reject_doc, self.act_accept_all):  # fmt: skip
            sub.addSeparator() if act is None else sub.addAction(act)

    def context_actions(self) -> list:
        """For the reader's context menu: the two that act on the suggestion there."""
        return [self.act_accept, self.act_reject, None] if self._current is not None else []

    def close(self) -> None:
        """Wait for a search under way (before the database closes under it)."""
        self._timer.stop()
        self._generation += 1
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- finding -------------------------------------------------------------------------

    def _document_opened(self, doc) -> None:
        self._set([], doc.id if doc is not None else None)
        self._timer.start(OPENED_DELAY_MS)  # soon, but after the document is drawn

    def schedule(self) -> None:
        """Search again a moment from now (one search for a burst of edits),
        never later than a search already due at once."""
        if not (self._timer.isActive() and self._timer.interval() == OPENED_DELAY_MS):
            self._timer.start(SEARCH_DELAY_MS)

    def _search(self) -> None:
        ctl = self.ctx.ctl
        doc, service = ctl.document, ctl.suggestions
        self._generation += 1
        if doc is None or service is None or not self.act_show.isChecked() or not self.reader.text:
            self._set([], doc.id if doc is not None else None)
            return
        generation, text = self._generation, self.reader.text
        if self._queued is not None:
            self._queued.cancel()  # not started yet: only the newest request is worth the work
        self._queued = self._pool.submit(self._work, service, doc.id, text, generation)

    def _work(self, service, doc_id: uuid.UUID, text: str, generation: int) -> None:
        try:
            found = service.for_document(doc_id, text)
        except Exception as exc:  # noqa: BLE001 (the database closed or changed meanwhile: the next search tells)
            found = exc
        self._found.emit(generation, doc_id, found)

    def _arrived(self, generation: int, doc_id: uuid.UUID, found) -> None:
        doc = self.ctx.ctl.document
        if generation != self._generation or doc is None or doc.id != doc_id or not self.act_show.isChecked():
            return  # asked for before the last edit, for another document, or before they were turned off
        if isinstance(found, AnnotatorError):
            self.ctx.status(f"Suggestions: {found}", WHY_SHOWN_MS)
        self._set(found if isinstance(found, list) else [], doc_id)

    def _set(self, suggestions: list[Suggestion], doc_id: uuid.UUID | None) -> None:
        self.shown = sorted(suggestions, key=lambda s: (s.start, s.end))
        self._starts = [s.start for s in self.shown]
        self._longest = max((s.end - s.start for s in self.shown), default=0)
        self._doc_id = doc_id
        self._cursor_moved(announce=False)
        self._update_actions()
        self.reader.viewport().update()

    def _changed(self, change: Change) -> None:
        """A tag or a rejection takes its suggestions' outlines away now;
        anything that may add suggestions (a new name, an untag, an undone
        rejection) searches again."""
        if self._timer.isActive() and self._timer.interval() != OPENED_DELAY_MS:
            self._timer.start(SEARCH_DELAY_MS)  # still editing: later
        if change.document_id not in (self._doc_id, None):
            return
        tagged = [(a.start, a.end, self._kind(a)) for a in change.rows_of(Annotation) if not a.deleted and a.document_id == self._doc_id]
        refused = {(r.start, r.end, r.label_id) for r in change.rows_of(RejectedSuggestion) if not r.deleted}
        if (tagged or refused) and self.shown:
            self._drop(tagged, refused)
        revived = any(r.deleted for r in change.rows_of(RejectedSuggestion))
        if change.entities_changed or change.removed or change.updated or revived or not change.rows:
            self.schedule()

    def _drop(self, tagged: list[tuple[int, int, object]], refused: set[tuple[int, int, uuid.UUID]]) -> None:
        """Take away the suggestions a tag of the same kind overlaps, and those refused:
        found by their starts (a tag in a report of 10,000 suggestions looks at a few)."""
        starts, shown, gone = self._starts, self.shown, set()
        for a, b, kind in tagged:
            for i in range(bisect_left(starts, a - self._longest), bisect_left(starts, b)):
                if shown[i].kind is kind and a < shown[i].end:
                    gone.add(i)
        for start, end, label_id in refused:
            i = bisect_left(starts, start)
            while i < len(starts) and starts[i] == start:
                if shown[i].key == (start, end, label_id):
                    gone.add(i)
                i += 1
        if not gone:
            return
        for i in sorted(gone, reverse=True):
            del shown[i], starts[i]
        self._cursor_moved(announce=False)
        self._update_actions()
        self.reader.viewport().update()

    def _kind(self, ann: Annotation):
        label = self.ctx.ctl.label(ann.label_id)
        return label.kind if label is not None else None

    # --- the one at the cursor ----------------------------------------------------------

    def at(self, cp: int) -> Suggestion | None:
        last = bisect_right(self._starts, cp) - 1
        for i in range(last, max(-1, last - 4), -1):  # those starting before cp; overlapping ones are few
            if self.shown[i].start <= cp < self.shown[i].end:
                return self.shown[i]
        return None

    def _cursor_moved(self, announce: bool = True) -> None:
        """The suggestion at the cursor; ``announce``: say why in the status bar (the
        analyst moved there; not when suggestions arrive, over another message)."""
        cur = self.reader.textCursor()
        current = None
        if self.shown and self.reader.text:
            cp = self.reader.text_map.from_utf16(min(cur.selectionStart(), self.reader.text_map.length_u16))
            current = self.at(cp)
            if current is None and not cur.hasSelection() and cp > 0:
                current = self.at(cp - 1)  # the cursor just after a word is still on it
        if current is not self._current:
            self._current = current
            if current is not None and announce:
                self.ctx.status(f"Suggestion: {self._label_name(current)} “{current.exact}” — {current.why}. "
                                "Enter accepts, Backspace rejects, F8 goes to the next.", WHY_SHOWN_MS)  # fmt: skip
            self.reader.viewport().update()
        self.act_accept.setEnabled(current is not None)
        self.act_reject.setEnabled(current is not None)

    def _label_name(self, s: Suggestion) -> str:
        label = self.ctx.ctl.label(s.label_id)
        return label.name if label is not None else s.kind.value

    def _update_actions(self) -> None:
        n = len(self.shown)
        self.act_accept_doc.setText(f"Accept all suggestions in this &document ({n})")
        self.act_reject_doc.setText(f"Reject all suggestions in this document ({n})")
        for act in (self.act_accept_doc, self.act_reject_doc, self.act_next, self.act_prev):
            act.setEnabled(n > 0)
        self.act_accept_all.setEnabled(self.ctx.ctl.suggestions is not None and self.act_show.isChecked())

    def step(self, delta: int) -> None:
        """Select the next (or previous) suggestion after the cursor, wrapping around."""
        if not self.shown:
            self.ctx.status("No suggestions in this document.", 4000)
            return
        cp = self.reader.text_map.from_utf16(min(self.reader.textCursor().selectionStart(), self.reader.text_map.length_u16))
        i = bisect_right(self._starts, cp) if delta > 0 else bisect_left(self._starts, cp) - 1
        target = self.shown[i % len(self.shown)]
        self.reader.scroll_to_cp(target.start)
        self.reader.select_span(target.start, target.end)
        self.reader.setFocus()

    # --- the edits --------------------------------------------------------------------

    def accept_current(self) -> None:
        if self._current is not None:
            self._edit(self.ctx.ctl.accept_suggestions, [self._current])

    def reject_current(self) -> None:
        if self._current is not None:
            self._edit(self.ctx.ctl.reject_suggestions, [self._current])

    def accept_document(self) -> None:
        if self.shown:
            n = len(self.shown)
            if self._edit(self.ctx.ctl.accept_suggestions, list(self.shown)):
                self.ctx.status(f"Tagged {n} suggestion{'s' if n != 1 else ''} (Ctrl+Z undoes them all).", WHY_SHOWN_MS)

    def reject_document(self) -> None:
        if self.shown:
            self._edit(self.ctx.ctl.reject_suggestions, list(self.shown))

    def _edit(self, edit, suggestions: list[Suggestion]) -> bool:
        """Accept or reject; the cursor moves on to the next suggestion, ready for the next key."""
        after = suggestions[-1].end
        done = edit(suggestions)
        if done and self.shown and len(suggestions) == 1:
            i = bisect_right(self._starts, after - 1)
            if i < len(self.shown):
                nxt = self.shown[i]
                self.reader.select_span(nxt.start, nxt.end)
        return done

    def accept_corpus(self) -> None:
        """Every document's suggestions, found with a progress dialog (cancellable),
        then tagged as one edit once the analyst has seen how many."""
        service = self.ctx.ctl.suggestions
        if service is None:
            return

        def done(found: list[Suggestion]) -> None:
            if not found:
                self.ctx.status("No suggestions in any document.", WHY_SHOWN_MS)
                return
            docs = len({s.document_id for s in found})
            if not self.ctx.prompter.confirm(self.ctx.window, "Accept all suggestions",
                                             f"Tag {len(found)} suggestions in {docs} document{'s' if docs != 1 else ''}? "
                                             "One edit: Ctrl+Z undoes them all."):  # fmt: skip
                return
            if self.ctx.ctl.accept_suggestions(found):
                self.ctx.status(f"Tagged {len(found)} suggestions in {docs} documents (Ctrl+Z undoes them all).", WHY_SHOWN_MS)

        self.task = BackgroundTask(self.ctx.window, "Finding suggestions", lambda progress: service.for_corpus(progress),
                                   done, self.ctx.error, on_cancel=lambda: self.ctx.status("Cancelled.", 4000))  # fmt: skip
        self.task.start()

    def _show_toggled(self, on: bool) -> None:
        self.ctx.settings.setValue("show_suggestions", on)
        self._generation += 1  # a search under way is not shown
        self._set([], self._doc_id)
        if on:
            self.schedule()

    # --- drawing and tooltips ---------------------------------------------------------------

    def _paint(self, clip: QRect) -> None:
        """The outlines of the suggestions within ``clip`` (a tag repaints its block, not the page)."""
        if not self.shown or self._doc_id is None:
            return
        pieces, colours, area, tops = [], {}, QRectF(clip), {}
        for i in visible(self._starts, self.reader, clip):
            s = self.shown[i]
            colour = colours.get(s.label_id)
            if colour is None:
                label = self.ctx.ctl.label(s.label_id)
                colour = colours[s.label_id] = QColor(label.color if label is not None else "#808080")
            pieces += [(rect, colour, s is self._current) for rect in line_rects(self.reader, s.start, s.end, tops) if rect.intersects(area)]
        paint_outlines(self.reader, pieces)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        """A tooltip over a suggestion (where no annotation has one to show)."""
        if obj is self.reader and ev.type() == QEvent.Type.ToolTip and self.shown:
            cp = self.reader.cp_at(self.reader.viewport().mapFromGlobal(ev.globalPos()))
            s = self.at(cp)
            if s is not None and not self.reader.highlighter.spans_at(cp):
                QToolTip.showText(ev.globalPos(), f"Suggested: {self._label_name(s)}\n{s.why}\nEnter accepts, Backspace rejects", self.reader)
                return True
        return False
