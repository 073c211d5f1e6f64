"""The claim editor: source, stance, Admiralty grading, ICD 203 likelihood,
what the claim is about and how it relates to other claims.

Built for speed: the source comes from a completer over actor entities, the
grading takes one key each, and every change is saved (and undoable) at once.
The likelihood rationale is a few lines of text, saved like the note: as it is
typed, and at once on Ctrl+Enter or leaving the field, one undo step per
editing session (see :mod:`.editing_session`); "About" lists the ticked
entities first, with a filter;
each link names the other claim by its grading and its quote.

Compact enough that source, stance, likelihood, grading and rationale show
without scrolling in the details pane of a 1400×900 window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.grading import LIKELIHOOD, RELATIONS, STANCES
from .editing_session import EditingSession
from .grading import GradingWidget
from .models import combo_index
from .source_field import SourceField

ID_ROLE = Qt.ItemDataRole.UserRole + 1
QUOTE_CHARS = 64
"""How much of a linked claim's quote a link line shows (the tooltip has it all)."""
FILTER_FROM = 8
"""The "About" filter box shows when there are more entities than this."""


def shorten(text: str, n: int) -> str:
    """``text`` on one line, at most ``n`` characters, "…" where it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


class ElidingList(QListWidget):
    """One line per item, cut with "…" to the width of the list (never a
    horizontal scroll bar); the whole line stays in :data:`FULL_ROLE`."""

    FULL_ROLE = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)

    def add_line(self, text: str, data, tooltip: str = "") -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setData(self.FULL_ROLE, text)
        item.setData(ID_ROLE, data)
        if tooltip:
            item.setToolTip(tooltip)
        self.addItem(item)
        self._elide(item)
        return item

    def _elide(self, item: QListWidgetItem) -> None:
        width = max(40, self.viewport().width() - 10)
        item.setText(self.fontMetrics().elidedText(item.data(self.FULL_ROLE), Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        for i in range(self.count()):
            self._elide(self.item(i))


class RationaleEdit(QPlainTextEdit):
    """A few lines of text that end their editing session like the note: on
    Ctrl+Enter and when the focus leaves (``committed``); the saves while
    typing are the editor's. Ctrl+Enter is handled here rather than by a
    QShortcut, so a window-wide Ctrl+Enter elsewhere cannot make the key ambiguous."""

    committed = Signal()

    def __init__(self, lines: int = 3, parent=None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        margins = self.contentsMargins()
        doc_margin = 2 * self.document().documentMargin()
        self.setFixedHeight(round(self.fontMetrics().lineSpacing() * lines + doc_margin + margins.top() + margins.bottom() + 4))

    @staticmethod
    def _is_commit(ev) -> bool:
        mods = ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return ev.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.ControlModifier

    def event(self, ev) -> bool:
        if ev.type() == QEvent.Type.ShortcutOverride and self._is_commit(ev):
            ev.accept()  # comes as a key press here, not to a shortcut
            return True
        return super().event(ev)

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        if self._is_commit(ev):
            self.committed.emit()
            return
        super().keyPressEvent(ev)

    def focusOutEvent(self, ev) -> None:  # noqa: N802
        super().focusOutEvent(ev)
        self.committed.emit()


def claim_name(number: int | None) -> str:
    """How the desk names another claim, as the brief does: "claim 3" (never
    "C3", which reads as a grading)."""
    return f"claim {number}" if number else "a claim in another document"


@dataclass
class ClaimContext:
    """What the editor offers to choose from, for the open document."""

    actor_names: list[str] = field(default_factory=list)
    source_mentions: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # actor annotations: id, label
    subjects: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # entities mentioned here
    claims: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # other claims: id, quote
    numbers: dict[uuid.UUID, int] = field(default_factory=dict)  # the document's claims numbered as the brief does


class ClaimEditor(QWidget):
    sourceNamed = Signal(str, bool)  # an actor's name; True: a new actor asked for by that name
    fieldsEdited = Signal(dict)  # claim fields to set
    rationaleEdited = Signal(object, str, int)  # claim annotation id, likelihood rationale, editing session
    subjectsChosen = Signal(list)
    linkRequested = Signal(str, object)  # relation, other annotation id
    unlinkRequested = Signal(object)  # link id

    def __init__(self, parent=None):
        super().__init__(parent)
        self._quiet = False
        self.source_field = SourceField()
        self.source = self.source_field.edit
        self._names = self.source_field.names
        self.mention = QComboBox()
        self.stance = QComboBox()
        for s in STANCES:
            self.stance.addItem(s.capitalize(), s)
        self.grading = GradingWidget()
        self.likelihood = QComboBox()
        self.likelihood.addItem("— not judged —", "")
        for term, rng in LIKELIHOOD:
            self.likelihood.addItem(f"{term} ({rng})", term)
        self.likelihood_note = RationaleEdit(3)
        self.likelihood_note.setPlaceholderText("Why this grading and likelihood (saved as you type)")
        self._typing = EditingSession(self._save_note, self)
        self.about_filter = QLineEdit(placeholderText="Filter entities (ticked ones stay)")
        self.about_filter.setClearButtonEnabled(True)
        self.about = QListWidget()
        self.about.setMaximumHeight(110)
        self.links = ElidingList()
        self.links.setMaximumHeight(76)
        self.add_link = QPushButton("Link to claim…")
        self.remove_link = QPushButton("Remove link")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_link)
        buttons.addWidget(self.remove_link)
        source_row = QHBoxLayout()
        source_row.setSpacing(6)
        source_row.addWidget(self.source_field, 4)
        source_row.addWidget(QLabel("mention"))
        source_row.addWidget(self.mention, 2)
        judgement_row = QHBoxLayout()
        judgement_row.setSpacing(6)
        judgement_row.addWidget(self.stance, 2)
        judgement_row.addWidget(QLabel("likelihood"))
        judgement_row.addWidget(self.likelihood, 3)
        for combo in (self.mention, self.stance, self.likelihood):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        about = QVBoxLayout()
        about.setSpacing(2)
        about.addWidget(self.about_filter)
        about.addWidget(self.about)

        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.addRow("Source", source_row)
        form.addRow("Stance", judgement_row)
        form.addRow("Grading", self.grading)
        form.addRow("Rationale", self.likelihood_note)
        form.addRow("About", about)
        form.addRow("Links", self.links)
        form.addRow("", buttons)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        self.title = QLabel("<b>Claim</b>")
        lay.addWidget(self.title)
        lay.addLayout(form)

        self.source_field.chosen.connect(self._source_chosen)
        self.mention.activated.connect(lambda _i: self._emit(source_annotation_id=self.mention.currentData()))
        self.stance.activated.connect(lambda _i: self._emit(stance=self.stance.currentData()))
        self.grading.graded.connect(lambda r, c: self._emit(reliability=r, credibility=c))
        self.likelihood.activated.connect(lambda _i: self._emit(likelihood=self.likelihood.currentData()))
        self.likelihood_note.committed.connect(self._note_done)
        self.likelihood_note.textChanged.connect(self._note_typed)
        self.about.itemChanged.connect(self._about_changed)
        self.about_filter.textChanged.connect(self._filter_about)
        self.add_link.clicked.connect(self._choose_link)
        self.remove_link.clicked.connect(self._remove_link)
        self._current_note = ""
        self._ann_id: uuid.UUID | None = None
        self._claims: list[tuple[uuid.UUID, str]] = []
        self._numbers: dict[uuid.UUID, int] = {}

    # --- showing -----------------------------------------------------------------

    def show_claim(self, details, source_name: str, ctx: ClaimContext) -> None:
        """Fill the editor from ``details`` (core.claims.ClaimDetails)."""
        self._quiet = True
        try:
            claim = details.claim
            self.source_field.set_names(ctx.actor_names, source_name)
            self.mention.clear()
            self.mention.addItem("—", None)
            for ann_id, text in ctx.source_mentions:
                self.mention.addItem(text, ann_id)
            self.mention.setCurrentIndex(combo_index(self.mention, claim.source_annotation_id))
            self.stance.setCurrentIndex(max(0, self.stance.findData(claim.stance)))
            self.grading.set_value(claim.reliability, claim.credibility)
            self.likelihood.setCurrentIndex(max(0, self.likelihood.findData(claim.likelihood)))
            same_claim = self._ann_id == claim.annotation_id
            self._ann_id = claim.annotation_id
            if not same_claim:
                self._typing.drop()
            typed = self.likelihood_note.toPlainText().strip()
            typing = same_claim and (typed != self._current_note or self._typing.pending)
            if not typing:  # never overwrite a rationale typed but not saved yet
                self._current_note = claim.likelihood_note
                if typed != claim.likelihood_note or not same_claim:  # (saved stripped: the space just typed stays)
                    self.likelihood_note.blockSignals(True)
                    self.likelihood_note.setPlainText(claim.likelihood_note)
                    self.likelihood_note.blockSignals(False)
            chosen = {e.id for e in details.subjects}
            top = self.about.verticalScrollBar().value() if same_claim else 0
            self.about.clear()
            offered = dict(ctx.subjects)
            for entity in details.subjects:  # subjects from other documents stay visible
                offered.setdefault(entity.id, entity.name)
            # ticked first, then the rest; each alphabetically
            for entity_id, name in sorted(offered.items(), key=lambda kv: (kv[0] not in chosen, kv[1].casefold())):
                item = QListWidgetItem(name)
                item.setData(ID_ROLE, entity_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if entity_id in chosen else Qt.CheckState.Unchecked)
                self.about.addItem(item)
            self.about_filter.setVisible(len(offered) > FILTER_FROM)
            if not same_claim:
                self.about_filter.clear()
            self._filter_about(self.about_filter.text())
            self.about.verticalScrollBar().setValue(top)
            number = ctx.numbers.get(claim.annotation_id)
            self.title.setText(f"<b>Claim {number}</b>" if number else "<b>Claim</b>")
            self.links.clear()
            for link in details.links:
                arrow = "→" if link.direction == "out" else "←"
                other = claim_name(ctx.numbers.get(link.other_annotation_id))
                graded = f"graded {link.other_grading}" if link.other_grading else "not graded"
                whole = " ".join(link.other_exact.split())
                tip = (
                    f"This claim {link.relation} {other} ({graded}):\n“{whole}”"
                    if link.direction == "out"
                    else f"{other[0].upper()}{other[1:]} ({graded}) {link.relation} this one:\n“{whole}”"
                )
                line = f"{arrow} {link.relation} {other} “{shorten(link.other_exact, QUOTE_CHARS)}” ({graded})"
                self.links.add_line(line, link.link_id, tip)
            self._claims = ctx.claims
            self._numbers = ctx.numbers
            self.add_link.setEnabled(bool(ctx.claims))
            self.remove_link.setEnabled(bool(details.links))
        finally:
            self._quiet = False

    # --- edits -------------------------------------------------------------------------

    def _emit(self, **fields) -> None:
        if not self._quiet:
            self.fieldsEdited.emit(fields)

    def _source_chosen(self, name: str, new: bool) -> None:
        if not self._quiet:
            self.sourceNamed.emit(name, new)

    def _note_typed(self) -> None:
        if not self._quiet:
            self._typing.typed()

    def _save_note(self, session: int) -> None:
        note = self.likelihood_note.toPlainText().strip()
        if self.isVisible() and self._ann_id is not None and note != self._current_note:
            self._current_note = note
            self.rationaleEdited.emit(self._ann_id, note, session)

    def _note_done(self) -> None:
        """Ctrl+Enter or leaving the field: saved at once, the session ends."""
        self._typing.end()

    def commit_pending(self) -> None:
        """Save a rationale typed but not saved yet (before another annotation is shown)."""
        self._typing.end()

    def drop_pending(self) -> None:
        """Forget a rationale not saved yet: its claim is no longer shown."""
        self._typing.drop()

    def _filter_about(self, text: str) -> None:
        words = text.casefold().split()
        for i in range(self.about.count()):
            item = self.about.item(i)
            ticked = item.checkState() == Qt.CheckState.Checked
            item.setHidden(bool(words) and not ticked and not all(w in item.text().casefold() for w in words))

    def _about_changed(self, _item) -> None:
        if self._quiet:
            return
        chosen = [
            self.about.item(i).data(ID_ROLE)
            for i in range(self.about.count())
            if self.about.item(i).checkState() == Qt.CheckState.Checked
        ]
        self.subjectsChosen.emit(chosen)

    def link_menu(self) -> QMenu:
        menu = QMenu(self)
        for relation in RELATIONS:
            sub = menu.addMenu(relation.capitalize())
            for ann_id, quote in self._claims:
                act = sub.addAction(f"Claim {self._numbers[ann_id]}: {shorten(quote, 80)}" if ann_id in self._numbers else shorten(quote, 80))
                act.triggered.connect(lambda _c=False, r=relation, a=ann_id: self.linkRequested.emit(r, a))
        return menu

    def _choose_link(self) -> None:
        self.link_menu().exec(self.add_link.mapToGlobal(self.add_link.rect().bottomLeft()))

    def _remove_link(self) -> None:
        item = self.links.currentItem() or (self.links.item(0) if self.links.count() == 1 else None)
        if item is not None:
            self.unlinkRequested.emit(item.data(ID_ROLE))
