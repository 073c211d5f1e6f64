"""Gazetteer suggestions for a location just created by tagging.

A strip above the details pane, never a dialog: the tag is committed and
shown at once, the offline gazetteer is searched on a background thread, and
the best matches appear when they are ready. The analyst can click one (or
press Ctrl+Enter in the reader for the first) to give the location its
coordinates and country as one undoable edit, open the entity editor, or
press Esc (or ✕) to leave them empty. Focus stays where it was, so a
keyboard user tagging quickly goes on tagging (other keys, the tag keys
included, work as before); a newer offer replaces an older one.
"""

from __future__ import annotations

import html
import threading
import uuid
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from ..core.gazetteer import Place, explain
from .colours import MutedLabel

DISMISS_KEY = "Esc"


class _Relay(QObject):
    """Carries results from the lookup thread to the GUI thread (queued)."""

    ready = Signal(int, object)  # offer number, list[Place] | str (an error)


class PlaceSuggestions(QFrame):
    applyRequested = Signal(object, object)  # entity id, Place
    editRequested = Signal(object)  # entity id

    MAX = 3

    def __init__(self, keys_on: QWidget | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("place-suggestions")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#place-suggestions { background: palette(alternate-base); }")
        self.entity_id: uuid.UUID | None = None
        self.annotation_id: uuid.UUID | None = None
        self.places: list[Place] = []
        self._name = ""
        self._serial = 0
        self._relay = _Relay(self)
        self._relay.ready.connect(self._results)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.edit = QToolButton(text="Edit…")
        self.edit.setToolTip("Open the location's editor: name, type, aliases, coordinates")
        self.edit.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.close_button = QToolButton(text="✕")
        self.close_button.setToolTip(f"Leave the coordinates empty ({DISMISS_KEY})")
        self.close_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.close_button.setAutoRaise(True)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title, 1)
        head.addWidget(self.edit)
        head.addWidget(self.close_button)
        self.rows = QVBoxLayout()
        self.rows.setContentsMargins(0, 0, 0, 0)
        self.rows.setSpacing(0)
        self.hint = MutedLabel()  # readable in light and dark palettes
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 4, 6, 4)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addLayout(self.rows)
        lay.addWidget(self.hint)
        self.buttons: list[QPushButton] = []
        self.edit.clicked.connect(lambda: self.entity_id and self.editRequested.emit(self.entity_id))
        self.close_button.clicked.connect(self.dismiss)
        # The keys are caught on the reader itself (an event filter, not
        # QShortcuts): only while an offer is showing, and before any
        # window-wide shortcut on the same keys could make them ambiguous.
        self._keys_on = keys_on
        if keys_on is not None:
            keys_on.installEventFilter(self)
        self.hide()

    # --- offering ------------------------------------------------------------------

    def offer(self, entity_id: uuid.UUID, name: str, lookup: Callable[[], list[Place]], annotation_id=None) -> None:
        """Show the strip for a new location at once and run ``lookup`` (the
        gazetteer search) on a background thread; its places replace the
        "looking up" line when ready, unless a newer offer came meanwhile."""
        self._serial += 1
        serial = self._serial
        self.entity_id, self.annotation_id, self._name = entity_id, annotation_id, name
        self.places = []
        self._clear_rows()
        self.title.setText(f"New location <b>{_esc(name)}</b> — looking it up in the offline gazetteer…")
        self.hint.setText(f"{DISMISS_KEY}: leave the coordinates empty")
        self.show()

        def run() -> None:
            try:
                result: object = lookup()
            except Exception as exc:  # noqa: BLE001 - shown in the strip, never raised in a thread
                result = str(exc) or type(exc).__name__
            try:
                self._relay.ready.emit(serial, result)
            except RuntimeError:  # the window closed meanwhile
                pass

        threading.Thread(target=run, name="annotator-place-lookup", daemon=True).start()

    def _results(self, serial: int, result) -> None:
        if serial != self._serial or self.entity_id is None:
            return  # a newer offer, or dismissed meanwhile
        self._clear_rows()
        if isinstance(result, str):
            self.title.setText(f"New location <b>{_esc(self._name)}</b> — the gazetteer failed: {_esc(result)}")
            return
        self.places = list(result)[: self.MAX]
        if not self.places:
            self.title.setText(f"New location <b>{_esc(self._name)}</b> — no match in the offline gazetteer")
            self.hint.setText(f"Edit… to enter coordinates by hand · {DISMISS_KEY} or ✕: leave them empty")
            return
        self.title.setText(f"New location <b>{_esc(self._name)}</b> — offline gazetteer (GeoNames):")
        for i, place in enumerate(self.places):
            text = explain(place, self._name)
            button = QPushButton(("▸ " if i == 0 else "   ") + text)
            button.setFlat(True)
            button.setStyleSheet("text-align: left; padding: 1px 4px;")
            button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            button.setToolTip(f"{text}\n{place.latitude:.5f}, {place.longitude:.5f}\nClick to use these coordinates and country")
            button.clicked.connect(lambda _c=False, k=i: self.apply(k))
            self.rows.addWidget(button)
            self.buttons.append(button)
        self.hint.setText(f"Click one to use its coordinates and country (undoable) · Ctrl+Enter: the first · {DISMISS_KEY}: leave them empty")

    def _clear_rows(self) -> None:
        for button in self.buttons:
            self.rows.removeWidget(button)
            button.deleteLater()
        self.buttons = []

    # --- answers -------------------------------------------------------------------------

    def apply(self, index: int = 0) -> Place | None:
        """Use suggestion ``index``: emits :attr:`applyRequested` and closes."""
        if self.entity_id is None or not 0 <= index < len(self.places):
            return None
        place, entity_id = self.places[index], self.entity_id
        self.dismiss()
        self.applyRequested.emit(entity_id, place)
        return place

    def dismiss(self) -> None:
        """Close without changing the location (its coordinates stay empty)."""
        self._serial += 1
        self.entity_id = self.annotation_id = None
        self.places = []
        self._clear_rows()
        self.hide()

    # --- keys ----------------------------------------------------------------------------

    def _key_action(self, ev):
        """What a key does while an offer shows: Ctrl+Enter uses the first
        place, Esc leaves the coordinates empty; anything else, nothing."""
        if not self.is_offering():
            return None
        key, mods = ev.key(), ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.ControlModifier and self.places:
            return lambda: self.apply(0)
        if key == Qt.Key.Key_Escape and mods == Qt.KeyboardModifier.NoModifier:
            return self.dismiss
        return None

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self._keys_on and ev.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            action = self._key_action(ev)
            if action is not None:
                ev.accept()  # ShortcutOverride: the key comes here as a key press, not to a shortcut
                if ev.type() == QEvent.Type.KeyPress:
                    action()
                return True
        return super().eventFilter(obj, ev)

    def keyPressEvent(self, ev) -> None:  # noqa: N802 - with the focus in the strip (Tab)
        action = self._key_action(ev)
        if action is None:
            super().keyPressEvent(ev)
            return
        action()
        if self._keys_on is not None:
            self._keys_on.setFocus()

    def is_offering(self, entity_id: uuid.UUID | None = None) -> bool:
        return self.entity_id is not None and (entity_id is None or entity_id == self.entity_id)


def _esc(text: str) -> str:
    return html.escape(" ".join(text.split()))
