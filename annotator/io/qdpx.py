"""REFI-QDA project export (``.qdpx``), so the work opens in QDA tools.

A ``.qdpx`` is a zip holding ``project.qde`` (QDA-XML, namespace
``urn:QDA-XML:project:1.0``, checked against the REFI-QDA ``Project.xsd`` of
March 2019) and ``sources/<guid>.txt``, the canonical text of each document
(UTF-8, LF line ends, no BOM). Only live rows are written: tombstones, and
anything of documents not exported, stay out.

What goes where:

* **labels** -> ``CodeBook/Codes/Code`` (guid = the label's UUID, its name,
  colour as ``#RRGGBB``, description). Every live label is a code; a
  tombstoned label still used by a live annotation (possible after a merge)
  is written too, or that coding would point nowhere.
* **entities** -> one child ``Code`` per actor or location entity that an
  exported mention refers to (guid = the entity's UUID, its type, aliases,
  country, coordinates and note in the ``Description``), under the first
  code of its kind (the Actor or Location label), so the entity survives as a
  code of its own. A mention is coded with both its label and its entity.
* **creators** -> ``Users/User``, guid ``uuid5(USER_NAMESPACE, name)``: the
  same analyst gets the same guid in every export and every database.
* **documents** -> ``Sources/TextSource`` (guid = the document's UUID,
  ``plainTextPath="internal://<guid>.txt"``; source, URL, date, language and
  description in its ``Description``).
* **annotations** -> ``PlainTextSelection`` (guid = the annotation's UUID)
  with a ``Coding`` per code. The standard counts ``startPosition`` and
  ``endPosition`` in characters of the plain text, from 0, the end
  exclusive (a 15-character phrase at the start is 0-15 in published
  examples); a character is read here as a
  Unicode code point, which is exactly our offsets into the canonical text
  written beside it. (A tool counting UTF-16 units would misplace spans after
  an emoji or other character beyond U+FFFF.)
* **discontinuous annotations** -> one selection per piece, each coded
  alike (the first keeps the annotation's UUID, the others a ``uuid5`` of
  it), and never the whole extent, which would code the gaps too.
* **notes** -> ``Notes/Note`` (``PlainTextContent``) with a ``NoteRef`` from
  the selection. **Claims** -> the selection's ``Description`` as readable
  text (source and mention, Admiralty grading, stance, ICD 203 likelihood,
  what it is about, the claims it corroborates or contradicts), and each
  claim link between two exported claims -> a ``Links/Link`` (``OneWay``,
  named by the relation).

Elements follow the XSD's sequences; times are ``xsd:dateTime`` in UTC.
Characters XML 1.0 cannot carry (control characters) become U+FFFD in
names and notes; the source files keep the text exactly.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from .. import __version__
from ..core import grading
from ..core.errors import InputError, NotFound
from ..core.model import Annotation, Claim, ClaimLink, ClaimSubject, Document, Entity, Label, LabelKind, now
from ..core.ports import Repository
from .atomic import atomic_write_bytes

NS = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
USER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://annotator.invalid/ns#user")
"""uuid5 namespace of user guids (the IRI names it; it is never fetched)."""

Progress = Callable[[int, int, str], object]

_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RGB = re.compile(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")
_NAME_LEN = 80


def user_guid(name: str) -> uuid.UUID:
    return uuid.uuid5(USER_NAMESPACE, name)


def write_qdpx(
    repo: Repository,
    document_ids: Sequence[uuid.UUID],
    path: Path | str,
    *,
    user: str,
    name: str = "",
    progress: Progress | None = None,
) -> Path:
    """Write the documents as a REFI-QDA project to ``path`` (replaced
    atomically) and return the path. ``name`` is the project's name
    (default: the title of the one document, else a count)."""
    ids = list(dict.fromkeys(document_ids))
    if not ids:
        raise InputError("no documents to export")
    path = Path(path)
    report = progress or (lambda done, total, what="": None)
    docs = []
    for i, doc_id in enumerate(ids):
        report(i, len(ids) + 1, "Reading the database")
        docs.append(_read(repo, doc_id))
    report(len(ids), len(ids) + 1, "Writing the project")
    stamp = now()
    project = _Builder(repo, docs, user).project(name or _default_name(docs), stamp)
    xml = etree.tostring(project, encoding="utf-8", xml_declaration=True, standalone=True)
    with atomic_write_bytes(path) as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(_entry(PROJECT_FILE, stamp), xml)
            for d in docs:
                zf.writestr(_entry(f"sources/{d.doc.id}.txt", stamp), d.doc.text.encode("utf-8"))
        report(len(ids) + 1, len(ids) + 1, "Saving")  # if this raises, the old file stays
    return path


def _entry(name: str, stamp: datetime) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, stamp.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # an ordinary file when unzipped
    return info


# --- reading ----------------------------------------------------------------------------


@dataclass
class _DocData:
    doc: Document
    annotations: list[Annotation]
    claims: dict[uuid.UUID, Claim]
    subjects: dict[uuid.UUID, list[ClaimSubject]]
    links: list[ClaimLink]


def _read(repo: Repository, doc_id: uuid.UUID) -> _DocData:
    claims = {a: c for a, c in repo.claims_for_document(doc_id).items() if not c.deleted}
    return _DocData(
        doc=repo.get_document(doc_id),
        annotations=list(repo.annotations(doc_id)),
        claims=claims,
        subjects=repo.claim_subjects_for_document(doc_id),
        links=repo.claim_links_for_document(doc_id),
    )


def _default_name(docs: list[_DocData]) -> str:
    return docs[0].doc.title if len(docs) == 1 else f"Annotator: {len(docs)} documents"


# --- text helpers ---------------------------------------------------------------------


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _short(text: str, n: int = _NAME_LEN) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


def _time(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _colour(value: str) -> str | None:
    value = (value or "").strip()
    if not _RGB.fullmatch(value):
        return None
    digits = value[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


def _entity_description(entity: Entity) -> str:
    lines = []
    kinds = dict(grading.entity_types(entity.kind))
    if entity.type:
        lines.append(f"Type: {kinds.get(entity.type, entity.type)}")
    if entity.aliases:
        lines.append("Also: " + ", ".join(entity.aliases))
    if entity.country_code:
        lines.append(f"Country: {entity.country_code}")
    if entity.latitude is not None and entity.longitude is not None:
        lines.append(f"Coordinates: {entity.latitude}, {entity.longitude}")
    if entity.note:
        lines.append(entity.note)
    return "\n".join(lines)


def _document_description(doc: Document) -> str:
    lines = [f"{what}: {value}" for what, value in
             (("Source", doc.source), ("Published", doc.published), ("URL", doc.url), ("Language", doc.language)) if value]  # fmt: skip
    if doc.description:
        lines.append(doc.description)
    return "\n".join(lines)


# --- building project.qde ----------------------------------------------------------------


def _el(parent: etree._Element | None, tag: str, attrs: dict[str, str | None] | None = None, text: str | None = None) -> etree._Element:
    """A QDA-XML element; attributes whose value is None or empty are left out
    (``name`` is the one attribute holding free text)."""
    qname = f"{{{NS}}}{tag}"
    clean = {k: _xml_text(v) if k == "name" else v for k, v in (attrs or {}).items() if v}
    el = etree.Element(qname, clean, nsmap={None: NS}) if parent is None else etree.SubElement(parent, qname, clean)
    if text is not None:
        el.text = _xml_text(text)
    return el


class _Builder:
    def __init__(self, repo: Repository, docs: list[_DocData], user: str):
        self.repo = repo
        self.docs = docs
        self.user = user
        self.users: dict[str, uuid.UUID] = {}
        self.label_by_id = {lb.id: lb for lb in repo.labels(include_deleted=True)}
        self._entities: dict[uuid.UUID, Entity | None] = {e.id: e for e in repo.entities()}  # live ones, in one query
        self.selections = {ann.id: ann.exact for d in docs for ann in d.annotations}  # exported annotation -> quote
        self.claim_links = [link for d in docs for link in d.links
                            if link.from_annotation_id in self.selections and link.to_annotation_id in self.selections]  # fmt: skip
        self.links_by_annotation: dict[uuid.UUID, list[ClaimLink]] = {}
        for link in self.claim_links:  # live links whose two ends are both exported
            self.links_by_annotation.setdefault(link.from_annotation_id, []).append(link)
            self.links_by_annotation.setdefault(link.to_annotation_id, []).append(link)

    # users

    def user_ref(self, name: str) -> str | None:
        if not name:
            return None
        if name not in self.users:
            self.users[name] = user_guid(name)
        return str(self.users[name])

    # entities

    def entity(self, entity_id: uuid.UUID | None) -> Entity | None:
        """The live entity, following merges; None if it is gone."""
        seen: set[uuid.UUID] = set()
        while entity_id is not None and entity_id not in seen:
            seen.add(entity_id)
            if entity_id not in self._entities:
                try:
                    self._entities[entity_id] = self.repo.get_entity(entity_id)
                except NotFound:  # a dangling reference
                    self._entities[entity_id] = None
            found = self._entities[entity_id]
            if found is None or not found.deleted:
                return found
            entity_id = found.merged_into
        return None

    # the whole project

    def project(self, name: str, stamp: datetime) -> etree._Element:
        me = self.user_ref(self.user)
        root = _el(None, "Project", {"name": _short(name, 200) or "Annotator export", "origin": f"Annotator {__version__}",
                                     "creatingUserGUID": me, "creationDateTime": _time(stamp),
                                     "modifyingUserGUID": me, "modifiedDateTime": _time(stamp)})  # fmt: skip
        users = _el(root, "Users")  # filled last: every part adds the creators it names
        self.codebook(_el(root, "CodeBook"))
        self.sources(_el(root, "Sources"), _el(root, "Notes"))
        self.links(_el(root, "Links"))
        for uname, guid in self.users.items():
            _el(users, "User", {"guid": str(guid), "name": uname})
        for part in list(root):
            if not len(part):  # the schema wants none rather than an empty one
                root.remove(part)
        _el(root, "Description", text=f"Exported from Annotator by {self.user or 'an analyst'} on {_time(stamp)}: "
                                      f"{len(self.docs)} document(s), {len(self.selections)} annotation(s).")  # fmt: skip
        return root

    def codebook(self, book: etree._Element) -> None:
        used = {ann.label_id for d in self.docs for ann in d.annotations}
        labels = [lb for lb in self.label_by_id.values() if not lb.deleted or lb.id in used]
        labels.sort(key=lambda lb: (lb.position, lb.name.casefold(), str(lb.id)))
        if not labels:
            return
        codes = _el(book, "Codes")
        by_label: dict[uuid.UUID, etree._Element] = {}
        for lb in labels:
            code = _el(codes, "Code", {"guid": str(lb.id), "name": lb.name or "Untitled", "isCodable": "true", "color": _colour(lb.color)})
            if lb.description:
                _el(code, "Description", text=lb.description)
            by_label[lb.id] = code
        for entity, parent in self._entity_parents(labels):
            code = _el(by_label[parent.id], "Code", {"guid": str(entity.id), "name": entity.name or "Unnamed",
                                                     "isCodable": "true", "color": _colour(parent.color)})  # fmt: skip
            description = _entity_description(entity)
            if description:
                _el(code, "Description", text=description)

    def _entity_parents(self, labels: list[Label]) -> list[tuple[Entity, Label]]:
        """Each mentioned entity with the label code it goes under: the first
        label of its kind, else the label of its first mention."""
        first_of_kind: dict[LabelKind, Label] = {}
        for lb in labels:
            if not lb.deleted:
                first_of_kind.setdefault(lb.kind, lb)
        out: dict[uuid.UUID, tuple[Entity, Label]] = {}
        for d in self.docs:
            for ann in d.annotations:
                entity = self.entity(ann.entity_id)
                if entity is not None and entity.id not in out:
                    out[entity.id] = (entity, first_of_kind.get(entity.kind) or self.label_by_id[ann.label_id])
        return sorted(out.values(), key=lambda pair: (pair[0].name.casefold(), str(pair[0].id)))

    def sources(self, sources: etree._Element, notes: etree._Element) -> None:
        for d in self.docs:
            doc = d.doc
            src = _el(sources, "TextSource", {"guid": str(doc.id), "name": doc.title or "Untitled",
                                              "plainTextPath": f"internal://{doc.id}.txt",
                                              "creatingUser": self.user_ref(doc.creator), "creationDateTime": _time(doc.created),
                                              "modifiedDateTime": _time(doc.modified)})  # fmt: skip
            description = _document_description(doc)
            if description:
                _el(src, "Description", text=description)
            for ann in d.annotations:
                self.selections_for(src, notes, d, ann)

    def selections_for(self, src: etree._Element, notes: etree._Element, d: _DocData, ann: Annotation) -> None:
        note_guid = None
        if ann.note.strip():
            note_guid = str(uuid.uuid5(ann.id, "note"))
            note = _el(notes, "Note", {"guid": note_guid, "name": f"Note on “{_short(ann.exact, 60)}”",
                                       "creatingUser": self.user_ref(ann.creator), "creationDateTime": _time(ann.created),
                                       "modifiedDateTime": _time(ann.modified)})  # fmt: skip
            _el(note, "PlainTextContent", text=ann.note)
        claim = d.claims.get(ann.id)
        claim_text = self.claim_description(claim, d.subjects.get(ann.id, [])) if claim is not None else ""
        entity = self.entity(ann.entity_id)
        pieces = ann.pieces()
        text = d.doc.text
        for i, (start, end) in enumerate(pieces):
            guid = ann.id if i == 0 else uuid.uuid5(ann.id, f"piece {i + 1}")
            sel = _el(src, "PlainTextSelection", {"guid": str(guid), "name": _short(text[start:end]) or "(blank)",
                                                  "startPosition": str(start), "endPosition": str(end),
                                                  "creatingUser": self.user_ref(ann.creator), "creationDateTime": _time(ann.created),
                                                  "modifiedDateTime": _time(ann.modified)})  # fmt: skip
            lines = []
            if len(pieces) > 1:
                where = ", ".join(f"{s}–{e}" for s, e in pieces)
                lines.append(f"Part {i + 1} of {len(pieces)} of one discontinuous annotation ({where})")
            if claim_text:
                lines.append(claim_text)
            if lines:
                _el(sel, "Description", text="\n".join(lines))
            targets = [ann.label_id] + ([entity.id] if entity is not None else [])
            for target in targets:
                coding = _el(sel, "Coding", {"guid": str(uuid.uuid5(guid, f"coding {target}")),
                                             "creatingUser": self.user_ref(ann.creator), "creationDateTime": _time(ann.created)})  # fmt: skip
                _el(coding, "CodeRef", {"targetGUID": str(target)})
            if note_guid:
                _el(sel, "NoteRef", {"targetGUID": note_guid})

    def claim_description(self, claim: Claim, subjects: list[ClaimSubject]) -> str:
        source = self.entity(claim.source_entity_id)
        said = source.name if source is not None else "not given"
        mention = self.selections.get(claim.source_annotation_id) if claim.source_annotation_id else None
        if mention and " ".join(mention.split()).casefold() != said.casefold():  # where the source is tagged, if it reads otherwise
            said += f" (“{_short(mention, 60)}”)"
        judged = [f"Source: {said}", claim.grading, claim.stance]
        if claim.likelihood:
            judged.append(claim.likelihood)
        lines = [" · ".join(judged)]
        reliability = grading.RELIABILITY.get(claim.reliability, "")
        credibility = grading.CREDIBILITY.get(claim.credibility, "")
        lines.append(f"{claim.grading}: {reliability.lower()} source, information {credibility.lower()}")
        ranges = dict(grading.LIKELIHOOD)
        if claim.likelihood in ranges:
            lines.append(f"Likelihood: {claim.likelihood} ({ranges[claim.likelihood]})")
        if claim.likelihood_note:
            lines.append(f"Why: {claim.likelihood_note}")
        about = [e.name for e in (self.entity(s.entity_id) for s in subjects) if e is not None]
        if about:
            lines.append("About: " + ", ".join(about))
        for link in self.links_by_annotation.get(claim.annotation_id, []):
            if link.from_annotation_id == claim.annotation_id:
                lines.append(f"{link.relation.capitalize()} “{_short(self.selections[link.to_annotation_id], 60)}”")
            else:
                verb = "Corroborated by" if link.relation == "corroborates" else "Contradicted by"
                lines.append(f"{verb} “{_short(self.selections[link.from_annotation_id], 60)}”")
        return "\n".join(lines)

    def links(self, links: etree._Element) -> None:
        for link in self.claim_links:
            _el(links, "Link", {"guid": str(link.id), "name": link.relation, "direction": "OneWay",
                                "originGUID": str(link.from_annotation_id), "targetGUID": str(link.to_annotation_id)})  # fmt: skip
