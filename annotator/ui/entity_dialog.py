"""Edit an entity: name, type, aliases, note; for a location its country
and coordinates, with offline gazetteer suggestions for its name and every
alias, each saying why it matched."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDoubleValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
)
from PySide6.QtCore import QRegularExpression

from ..core.gazetteer import explain
from ..core.grading import ACTOR_TYPES, LOCATION_TYPES
from ..core.model import Entity, LabelKind

PLACE_ROLE = Qt.ItemDataRole.UserRole + 1


class EntityDialog(QDialog):
    """Returns the edited fields from :meth:`fields`; the caller applies them
    as one undoable edit. ``suggest(names, location_type)`` gives gazetteer
    places (core.gazetteer.Place) for a location's name and aliases."""

    def __init__(self, entity: Entity, suggest=None, parent=None):
        super().__init__(parent)
        self.entity = entity
        self._suggest = suggest
        kind = "Actor" if entity.kind is LabelKind.ACTOR else "Location"
        self.setWindowTitle(f"{kind}: {entity.name}")
        self.name = QLineEdit(entity.name)
        self.type = QComboBox()
        self.type.addItem("—", "")
        for value, label in ACTOR_TYPES if entity.kind is LabelKind.ACTOR else LOCATION_TYPES:
            self.type.addItem(label, value)
        self.type.setCurrentIndex(max(0, self.type.findData(entity.type)))
        self.aliases = QPlainTextEdit("\n".join(entity.aliases))
        self.aliases.setPlaceholderText("One alias per line (other spellings, acronyms, other scripts)")
        self.aliases.setMaximumHeight(90)
        self.note = QPlainTextEdit(entity.note)
        self.note.setMaximumHeight(70)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Type", self.type)
        form.addRow("Aliases", self.aliases)
        form.addRow("Note", self.note)
        self.kept = QCheckBox("Keep when nothing refers to it")
        self.kept.setChecked(entity.kept)
        self.kept.setToolTip("An entity goes with its last mention, claim source or subject, unless it is kept")
        form.addRow("", self.kept)
        self.suggestions = None
        if entity.kind is LabelKind.LOCATION:
            self.country = QLineEdit(entity.country_code)
            self.country.setMaxLength(2)
            self.country.setValidator(QRegularExpressionValidator(QRegularExpression("[A-Za-z]{0,2}"), self))
            self.country.setPlaceholderText("ISO code, e.g. SY")
            self.latitude = QLineEdit("" if entity.latitude is None else f"{entity.latitude:.5f}")
            self.longitude = QLineEdit("" if entity.longitude is None else f"{entity.longitude:.5f}")
            self.latitude.setValidator(QDoubleValidator(-90, 90, 6, self))
            self.longitude.setValidator(QDoubleValidator(-180, 180, 6, self))
            self.latitude.setPlaceholderText("latitude")
            self.longitude.setPlaceholderText("longitude")
            form.addRow("Country", self.country)
            form.addRow("Latitude", self.latitude)
            form.addRow("Longitude", self.longitude)
            self.suggestions = QListWidget()
            self.suggestions.setMaximumHeight(150)
            self.suggestions.setWordWrap(True)
            self.suggestions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.suggestions.itemClicked.connect(self._use_place)
            self.suggestions.itemActivated.connect(self._use_place)
            form.addRow(QLabel("Gazetteer (offline GeoNames) for the name and aliases; click one to use it"))
            form.addRow(self.suggestions)
            self._typing = QTimer(self, singleShot=True, interval=250)  # search once typing pauses
            self._typing.timeout.connect(self._refresh_suggestions)
            self.name.textChanged.connect(self._typing.start)
            self.aliases.textChanged.connect(self._typing.start)
            self.type.currentIndexChanged.connect(self._typing.start)
            self._refresh_suggestions()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def names(self) -> list[str]:
        """The name and aliases as typed (what the gazetteer is asked for)."""
        aliases = [a.strip() for a in self.aliases.toPlainText().splitlines() if a.strip()]
        return [n for n in [" ".join(self.name.text().split()), *aliases] if n]

    def _refresh_suggestions(self) -> None:
        if self.suggestions is None or self._suggest is None:
            return
        self.suggestions.clear()
        names = self.names()
        places = self._suggest(names, self.type.currentData() or "") if names else []
        for place in places:
            item = QListWidgetItem(f"{explain(place, names[0])} — {place.latitude:.3f}, {place.longitude:.3f}")
            item.setToolTip(
                f"GeoNames: {place.name} ({place.feature}, {place.extra or place.country_code})\n"
                f"matched “{place.matched}” for “{place.query}”\n"
                f"{place.latitude:.5f}, {place.longitude:.5f}; population {place.population:,}"
            )
            item.setData(PLACE_ROLE, place)
            self.suggestions.addItem(item)
        if not places:
            searched = ", ".join(f"“{n}”" for n in names) or "an empty name"
            item = QListWidgetItem(f"No match in the offline gazetteer for {searched}. Type the coordinates, or leave them empty.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.suggestions.addItem(item)

    def _use_place(self, item: QListWidgetItem) -> None:
        place = item.data(PLACE_ROLE)
        if place is None:  # the "no match" line
            return
        self.country.setText(place.country_code)
        self.latitude.setText(f"{place.latitude:.5f}")
        self.longitude.setText(f"{place.longitude:.5f}")

    def fields(self) -> dict:
        """The fields that differ from the entity (empty: nothing to do)."""
        aliases = [a.strip() for a in self.aliases.toPlainText().splitlines() if a.strip()]
        wanted = {
            "name": " ".join(self.name.text().split()) or self.entity.name,
            "type": self.type.currentData(),
            "aliases": aliases,
            "note": self.note.toPlainText().strip(),
            "kept": self.kept.isChecked(),
        }
        if self.entity.kind is LabelKind.LOCATION:
            lat, lon = self.latitude.text().strip(), self.longitude.text().strip()
            wanted["country_code"] = self.country.text().strip().upper()
            wanted["latitude"] = float(lat) if lat and lon else None
            wanted["longitude"] = float(lon) if lat and lon else None
        return {k: v for k, v in wanted.items() if getattr(self.entity, k) != v}
