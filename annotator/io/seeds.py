"""Seed documents: real articles imported into a new, empty database so a
new user has something to annotate at once.

``seeds/manifest.json`` lists them: ``file`` plus the metadata to store
(title, source, published, language, description, url), optionally ``id``
(the document's UUID, fixed so that every new database holds the same
seed rows and their annotations' targets match) and ``annotations``, a W3C
annotations file anchored in that document.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from importlib import resources as _res
from pathlib import Path

from ..core.errors import InputError
from ..core.services import AnnotationDraft, Desk, DocumentImport
from .documents import LoadedDocument, import_loaded, load_document_file
from .w3c import read_w3c_file

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
_METADATA = ("title", "source", "published", "language", "description", "url")


def seeds_dir() -> Path:
    """The ``seeds/`` folder: the checkout's, or the copy an installed package
    carries as ``annotator/_seeds`` (see pyproject.toml)."""
    if SEEDS.is_dir():
        return SEEDS
    return Path(str(_res.files("annotator._seeds").joinpath("manifest.json"))).parent


def load_seeds(folder: Path | None = None) -> list[tuple[LoadedDocument, list[AnnotationDraft]]]:
    """Read every seed listed in the manifest (nothing is written)."""
    folder = folder or seeds_dir()
    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{manifest_path}: no such file") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{manifest_path}: not valid JSON ({exc})") from None
    entries = manifest.get("documents") if isinstance(manifest, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("file"), str) for e in entries):
        raise InputError(f"{manifest_path}: expected {{\"documents\": [{{\"file\": …}}, …]}}")
    seeds = []
    for entry in entries:
        loaded = load_document_file(folder / entry["file"])
        loaded = replace(loaded, **{k: str(entry[k]) for k in _METADATA if entry.get(k)})
        if entry.get("id"):
            try:
                loaded = replace(loaded, doc_id=uuid.UUID(str(entry["id"])))
            except ValueError:
                raise InputError(f"{manifest_path}: {entry['file']}: id {entry['id']!r} is not a UUID") from None
        drafts = read_w3c_file(folder / entry["annotations"]) if entry.get("annotations") else []
        seeds.append((loaded, drafts))
    return seeds


def import_seeds(desk: Desk, folder: Path | None = None) -> list[DocumentImport]:
    """Import the seed documents and their annotations in one transaction.

    Annotations are added only to a document this call created, so seeding
    twice changes nothing. A seed annotation that cannot be anchored is a
    fault in the shipped data and fails the whole import.
    """
    seeds = load_seeds(folder)
    imports = []
    with desk.repo.transaction():
        desk.ensure_tagset()
        for loaded, drafts in seeds:
            imp = import_loaded(desk, loaded)
            if drafts and imp.created:
                report = desk.import_annotations(imp.document.id, drafts)
                if report.orphans:
                    first = report.orphans[0]
                    raise InputError(
                        f"seed {loaded.filename}: {len(report.orphans)} annotation(s) cannot be anchored "
                        f"({first.draft.source_line}: {first.reason})"
                    )
                if report.problems:
                    raise InputError(f"seed {loaded.filename}: {report.problems[0]}")
            imports.append(imp)
    return imports


def seed_if_empty(desk: Desk) -> list[DocumentImport]:
    """Import the seeds when the database has no documents yet; otherwise nothing."""
    if desk.repo.document_ids():
        return []
    return import_seeds(desk)
