"""The corpus search index stays exact: after any sequence of imports, tags,
note edits, deletions, undos, redos and a merge, a search through the index
finds exactly what a brute-force search over every live row finds, on
English, Arabic (harakat, proclitics) and emoji text alike."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.change import Op
from annotator.core.operations import History, Operations, services_for
from annotator.core.search import SearchFilters, find_terms, parse_query
from annotator.store.database import open_database
from annotator.store.merge import apply_merge
from annotator.store import search as store_search
from annotator.store.search import search

WORDS = ["Syria", "troops", "border", "Iraq", "militias", "Damascus", "الحشد", "والحشد", "للحشد", "الشعبي",
         "بَغْدَاد", "بغداد", "🇸🇾", "👩🏽‍⚕️", "Straße", "STRASSE", "café", "al-Shaabi", "Shaabi"]  # fmt: skip
QUERIES = ["syria", "troops border", '"troops border"', "milit*", "الحشد", "بغداد", "strasse", "shaabi", "al shaabi",
           "damascus iraq", "caf*", '"الحشد الشعبي"', "iraq damascus OR بغداد", "shaabi OR troops border"]  # fmt: skip

texts = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join), min_size=1, max_size=4).map("\n".join)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("import"), texts),
        st.tuples(st.just("tag"), st.integers(0, 50), st.integers(1, 4), st.sampled_from(WORDS)),
        st.tuples(st.just("tag over"), st.integers(0, 50), st.integers(1, 4)),
        st.tuples(st.just("note"), st.integers(0, 50), st.sampled_from(WORDS)),
        st.tuples(st.just("delete"), st.integers(0, 50)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
        st.tuples(st.just("title"), st.integers(0, 50), st.sampled_from(WORDS)),
    ),
    min_size=1,
    max_size=14,
)


def _holds(query, *fields) -> bool:
    """One of the fields holds every term of an alternative (a hit is one field)."""
    return any(f and f.strip() and find_terms(f, list(terms), limit=1) for f in fields for terms in query.alternatives)


def brute_force(path: Path, query: str, on_annotations: bool = False) -> set[tuple]:
    """Every hit, found by reading every live row (no index). With an
    annotation filter (here: any kind), only annotations, by quote, note or
    rationale; without, the text, documents' details, entities, and
    annotations by note, rationale or a quote over paragraphs."""
    terms = parse_query(query)  # a Query: its alternatives, each terms that must all match
    con = sqlite3.connect(path)
    found: set[tuple] = set()
    try:
        rows = con.execute(
            "SELECT a.id, a.exact, a.note, c.likelihood_note FROM annotation a"
            " LEFT JOIN claim c ON c.annotation_id = a.id AND c.deleted = 0 WHERE a.deleted = 0"
        )
        for ann_id, exact, note, rationale in rows:
            quote = exact if on_annotations or "\n" in exact else ""
            if _holds(terms, quote, note, rationale):
                found.add(("annotation", ann_id))
        if on_annotations:
            return found
        for doc_id, text in con.execute("SELECT id, text FROM document WHERE deleted = 0"):
            offset = 0
            for para in text.split("\n"):
                alternative = next((alt for alt in terms.alternatives if find_terms(para, list(alt), limit=1)), None)
                if alternative is not None:  # the first alternative it holds: its first term's matches
                    found.update(("text", doc_id, offset + a, offset + b) for a, b in find_terms(para, list(alternative[:1])))
                offset += len(para) + 1
        for doc_id, *fields in con.execute("SELECT id, title, source, published, description, filename FROM document WHERE deleted = 0"):
            if _holds(terms, *fields):
                found.add(("meta", doc_id))
        for ent_id, name, aliases, note in con.execute("SELECT id, name, aliases, note FROM entity WHERE deleted = 0"):
            if _holds(terms, name, *json.loads(aliases or "[]"), note):
                found.add(("entity", ent_id))
    finally:
        con.close()
    return found


ANY_KIND = SearchFilters(kinds=("actor", "claim", "location", "other"))


def indexed(db, query: str, on_annotations: bool = False) -> set[tuple]:
    with db.repo.read_connection() as conn:
        result = search(conn, db.repo.index, query, ANY_KIND if on_annotations else SearchFilters(), limit=100_000)
    assert not result.truncated
    out: set[tuple] = set()
    for h in result.hits:
        if h.annotation_id:
            out.add(("annotation", h.annotation_id.hex))
        elif h.entity_id:
            out.add(("entity", h.entity_id.hex))
        elif h.where == "text":
            out.add(("text", h.document_id.hex, h.start, h.end))
        else:
            out.add(("meta", h.document_id.hex))
    return out


class Session:
    def __init__(self, path: Path, user: str):
        self.db = open_database(path)
        self.services = services_for(self.db.repo, user)
        self.services.desk.ensure_tagset()
        self.history = History(Operations(self.services))
        self.labels = [lb for lb in self.db.repo.labels() if lb.kind.value in ("actor", "location", "claim")]
        self.docs: list[uuid.UUID] = []
        self.anns: list[uuid.UUID] = []

    def play(self, step) -> None:
        desk = self.services.desk
        kind = step[0]
        if kind == "import":
            outcome = desk.import_document(step[1], f"Report {len(self.docs)}")
            if outcome.document.id not in self.docs:
                self.docs.append(outcome.document.id)
        elif kind == "tag" and self.docs:
            doc = self.docs[step[1] % len(self.docs)]
            text = desk.text(doc)
            start = text.find(step[3])
            if start >= 0:
                label = self.labels[step[2] % len(self.labels)]
                change = self.history.do(Op("add_annotation", {"doc_id": doc, "label_id": label.id, "start": start, "end": start + len(step[3])}))
                self.anns.extend(r.id for r in change.rows if getattr(r, "document_id", None) == doc and hasattr(r, "exact"))
        elif kind == "tag over" and self.docs:  # from the first paragraph's last word into the next paragraph
            doc = self.docs[step[1] % len(self.docs)]
            text = desk.text(doc)
            cut = text.find("\n")
            if cut > 0 and cut + 1 < len(text):
                start, end = text.rfind(" ", 0, cut) + 1, len(text) if text.find(" ", cut) < 0 else text.find(" ", cut)
                label = self.labels[step[2] % len(self.labels)]
                change = self.history.do(Op("add_annotation", {"doc_id": doc, "label_id": label.id, "start": start, "end": end}))
                self.anns.extend(r.id for r in change.rows if getattr(r, "document_id", None) == doc and hasattr(r, "exact"))
        elif kind == "note" and self.anns:
            self.history.do(Op("update_annotation", {"ann_id": self.anns[step[1] % len(self.anns)], "fields": {"note": step[2]}}))
        elif kind == "delete" and self.anns:
            self.history.do(Op("delete_annotations", {"ann_ids": [self.anns[step[1] % len(self.anns)]]}))
        elif kind == "undo" and self.history.can_undo():
            self.history.undo()
        elif kind == "redo" and self.history.can_redo():
            self.history.redo()
        elif kind == "title" and self.docs:
            self.history.do(Op("update_document", {"doc_id": self.docs[step[1] % len(self.docs)], "fields": {"title": step[2]}}))


def _same(db, path: Path) -> None:
    for query in QUERIES:
        assert indexed(db, query) == brute_force(path, query), query
        filtered = brute_force(path, query, True)
        assert indexed(db, query, True) == filtered, query  # few annotations pass: each is checked
        with patch.object(store_search, "FEW", 0):  # many pass: found through their paragraphs and the index
            assert indexed(db, query, True) == filtered, query


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mine=steps, theirs=steps)
def test_the_index_finds_what_a_brute_force_search_finds(tmp_path_factory, mine, theirs):
    folder = tmp_path_factory.mktemp("search")
    a, b = Session(folder / "a.db", "ana"), Session(folder / "b.db", "ben")
    try:
        for step in mine:
            a.play(step)
        _same(a.db, folder / "a.db")
        for step in theirs:
            b.play(step)
        b.db.close()
        apply_merge(a.db, folder / "b.db")
        _same(a.db, folder / "a.db")
    finally:
        a.db.close()


@pytest.fixture
def session(tmp_path):
    s = Session(tmp_path / "desk.db", "ana")
    yield s
    s.db.close()


def test_arabic_harakat_and_proclitics_are_found_at_their_code_points(session):
    text = "قالت مصادر إن 🇸🇾 وللحشدِ الشعبي دوراً في بَغْدَادَ"
    doc = session.services.desk.import_document(text, "تقرير").document
    hits = session.db.repo.search('"الحشد الشعبي"').hits
    assert [(h.start, h.end, text[h.start : h.end]) for h in hits] == [(text.index("لحشدِ"), text.index(" دوراً"), "لحشدِ الشعبي")]
    [hit] = session.db.repo.search("بغداد").hits
    assert text[hit.start : hit.end] == "بَغْدَادَ" and hit.document_id == doc.id


def test_filters_narrow_to_annotations_and_documents(session):
    desk = session.services.desk
    doc = desk.import_document("Syria sent troops to the border.\nDamascus denied it.", "Report").document
    actor = next(lb for lb in session.labels if lb.kind.value == "actor")
    ann, _change = desk.add_annotation(doc.id, actor.id, 0, 5)
    with session.db.repo.read_connection() as conn:
        everything = search(conn, session.db.repo.index, "syria").hits
        actors = search(conn, session.db.repo.index, "syria", SearchFilters(kinds=("actor",))).hits
        claims = search(conn, session.db.repo.index, "syria", SearchFilters(kinds=("claim",))).hits
        listed = search(conn, session.db.repo.index, "", SearchFilters(labels=(actor.name.upper(),))).hits
        later = search(conn, session.db.repo.index, "syria", SearchFilters(date_from="2030")).hits
    assert {h.where for h in everything} == {"text", "name"}  # a quote in one paragraph is the text's hit
    assert [h.annotation_id for h in actors] == [ann.id] and claims == []
    assert [h.annotation_id for h in listed] == [ann.id]
    assert later == []
