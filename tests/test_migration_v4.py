"""Schema 4: annotation.fragments and the annotation_extra table."""

import sqlite3
import uuid

from annotator.core.model import Label, LabelKind
from annotator.store.database import CURRENT_VERSION, inspect_version, open_database
from tests.schema_helpers import file_at_version


def _schema(path):
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    finally:
        con.close()


def _build(path, version):
    file_at_version(path, version)


def test_v1_step_keeps_foreign_keys_and_table_indexes_of_tables_that_later_gain_columns(tmp_path):
    path = tmp_path / "v1.db"
    _build(path, 1)
    con = sqlite3.connect(path)
    try:
        indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='annotation'")}
        fks = {r[3] for r in con.execute("PRAGMA foreign_key_list(annotation)")}
        cols = [r[1] for r in con.execute("PRAGMA table_info(annotation)")]
    finally:
        con.close()
    assert "ix_annotation_document_start" in indexes
    assert fks == {"document_id", "label_id", "entity_id"}
    assert "fragments" not in cols


def test_v3_file_with_an_annotation_gains_fragments_and_extras(tmp_path):
    path = tmp_path / "v3.db"
    _build(path, 3)
    doc_id, label_id, ann_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    stamp = "2025-06-21 08:15:00.000000"
    con = sqlite3.connect(path)
    with con:
        row = ("v3", stamp, stamp, 0)
        con.execute(
            "INSERT INTO document (id, creator, created, modified, deleted, title, text, sha256, source, url, published,"
            " language, direction, filename, description) VALUES (?,?,?,?,?,'Old','This is a test.',?,'','','','','ltr','','')",
            (doc_id.hex, *row, "x" * 64),
        )
        con.execute(
            "INSERT INTO label (id, creator, created, modified, deleted, name, kind, color, description, shortcut, position)"
            " VALUES (?,?,?,?,?,'Token','other','#888888','','',0)",
            (label_id.hex, *row),
        )
        con.execute(
            "INSERT INTO annotation (id, creator, created, modified, deleted, document_id, label_id, start, \"end\", exact,"
            " prefix, suffix, entity_id, note) VALUES (?,?,?,?,?,?,?,0,4,'This','',' is a test.',NULL,'')",
            (ann_id.hex, *row, doc_id.hex, label_id.hex),
        )
    con.close()
    db = open_database(path, create=False)
    try:
        assert db.version == CURRENT_VERSION >= 4
        [ann] = db.repo.annotations(doc_id)
        assert ann.fragments is None
    finally:
        db.close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT fragments FROM annotation").fetchone() == (None,)  # SQL NULL, not JSON null
        assert con.execute("SELECT count(*) FROM annotation_extra").fetchone() == (0,)
    finally:
        con.close()
    new = tmp_path / "new.db"
    open_database(new).close()
    assert _schema(path) == _schema(new)
    assert inspect_version(path) == CURRENT_VERSION


def test_fragments_and_extras_round_trip_through_the_repository(tmp_path):
    from annotator.core.model import Annotation, AnnotationExtra
    from annotator.core.services import Desk

    db = open_database(tmp_path / "a.db")
    try:
        desk = Desk(db.repo, "ana")
        doc = desk.import_document("This is\na test.", "T").document
        label = Label(name="Token", kind=LabelKind.OTHER, color="#888888")
        with db.repo.transaction():
            db.repo.add_label(label)
            ann = Annotation(document_id=doc.id, label_id=label.id, start=5, end=9, exact="is\na", fragments=[(5, 7), (8, 9)])
            plain = Annotation(document_id=doc.id, label_id=label.id, start=10, end=14, exact="test")
            db.repo.add_annotations([ann, plain])
            extra = AnnotationExtra(annotation_id=ann.id, kind="attribute", name="Negated", value={"value": True})
            db.repo.add_annotation_extras([extra])
        got = db.repo.get_annotation(ann.id)
        assert got.fragments == [(5, 7), (8, 9)]
        assert db.repo.get_annotation(plain.id).fragments is None
        assert db.repo.annotation_fragments(doc.id) == {ann.id: [(5, 7), (8, 9)]}
        [back] = db.repo.annotation_extras(doc.id)
        assert (back.id, back.annotation_id, back.kind, back.name, back.value) == (
            extra.id, ann.id, "attribute", "Negated", {"value": True}
        )
    finally:
        db.close()
