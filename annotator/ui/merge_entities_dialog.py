"""Merging entities, as the analyst decides: which entity stays, and where
they differ, whose name, type, note and coordinates it takes. Every name
and alias of all of them stays a name or an alias of the one kept."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from ..core.model import Entity

CHOICES = (("name", "Name"), ("type", "Type"), ("note", "Note"), ("place", "Coordinates"))
NOTE_CHARS = 60


def _value(entity: Entity, key: str):
    if key == "place":
        return (entity.latitude, entity.longitude, entity.country_code) if entity.latitude is not None else None
    return getattr(entity, key) or None


def _shown(key: str, value) -> str:
    if key == "place":
        lat, lon, code = value
        return f"{lat:.4f}, {lon:.4f} {code}".strip()
    text = " ".join(str(value).split())
    return text if len(text) <= NOTE_CHARS else text[: NOTE_CHARS - 1] + "…"


class MergeEntitiesDialog(QDialog):
    """:meth:`choice` gives the entity kept and the fields it takes from the others."""

    def __init__(self, entities: list[Entity], mentions: dict[uuid.UUID, int], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Merge entities")
        self.entities = entities
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Keep this one (every mention, claim and alias of the others moves to it):"))
        self.keep = QButtonGroup(self)
        for i, e in enumerate(entities):
            button = QRadioButton(f"{e.name} — {mentions.get(e.id, 0)} mention(s)")
            self.keep.addButton(button, i)
            lay.addWidget(button)
        self.keep.button(0).setChecked(True)
        form = QFormLayout()
        self.fields: dict[str, QComboBox] = {}
        self._only: dict[str, object] = {}  # fields set to one value only: the one kept takes it
        for key, label in CHOICES:
            values = list(dict.fromkeys(v for e in entities if (v := _value(e, key)) is not None))
            if len(values) == 1:
                self._only[key] = values[0]
            if len(values) < 2:
                continue
            combo = QComboBox()
            for v in values:
                combo.addItem(_shown(key, v), v)
            self.fields[key] = combo
            form.addRow(label, combo)
        if self.fields:
            lay.addWidget(QLabel("Where they differ, the one kept takes:"))
            lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Merge")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.keep.idToggled.connect(lambda i, on: on and self._follow(i))
        self._follow(0)

    def _follow(self, index: int) -> None:
        """Each choice starts at the kept entity's own value (when it has one)."""
        kept = self.entities[index]
        for key, combo in self.fields.items():
            found = combo.findData(_value(kept, key))
            if found >= 0:
                combo.setCurrentIndex(found)

    def choice(self) -> tuple[uuid.UUID, list[uuid.UUID], dict]:
        """The entity kept, the ones merged into it, and the fields it takes."""
        kept = self.entities[self.keep.checkedId()]
        others = [e.id for e in self.entities if e.id != kept.id]
        fields: dict = {}
        chosen = {key: combo.currentData() for key, combo in self.fields.items()} | self._only
        for key, value in chosen.items():
            if value == _value(kept, key):
                continue
            if key == "place":
                fields["latitude"], fields["longitude"], fields["country_code"] = value
            else:
                fields[key] = value
        return kept.id, others, fields
