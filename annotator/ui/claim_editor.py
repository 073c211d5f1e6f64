"""The claim editor: source, stance, Admiralty grading, ICD 203 likelihood,
what the claim is about and how it relates to other claims.

Built for speed: the source comes from a completer over actor entities, the
grading takes one key each, and every change is saved (and undoable) at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.grading import LIKELIHOOD, RELATIONS, STANCES
from .grading import GradingWidget
from .models import combo_index

ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class ClaimContext:
    """What the editor offers to choose from, for the open document."""

    actor_names: list[str] = field(default_factory=list)
    source_mentions: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # actor annotations: id, label
    subjects: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # entities mentioned here
    claims: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # other claims: id, quote


class ClaimEditor(QWidget):
    sourceNamed = Signal(str)
    fieldsEdited = Signal(dict)  # claim fields to set
    subjectsChosen = Signal(list)
    linkRequested = Signal(str, object)  # relation, other annotation id
    unlinkRequested = Signal(object)  # link id

    def __init__(self, parent=None):
        super().__init__(parent)
        self._quiet = False
        self.source = QLineEdit(placeholderText="Who made the claim (actor)")
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.source.setCompleter(completer)
        self.mention = QComboBox()
        self.stance = QComboBox()
        for s in STANCES:
            self.stance.addItem(s.capitalize(), s)
        self.grading = GradingWidget()
        self.likelihood = QComboBox()
        self.likelihood.addItem("— not judged —", "")
        for term, rng in LIKELIHOOD:
            self.likelihood.addItem(f"{term} ({rng})", term)
        self.likelihood_note = QLineEdit(placeholderText="Why this likelihood (Enter saves)")
        self.about = QListWidget()
        self.about.setMaximumHeight(110)
        self.links = QListWidget()
        self.links.setMaximumHeight(80)
        self.add_link = QPushButton("Link to claim…")
        self.remove_link = QPushButton("Remove link")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_link)
        buttons.addWidget(self.remove_link)

        form = QFormLayout()
        form.addRow("Source", self.source)
        form.addRow("Source mention", self.mention)
        form.addRow("Stance", self.stance)
        form.addRow("Grading", self.grading)
        form.addRow("Likelihood", self.likelihood)
        form.addRow("", self.likelihood_note)
        form.addRow("About", self.about)
        form.addRow("Links", self.links)
        form.addRow("", buttons)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Claim</b>")
        lay.addWidget(title)
        lay.addLayout(form)

        self.source.editingFinished.connect(self._source_done)
        self.mention.activated.connect(lambda _i: self._emit(source_annotation_id=self.mention.currentData()))
        self.stance.activated.connect(lambda _i: self._emit(stance=self.stance.currentData()))
        self.grading.graded.connect(lambda r, c: self._emit(reliability=r, credibility=c))
        self.likelihood.activated.connect(lambda _i: self._emit(likelihood=self.likelihood.currentData()))
        self.likelihood_note.editingFinished.connect(self._note_done)
        self.about.itemChanged.connect(self._about_changed)
        self.add_link.clicked.connect(self._choose_link)
        self.remove_link.clicked.connect(self._remove_link)
        self._current_source = ""
        self._current_note = ""
        self._claims: list[tuple[uuid.UUID, str]] = []

    # --- showing -----------------------------------------------------------------

    def show_claim(self, details, source_name: str, ctx: ClaimContext) -> None:
        """Fill the editor from ``details`` (core.claims.ClaimDetails)."""
        self._quiet = True
        try:
            claim = details.claim
            self._names.setStringList(ctx.actor_names)
            self._current_source = source_name
            self.source.setText(source_name)
            self.mention.clear()
            self.mention.addItem("—", None)
            for ann_id, text in ctx.source_mentions:
                self.mention.addItem(text, ann_id)
            self.mention.setCurrentIndex(combo_index(self.mention, claim.source_annotation_id))
            self.stance.setCurrentIndex(max(0, self.stance.findData(claim.stance)))
            self.grading.set_value(claim.reliability, claim.credibility)
            self.likelihood.setCurrentIndex(max(0, self.likelihood.findData(claim.likelihood)))
            self._current_note = claim.likelihood_note
            self.likelihood_note.setText(claim.likelihood_note)
            chosen = {e.id for e in details.subjects}
            self.about.clear()
            offered = dict(ctx.subjects)
            for entity in details.subjects:  # subjects from other documents stay visible
                offered.setdefault(entity.id, entity.name)
            for entity_id, name in sorted(offered.items(), key=lambda kv: kv[1].casefold()):
                item = QListWidgetItem(name)
                item.setData(ID_ROLE, entity_id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if entity_id in chosen else Qt.CheckState.Unchecked)
                self.about.addItem(item)
            self.links.clear()
            for link in details.links:
                arrow = "→" if link.direction == "out" else "←"
                quote = " ".join(link.other_exact.split())
                item = QListWidgetItem(f"{arrow} {link.relation}: {quote[:70]}{'…' if len(quote) > 70 else ''}")
                item.setData(ID_ROLE, link.link_id)
                self.links.addItem(item)
            self._claims = ctx.claims
            self.add_link.setEnabled(bool(ctx.claims))
            self.remove_link.setEnabled(bool(details.links))
        finally:
            self._quiet = False

    # --- edits -------------------------------------------------------------------------

    def _emit(self, **fields) -> None:
        if not self._quiet:
            self.fieldsEdited.emit(fields)

    def _source_done(self) -> None:
        name = " ".join(self.source.text().split())
        if not self._quiet and name and name != self._current_source:
            self._current_source = name
            self.sourceNamed.emit(name)

    def _note_done(self) -> None:
        note = self.likelihood_note.text().strip()
        if note != self._current_note:
            self._current_note = note
            self._emit(likelihood_note=note)

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
                quote = " ".join(quote.split())
                act = sub.addAction(quote[:80] + ("…" if len(quote) > 80 else ""))
                act.triggered.connect(lambda _c=False, r=relation, a=ann_id: self.linkRequested.emit(r, a))
        return menu

    def _choose_link(self) -> None:
        self.link_menu().exec(self.add_link.mapToGlobal(self.add_link.rect().bottomLeft()))

    def _remove_link(self) -> None:
        item = self.links.currentItem() or (self.links.item(0) if self.links.count() == 1 else None)
        if item is not None:
            self.unlinkRequested.emit(item.data(ID_ROLE))
