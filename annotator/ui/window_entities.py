"""The main window's entities: the Entities tab, editing and merging
entities, tagging every occurrence, and the gazetteer's place suggestions
for a new location: a part of the main window (see :mod:`.window_context`)."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QSplitter, QTabWidget

from ..core.model import LabelKind
from ..core.change import Change
from .entities_panel import EntitiesPanel
from .entity_dialog import EntityDialog
from .merge_entities_dialog import MergeEntitiesDialog
from .occurrences_dialog import OccurrencesDialog
from .place_suggestions import PlaceSuggestions
from .window_context import WindowContext

ENTITIES_SHARE = 0.75  # of the right column the Entities tab takes when it has no size of its own yet


class EntityTools:
    """The Entities tab (``panel`` in ``tabs``, over the details in the
    ``column`` splitter) and the place ``strip``; the list is re-read only
    when it is shown and something it lists has changed."""

    def __init__(self, ctx: WindowContext, tabs: QTabWidget, panel: EntitiesPanel, column: QSplitter,
                 strip: PlaceSuggestions) -> None:  # fmt: skip
        self.ctx, self.ctl = ctx, ctx.ctl
        self.tabs, self.panel, self.column, self.strip = tabs, panel, column, strip
        self._stale = True
        self._column_sizes: dict[bool, list[int]] = {}  # the column's sizes per tab (True: Entities)
        panel.editRequested.connect(self.edit_entity)
        panel.tagAllRequested.connect(self.tag_all_occurrences)
        panel.mergeRequested.connect(self.merge_entities)
        panel.entityChosen.connect(self._entity_chosen)
        tabs.currentChanged.connect(self._tab_changed)
        strip.applyRequested.connect(self._apply_place)
        strip.editRequested.connect(self.edit_entity)

    def entities_changed(self) -> None:
        """Entities were created, changed or removed: withdraw an offer for
        one gone or located meanwhile, and mark the list stale."""
        offered = self.ctl.entity(self.strip.entity_id)
        if self.strip.is_offering() and (offered is None or offered.latitude is not None):
            self.strip.dismiss()
        self.mark_stale()

    def mark_stale(self) -> None:
        """The names or mention counts changed: re-read them now if the list is shown."""
        self._stale = True
        self.refresh()

    def refresh(self) -> None:
        if not self._stale or self.tabs.currentWidget() is not self.panel or self.ctl.db is None:
            return
        self._stale = False
        self.panel.set_entities(self.ctl.entity_list(), self.ctl.entities.mention_counts())
        ids = self.panel.selected_ids()
        self._entity_chosen(ids[0] if ids else None)

    def _tab_changed(self, _index: int) -> None:
        """The Entities view takes most of the right column (its list and the
        mentions need the room); back on Annotations the details get theirs
        again. Each tab keeps the sizes the analyst last gave it."""
        on_entities = self.tabs.currentWidget() is self.panel
        sizes = self.column.sizes()
        self._column_sizes[not on_entities] = sizes
        total = sum(sizes)
        wanted = self._column_sizes.get(on_entities)
        if wanted is None and on_entities and total > 0:
            wanted = [round(total * ENTITIES_SHARE), total - round(total * ENTITIES_SHARE)]
        if wanted:
            self.column.setSizes(wanted)
        self.refresh()

    def annotations_tab_sizes(self) -> list[int] | None:
        """The column's sizes the Annotations tab last had, while Entities is
        shown (the window saves those, to start with Annotations next time)."""
        return self._column_sizes.get(False) if self.tabs.currentWidget() is self.panel else None

    def _entity_chosen(self, entity_id) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            self.panel.show_mentions("", [])
            return
        self.panel.show_mentions(entity.name, self.ctl.entities.mentions(entity.id))

    def edit_entity(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        dialog = EntityDialog(entity, suggest=self._suggest_places, parent=self.ctx.window)
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

    def offer_places(self, change: Change) -> None:
        """A location this edit created (tagging, a label change): offer its
        gazetteer matches in the strip, without stopping the analyst. The
        search runs on a thread; undoing the tag withdraws the offer."""
        strip = self.strip
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
        if not entity.type and place.feature in ("city", "capital", "country"):
            fields["type"] = "city" if place.feature == "capital" else place.feature
        fields = {k: v for k, v in fields.items() if getattr(entity, k) != v}
        if self.ctl.edit_entity(entity_id, fields):
            self.ctx.status(
                f"{entity.name}: {place.latitude:.4f}, {place.longitude:.4f} {place.country_code} from GeoNames "
                f"({place.name}) — Ctrl+Z undoes", 8000,
            )  # fmt: skip

    def merge_entities(self, entity_ids: list) -> None:
        """Ask which entity stays and what it takes from the others, then merge (undoable)."""
        entities = [self.ctl.entity(i) for i in entity_ids]
        if len(entities) < 2 or any(e is None for e in entities):
            return
        if len({e.kind for e in entities}) > 1:
            self.ctx.error("Only entities of the same kind can be merged (actors with actors, locations with locations).")
            return
        dialog = MergeEntitiesDialog(entities, self.ctl.entities.mention_counts(), self.ctx.window)
        if dialog.exec():
            kept, others, fields = dialog.choice()
            self.ctl.merge_entities([kept, *others], fields)

    def tag_all_occurrences(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        doc = self.ctl.document

        def find(all_documents: bool) -> list:
            scope = None if all_documents or doc is None else [doc.id]
            return self.ctl.entities.find_occurrences(entity_id, scope)

        dialog = OccurrencesDialog(entity.name, find, self.ctx.window)
        if dialog.exec():
            self.ctl.tag_occurrences(entity_id, dialog.chosen())
