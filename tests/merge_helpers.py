"""Building analysts' databases for the merge, share and untrusted-file tests,
and comparing databases by content (ids of documents, labels and claims
mapped to what they match by)."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

from annotator.core.model import Claim, ClaimLink, ClaimSubject
from annotator.core.services import Desk
from annotator.store.database import open_database

DATA_TABLES = ("document", "label", "entity", "annotation", "annotation_extra", "claim", "claim_subject", "claim_link")
TEXT = (
    "Syria has sent 3,000 troops to the border with Iraq, officials in Damascus said on Friday. "
    "The deployment near Bukamal follows clashes with militias, a source in Baghdad reported."
)
TEXT2 = "Turkish drones struck positions near Hasakah overnight, the ministry in Ankara said."


def sql(path, query, *params):
    con = sqlite3.connect(path)
    try:
        with con:
            return con.execute(query, params).fetchall()
    finally:
        con.close()


def raw_dump(path) -> dict[str, list]:
    """Every row of every table, as stored (ids and all). The search index
    is derived data: its entries without their numbers (which depend on the
    order rows were indexed in), and not FTS5's own tables (whose pages depend
    on when FTS5 merged its segments); ``tests/test_search_index.py`` checks
    that it finds exactly what a brute-force search finds."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        out = {}
        for t in tables:
            if t.startswith("search_fts"):
                continue
            cols = "kind, ref, document, start, stop, fields" if t == "search_entry" else "*"
            out[t] = sorted(map(repr, con.execute(f'SELECT {cols} FROM "{t}"').fetchall()))
        return out
    finally:
        con.close()


def content(path) -> dict[str, list]:
    """The data tables' content with the ids that legitimately differ between
    two merged copies (documents, labels, claims) replaced by their match keys."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        rows = {t: [dict(r) for r in con.execute(f'SELECT * FROM "{t}"')] for t in DATA_TABLES}
    finally:
        con.close()
    doc_key = {d["id"]: d["sha256"] for d in rows["document"]}
    label_key = {lb["id"]: (" ".join(lb["name"].casefold().split()), lb["kind"]) for lb in rows["label"]}
    out = {}
    for t, items in rows.items():
        mapped = []
        for r in items:
            r = dict(r)
            if t in ("document", "label", "claim"):
                r.pop("id")
            if t == "annotation":
                r["document_id"] = doc_key[r["document_id"]]
                r["label_id"] = label_key[r["label_id"]]
            mapped.append(repr(sorted(r.items())))
        out[t] = sorted(mapped)
    return out


class Analyst:
    """An open database and a desk for one analyst."""

    def __init__(self, path: Path, user: str):
        self.path = Path(path)
        self.db = open_database(path)
        self.desk = Desk(self.db.repo, user)
        self.repo = self.db.repo
        self.user = user

    def label(self, name: str):
        return next(lb for lb in self.repo.labels(include_deleted=True) if lb.name == name)

    def tag(self, doc_id, label: str, start: int, end: int, **kw):
        ann, _ = self.desk.add_annotation(doc_id, self.label(label).id, start, end, **kw)
        return ann

    def doc(self, text: str = TEXT, title: str = "Report"):
        return self.desk.import_document(text, title).document

    def close(self) -> None:
        self.db.close()


def span(text: str, word: str) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def base_database(path: Path, user: str = "ana") -> dict:
    """A database with one annotated document, a claim with a subject and a link."""
    a = Analyst(path, user)
    a.desk.ensure_tagset()
    doc = a.doc()
    syria = a.tag(doc.id, "Actor", *span(TEXT, "Syria"))
    damascus = a.tag(doc.id, "Location", *span(TEXT, "Damascus"))
    claim_ann = a.tag(doc.id, "Claim", 0, TEXT.index(".") + 1)
    second = a.tag(doc.id, "Claim", TEXT.index("The deployment"), len(TEXT))
    bukamal = a.tag(doc.id, "Location", *span(TEXT, "Bukamal"))
    with a.repo.transaction():
        a.repo.put_claim(Claim(annotation_id=claim_ann.id, source_entity_id=syria.entity_id, reliability="B",
                               credibility="2", creator=user))  # fmt: skip
        a.repo.put_claim_subject(ClaimSubject(claim_annotation_id=claim_ann.id, entity_id=syria.entity_id, creator=user))
        a.repo.put_claim_link(ClaimLink(from_annotation_id=claim_ann.id, to_annotation_id=second.id,
                                        relation="corroborates", creator=user))  # fmt: skip
    ids = {"doc": doc.id, "syria": syria.id, "damascus": damascus.id, "claim": claim_ann.id, "second": second.id,
           "bukamal": bukamal.id, "syria_entity": syria.entity_id}  # fmt: skip
    a.close()
    return ids


def hand_over(src: Path, dst: Path) -> Path:
    """A colleague receives a copy of the file (closed databases have no WAL)."""
    shutil.copyfile(src, dst)
    return dst


def open_services(path: Path, text: str, title: str = "Report"):
    """A new database with the tagset and one document: (database, services, document)."""
    from annotator.core.operations import services_for

    db = open_database(path)
    services = services_for(db.repo, "ana", gazetteer=None)
    services.desk.ensure_tagset()
    return db, services, services.desk.import_document(text, title).document


def new_id() -> uuid.UUID:
    return uuid.uuid4()
