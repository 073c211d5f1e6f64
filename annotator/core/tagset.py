"""The tagset: default labels and the colours given to new ones."""

from __future__ import annotations

import json
from importlib import resources as _res
from pathlib import Path

from .model import Label, LabelKind

RESOURCES = Path(__file__).resolve().parents[2] / "resources"

# A qualitative palette (Tableau 10 without the default three) for labels
# added by imports; readable as translucent fills in light and dark themes.
EXTRA_COLOURS = ["#b07aa1", "#ff9da7", "#9c755f", "#76b7b2", "#edc948", "#59a14f", "#af7aa1", "#e15759", "#4e79a7"]


def resource_path(name: str) -> Path:
    """Path of a file in ``resources/``: the checkout's folder, or the copy an
    installed package carries as ``annotator/_resources`` (see pyproject.toml)."""
    local = RESOURCES / name
    if local.exists():
        return local
    try:
        return Path(str(_res.files("annotator._resources").joinpath(name)))
    except ModuleNotFoundError:  # a checkout without that file (e.g. the optional icon.svg)
        return local


def default_labels(creator: str = "") -> list[Label]:
    data = json.loads(resource_path("tagset.json").read_text("utf-8"))
    return [
        Label(
            name=item["name"],
            kind=LabelKind(item["kind"]),
            color=item["color"],
            description=item.get("description", ""),
            shortcut=item.get("shortcut", ""),
            position=i,
            creator=creator,
        )
        for i, item in enumerate(data["labels"])
    ]


def colour_for_new_label(existing: int) -> str:
    return EXTRA_COLOURS[existing % len(EXTRA_COLOURS)]


def kind_for_label_name(name: str) -> LabelKind:
    """Kind of a label met in an import: the default kinds by name, else OTHER."""
    try:
        return LabelKind(name.strip().lower())
    except ValueError:
        return LabelKind.OTHER
