"""The main window's entities and claims: the Entities tab, editing and
merging entities, tagging every occurrence, the gazetteer's place
suggestions for a new location, and claim edits from the details pane. A
mixin of :class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

import uuid

from ..core.model import LabelKind
from ..core.change import Change
from .entity_dialog import EntityDialog
from .occurrences_dialog import OccurrencesDialog


class WindowEntities:
    """Entities and claims for the main window."""

    # --- entities and claims ----------------------------------------------------------------------

    def _entities_changed(self) -> None:
        offered = self.ctl.entity(self.place_strip.entity_id)
        if self.place_strip.is_offering() and (offered is None or offered.latitude is not None):
            self.place_strip.dismiss()  # deleted, merged or located meanwhile
        self.annotations.model.set_lookups(self.ctl.labels(), self._entity_name)
        self._fit_annotation_columns(grow_only=True)
        self._entities_dirty = True
        if self.tabs.currentWidget() is self.entities:
            self._refresh_entities()

    def _refresh_entities(self) -> None:
        if not self._entities_dirty or self.tabs.currentWidget() is not self.entities or self.ctl.db is None:
            return
        self._entities_dirty = False
        self.entities.set_entities(self.ctl.entity_list(), self.ctl.entities.mention_counts())
        ids = self.entities.selected_ids()
        self._entity_chosen(ids[0] if ids else None)

    def _tab_sizes(self, _index: int) -> None:
        """The Entities view takes most of the right column (its list and the
        mentions need the room); back on Annotations the details get theirs
        again. Each tab keeps the sizes the analyst last gave it."""
        on_entities = self.tabs.currentWidget() is self.entities
        sizes = self.right.sizes()
        self._right_sizes[not on_entities] = sizes
        total = sum(sizes)
        wanted = self._right_sizes.get(on_entities)
        if wanted is None and on_entities and total > 0:
            wanted = [round(total * 0.75), total - round(total * 0.75)]
        if wanted:
            self.right.setSizes(wanted)

    def _entity_chosen(self, entity_id) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            self.entities.show_mentions("", [])
            return
        self.entities.show_mentions(entity.name, self.ctl.entities.mentions(entity.id))

    def go_to_annotation(self, doc_id: uuid.UUID, ann_id: uuid.UUID) -> None:
        self.open_document(doc_id)
        self.annotations.select(ann_id)
        self._annotation_chosen(ann_id)

    def edit_entity(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        dialog = EntityDialog(entity, suggest=self._suggest_places, parent=self)
        if dialog.exec():
            self.ctl.edit_entity(entity_id, dialog.fields())

    def _suggest_places(self, names: list[str], location_type: str = "", limit: int = 6) -> list:
        """Gazetteer matches for a location's names, places in the countries
        already located in this database first (see ``gazetteer.suggest_names``)."""
        from ..core import gazetteer  # loads GeoNames data on first use

        return gazetteer.suggest_names(names, limit, countries=self._located_countries(), location_type=location_type)

    def _located_countries(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.ctl.entity_list():
            if e.kind is LabelKind.LOCATION and e.country_code and e.latitude is not None:
                counts[e.country_code] = counts.get(e.country_code, 0) + 1
        return counts

    def _offer_places(self, change: Change) -> None:
        """A location this edit created (tagging, a label change): offer its
        gazetteer matches in the strip, without stopping the analyst. The
        search runs on a thread; undoing the tag withdraws the offer."""
        strip = self.place_strip
        if strip.annotation_id is not None and strip.annotation_id in change.removed:
            strip.dismiss()
        entity = next(
            (e for e in map(self.ctl.entity, change.entities_added) if e is not None and e.kind is LabelKind.LOCATION), None
        )
        if entity is None:
            return
        from ..core import gazetteer  # the module only; its index is built on first use, off this thread

        names, etype, countries = entity.names(), entity.type, self._located_countries()
        ann_id = next(iter(change.added or change.updated), None)
        strip.offer(entity.id, entity.name, lambda: gazetteer.suggest_names(names, strip.MAX, countries=countries, location_type=etype), ann_id)

    def _apply_place(self, entity_id, place) -> None:
        """Coordinates and country from a gazetteer place, as one undoable edit
        (and the type, city or country, when the location has none)."""
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        fields = {"latitude": place.latitude, "longitude": place.longitude, "country_code": place.country_code}
        if not entity.type and place.feature in ("city", "country"):
            fields["type"] = place.feature
        fields = {k: v for k, v in fields.items() if getattr(entity, k) != v}
        if self.ctl.edit_entity(entity_id, fields):
            self.statusBar().showMessage(
                f"{entity.name}: {place.latitude:.4f}, {place.longitude:.4f} {place.country_code} from GeoNames "
                f"({place.name}) — Ctrl+Z undoes", 8000,
            )  # fmt: skip

    def merge_entities(self, entity_ids: list) -> None:
        entities = [self.ctl.entity(i) for i in entity_ids]
        if len(entities) < 2 or any(e is None for e in entities):
            return
        if len({e.kind for e in entities}) > 1:
            self.show_error("Only entities of the same kind can be merged (actors with actors, locations with locations).")
            return
        target, *sources = entities
        names = ", ".join(e.name for e in sources)
        if not self.prompter.confirm(
            self, "Merge entities", f"Merge {names} into {target.name}? All their mentions move to {target.name}."
        ):
            return
        self.ctl.merge_entities([e.id for e in entities])

    def tag_all_occurrences(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        doc = self.ctl.document

        def find(all_documents: bool) -> list:
            scope = None if all_documents or doc is None else [doc.id]
            return self.ctl.entities.find_occurrences(entity_id, scope)

        dialog = OccurrencesDialog(entity.name, find, self)
        if dialog.exec():
            self.ctl.tag_occurrences(entity_id, dialog.chosen())

    def _claim_edit(self, edit, value) -> None:
        if self.details.ann is not None:
            edit(self.details.ann.id, value)
