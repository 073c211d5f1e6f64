"""The SQLite store: creating, reopening, refusing foreign files, tombstones."""

import sqlite3
import uuid

import pytest
from sqlalchemy.exc import IntegrityError

from annotator.core.errors import NotFound, StoreError
from annotator.core.model import Annotation
from annotator.core.services import Desk
from annotator.store.database import CURRENT_VERSION, inspect_version, open_database
from annotator.store.sqlite import search_index

TABLES = ("document", "label", "entity", "annotation", "claim")


@pytest.fixture
def db(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield db
    db.close()


def _sql(path, query, *params):
    con = sqlite3.connect(path)
    try:
        with con:
            return con.execute(query, params).fetchall()
    finally:
        con.close()


def test_creates_a_versioned_database(tmp_path):
    path = tmp_path / "new" / "a.db"
    db = open_database(path)
    db.close()
    assert path.exists() and db.version == CURRENT_VERSION
    assert inspect_version(path) == CURRENT_VERSION
    assert dict(_sql(path, "SELECT key, value FROM schema_info")) == {
        "application": "annotator",
        "schema_version": str(CURRENT_VERSION),
        "search_format": search_index.FORMAT,
    }


def test_reopening_is_idempotent(tmp_path):
    path = tmp_path / "a.db"
    db = open_database(path)
    doc = Desk(db.repo, "ana").import_document("Some text.", "T").document
    db.close()
    before = _sql(path, "SELECT * FROM schema_info ORDER BY key")
    for _ in range(2):
        db = open_database(path, create=False)
        assert db.version == CURRENT_VERSION
        assert db.repo.get_document(doc.id).text == "Some text."
        db.close()
    assert _sql(path, "SELECT * FROM schema_info ORDER BY key") == before


def test_missing_file_without_create(tmp_path):
    with pytest.raises(StoreError, match="no such database"):
        open_database(tmp_path / "none.db", create=False)


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    _sql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(StoreError, match="not an Annotator database"):
        open_database(path)
    assert [r[0] for r in _sql(path, "SELECT name FROM sqlite_master WHERE type='table'")] == ["customers"]


def test_other_application_schema_info_is_refused(tmp_path):
    path = tmp_path / "other.db"
    _sql(path, "CREATE TABLE schema_info (key TEXT PRIMARY KEY, value TEXT)")
    _sql(path, "INSERT INTO schema_info VALUES ('application', 'something-else')")
    with pytest.raises(StoreError, match="another application"):
        open_database(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "a.db"
    open_database(path).close()
    _sql(path, "UPDATE schema_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer Annotator") as exc:
        open_database(path)
    assert str(path) in str(exc.value) and "\n" not in str(exc.value)


def test_non_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n")
    with pytest.raises(StoreError, match="not an SQLite file"):
        open_database(path)
    assert path.read_text() == "just some notes\n"
    with pytest.raises(StoreError, match="folder"):
        open_database(tmp_path)


def _annotated(db):
    desk = Desk(db.repo, "ana")
    labels = desk.ensure_tagset()
    doc = desk.import_document("Officials in Damascus said so.", "T").document
    ann, _ = desk.add_annotation(doc.id, labels[0].id, 0, 9)
    return desk, doc, ann


def test_tombstones_keep_the_row(db):
    desk, doc, ann = _annotated(db)
    desk.delete_annotation(ann.id)
    assert list(db.repo.annotations(doc.id)) == []
    [dead] = list(db.repo.annotations(doc.id, include_deleted=True))
    assert dead.id == ann.id and dead.deleted and dead.modified >= ann.modified
    assert db.repo.get_annotation(ann.id).deleted
    desk.restore_annotation(ann.id)
    [alive] = list(db.repo.annotations(doc.id))
    assert alive.id == ann.id and not alive.deleted and alive.exact == "Officials"


def test_every_row_has_uuid_creator_and_times(db, tmp_path):
    _annotated(db)
    for table in TABLES:
        rows = _sql(db.path, f"SELECT id, creator, created, modified, deleted FROM {table}")
        if table != "claim":
            assert rows, table
        for rid, creator, created, modified, deleted in rows:
            uuid.UUID(str(rid))
            assert creator == "ana" and created and modified and deleted in (0, False)


def test_times_come_back_aware_utc(db):
    _, doc, ann = _annotated(db)
    stored = db.repo.get_annotation(ann.id)
    assert stored.created.utcoffset().total_seconds() == 0
    assert stored.created == ann.created  # microseconds kept


def test_wal_and_foreign_keys_are_on(db):
    assert _sql(db.path, "PRAGMA journal_mode")[0][0] == "wal"
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with pytest.raises(StoreError, match="FOREIGN KEY constraint failed") as err:  # the store's own error
        with db.repo.transaction():
            db.repo.add_annotations(
                [Annotation(document_id=uuid.uuid4(), label_id=uuid.uuid4(), start=0, end=1, exact="x")]
            )
    assert isinstance(err.value.__cause__, IntegrityError)


def test_not_found_is_a_clear_error(db):
    with pytest.raises(NotFound, match="no document"):
        db.repo.get_document(uuid.uuid4())


def test_integrity_check_of_a_sound_file(db):
    assert db.integrity_problems() == []


def test_the_canonical_text_cannot_be_rewritten(db):
    from dataclasses import replace

    desk, doc, _ann = _annotated(db)
    with db.repo.transaction():
        db.repo.update_document(replace(doc, title="New title", text="Something else entirely.", sha256="0" * 64))
    again = db.repo.get_document(doc.id)
    assert again.title == "New title"  # metadata is written
    assert (again.text, again.sha256) == (doc.text, doc.sha256)  # the text and its hash are not


def test_a_read_never_waits_for_another_connections_write(tmp_path):
    """A long write in one connection (another process's import, say) does not
    hold up reads elsewhere: they see the last committed state at once."""
    import threading

    writer_db, reader_db = open_database(tmp_path / "a.db"), None
    try:
        desk = Desk(writer_db.repo, "ana")
        doc = desk.import_document("Officials in Damascus said so.", "Before").document
        reader_db = open_database(tmp_path / "a.db")
        writing, read_done, seen = threading.Event(), threading.Event(), []

        def read():
            writing.wait(10)
            seen.append(reader_db.repo.get_document(doc.id).title)
            read_done.set()

        reader = threading.Thread(target=read)
        reader.start()
        with writer_db.repo.transaction():
            desk.set_title(doc.id, "After")
            writing.set()
            read_done.wait(10)  # the write stays open until the read is done (or 10 s)
        reader.join()
        assert read_done.is_set() and seen == ["Before"]
        assert reader_db.repo.get_document(doc.id).title == "After"
    finally:
        writer_db.close()
        if reader_db is not None:
            reader_db.close()
