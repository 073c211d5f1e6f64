"""The bulk write path of an import: rows stored in one executemany each
(annotations, new entities) store exactly what a plain SQLAlchemy insert
stores; new entities are batched before their mentions (one INSERT); the
fast grapheme check agrees with the full one."""

import random
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from annotator.core import offsets
from annotator.core.model import Annotation, Entity, LabelKind
from annotator.core.services import AnnotationDraft, ClaimDraft, Desk, EntityRef
from annotator.store.database import open_database
from annotator.store.repository import A, E
from annotator.store.rows import column_values


def _raw(path, table):
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall())
    finally:
        conn.close()


def _rows(doc_id, label_id, entity_id):
    east = timezone(timedelta(hours=3))
    shared = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        Annotation(document_id=doc_id, label_id=label_id, start=0, end=4, exact="Offi", creator="a"),
        Annotation(document_id=doc_id, label_id=label_id, start=1, end=9, exact="fficials", prefix="O", suffix=" said",
                   entity_id=entity_id, note="n", created=shared, modified=shared),
        Annotation(document_id=doc_id, label_id=label_id, start=0, end=9, exact="Officials", deleted=True,
                   created=datetime(2026, 1, 1, 3, tzinfo=east), modified=datetime(2026, 1, 1, 3, tzinfo=east),
                   fragments=[(0, 2), (5, 9)]),
        Annotation(document_id=doc_id, label_id=label_id, start=2, end=3, exact="f", created=shared, modified=shared,
                   fragments=[(2, 3), (3, 3)]),
    ]  # fmt: skip


def _entities():
    return [
        Entity(kind=LabelKind.ACTOR, name="Syria", aliases=["SY", "Sūriya"], latitude=-0.0, longitude=38.5, country_code="SY"),
        Entity(kind=LabelKind.LOCATION, name="Palmyra", merged_into=uuid.uuid4(), deleted=True, note="x"),
        Entity(kind=LabelKind.ACTOR, name="Bo", latitude=0.0),
    ]


@pytest.fixture
def two(tmp_path):
    """Two databases holding the same document, label and entity ids."""
    dbs = []
    doc_id, ent_id = uuid.uuid4(), uuid.uuid4()
    for name in ("bulk", "core"):
        db = open_database(tmp_path / f"{name}.db")
        desk = Desk(db.repo, "rana")
        label = desk.ensure_tagset()[0]
        desk.import_document("Officials said so.\n", "t", doc_id=doc_id)
        with db.repo.transaction():
            when = datetime(2025, 1, 1, tzinfo=UTC)
            db.repo.add_entity(Entity(id=ent_id, kind=LabelKind.ACTOR, name="x", created=when, modified=when))
        dbs.append((db, label))
    yield dbs, doc_id, ent_id
    for db, _ in dbs:
        db.close()


def test_bulk_rows_are_stored_as_a_plain_insert_stores_them(two):
    (bulk, label_b), (core, label_c), doc_id, ent_id = *two[0], two[1], two[2]
    assert label_b.name == label_c.name
    anns = _rows(doc_id, label_b.id, ent_id)
    ents = _entities()
    with bulk.repo.transaction():
        bulk.repo.add_entities(ents)
        bulk.repo.add_annotations(anns)
    with core.engine.begin() as conn:  # SQLAlchemy Core, one row at a time, as before
        for e in ents:
            conn.execute(E.insert().values(**column_values(e)))
        for a in anns:
            a = Annotation(**{**column_values(a), "label_id": label_c.id})
            conn.execute(A.insert().values(**column_values(a)))
    label_hex = {label_b.id.hex: "L", label_c.id.hex: "L"}

    def same_label(rows):
        return sorted(tuple(label_hex.get(v, v) for v in r) for r in rows)

    assert same_label(_raw(bulk.path, "annotation")) == same_label(_raw(core.path, "annotation"))
    assert _raw(bulk.path, "entity") == _raw(core.path, "entity")
    assert [bulk.repo.get_annotation(a.id) for a in anns] == anns  # and read back as they were
    assert bulk.repo.get_entity(ents[0].id) == ents[0]


def test_a_naive_time_is_refused_as_before(two):
    (bulk, label), _, doc_id, _ = *two[0], two[1], two[2]
    ann = Annotation(document_id=doc_id, label_id=label.id, start=0, end=4, exact="Offi", created=datetime(2026, 1, 1))
    with pytest.raises(Exception, match="naive datetime"), bulk.repo.transaction():
        bulk.repo.add_annotations([ann])
    assert _raw(bulk.path, "annotation") == []


def test_new_entities_are_stored_in_one_batch_before_their_mentions(tmp_path):
    names = [f"Name{i:04d}x" for i in range(300)]
    text = " ".join(names) + " name0000X again.\n"
    db = open_database(tmp_path / "x.db")
    desk = Desk(db.repo, "rana")
    desk.ensure_tagset()
    doc = desk.import_document(text, "t").document
    drafts, pos = [], 0
    for n in names:
        drafts.append(AnnotationDraft(label="Actor", start=pos, end=pos + len(n)))
        pos += len(n) + 1
    drafts.append(AnnotationDraft(label="Actor", start=pos, end=pos + len("name0000X")))  # the same entity
    # a claim whose source is named only: made after the annotations are stored
    claim = ClaimDraft(source=EntityRef(name="A source nobody tagged"))
    drafts.append(AnnotationDraft(label="Claim", start=0, end=len(text) - 1, claim=claim))
    inserts = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO entity"):
            inserts.append(len(parameters) if executemany else 1)

    report = desk.import_annotations(doc.id, drafts)
    assert len(report.added) == 302 and not report.orphans
    assert inserts == [300, 1]  # the mentions' entities in one batch; the claim's source after
    anns = {a.exact: a for a in db.repo.annotations(doc.id)}
    assert anns["Name0000x"].entity_id is not None and anns["name0000X"].entity_id == anns["Name0000x"].entity_id
    assert all(anns[n].entity_id is not None for n in names)
    entities = db.repo.entities()
    assert len(entities) == 301 and {e.name for e in entities} >= {"Name0299x", "A source nobody tagged"}
    source = db.repo.claim_for(anns[text[:-1]].id).source_entity_id
    assert db.repo.get_entity(source).name == "A source nobody tagged"
    db.close()


def test_the_ascii_shortcut_agrees_with_grapheme_clusters():
    pieces = ["a", "B", " ", "\n", "\r\n", "\r", "e\u0301", "🇸🇾", "👨‍👩‍👧", "ال", "\u200d", "\u0301", "x\u0308",
              "각", "\u1100\u1161", "😀", "\t", ".", "\x01", "\u0600", "क्ष"]  # fmt: skip
    rnd = random.Random(7)
    for _ in range(1500):
        t = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 10)))
        for s in range(len(t) + 1):
            for e in range(s, len(t) + 1):
                assert offsets.is_grapheme_aligned(t, s, e) == (offsets.grapheme_bounds(t, s, e) == (s, e)), (t, s, e)
