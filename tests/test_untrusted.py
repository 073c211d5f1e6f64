"""Someone else's database is untrusted input: damaged, foreign, altered and
newer files are refused with one clear line, before any row is used, and
neither their file nor ours changes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import resource
import signal
import sqlite3
import tempfile
import uuid
from pathlib import Path

import pytest

from annotator.core.errors import StoreError
from annotator.store.database import CURRENT_VERSION
from annotator.store.merge import apply_merge, plan_merge
from annotator.store.sqlite.untrusted import expected_catalogue, open_untrusted, read_untrusted
from tests.merge_helpers import Analyst, base_database, raw_dump, sql
from tests.schema_helpers import file_at_version


@pytest.fixture
def good(tmp_path) -> Path:
    """A sound Annotator database, closed (no WAL), in DELETE journal mode so byte edits stick."""
    path = tmp_path / "theirs.db"
    base_database(path, "bo")
    sql(path, "PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture
def mine(tmp_path):
    a = Analyst(tmp_path / "mine.db", "ana")
    a.desk.ensure_tagset()
    a.doc()
    yield a
    a.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(path: Path, match: str) -> str:
    before = digest(path) if path.is_file() else None
    with pytest.raises(StoreError, match=match) as exc:
        read_untrusted(path)
    message = str(exc.value)
    assert "\n" not in message and str(path) in message
    if before is not None:
        assert digest(path) == before  # their file is never written
        assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    return message


# --- sound files ---------------------------------------------------------------------------


def test_a_sound_file_is_read_and_left_untouched(good):
    before = digest(good)
    theirs = read_untrusted(good)
    assert theirs.version == CURRENT_VERSION
    assert {t: len(r) for t, r in theirs.rows.items()} == {
        "document": 1, "label": 3, "entity": 3, "annotation": 5, "annotation_extra": 0, "claim": 1, "claim_subject": 1,
        "claim_link": 1, "rejected_suggestion": 0,
    }  # fmt: skip
    ann = next(a for a in theirs.rows["annotation"] if a["exact"] == "Syria")
    assert isinstance(ann["id"], uuid.UUID) and ann["created"].utcoffset().total_seconds() == 0 and ann["creator"] == "bo"
    assert digest(good) == before


def test_the_private_copy_is_deleted(good, tmp_path):
    private = tmp_path / "private"
    private.mkdir()
    with open_untrusted(good, tmp_dir=private) as db:
        [folder] = list(private.iterdir())
        assert oct(folder.stat().st_mode & 0o777) == "0o700"
        db.read()
    assert list(private.iterdir()) == []


def test_committed_rows_still_in_their_wal_are_read(tmp_path):
    path = tmp_path / "live.db"
    a = Analyst(path, "bo")  # stays open: its last commits live in the -wal file
    a.desk.ensure_tagset()
    doc = a.doc()
    a.tag(doc.id, "Actor", 0, 5)
    assert Path(f"{path}-wal").stat().st_size > 0
    theirs = read_untrusted(path)
    assert [x["exact"] for x in theirs.rows["annotation"]] == ["Syria"]
    a.close()


def _older(path: Path, version: int) -> None:
    file_at_version(path, version)


def test_a_version_1_file_is_read_and_merged(tmp_path, mine):
    path = tmp_path / "v1.db"
    _older(path, 1)
    doc = mine.repo.get_document(mine.repo.document_ids()[0])
    stamp = "2025-06-21 08:15:00.000000"
    lid, eid, aid = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO document (id, creator, created, modified, deleted, title, text, sha256, source, url, published,"
            " language, direction, filename, description) VALUES (?,'v1',?,?,0,'Old',?,?,'','','','','ltr','','')",
            (uuid.uuid4().hex, stamp, stamp, doc.text, doc.sha256),
        )
        did = con.execute("SELECT id FROM document").fetchone()[0]
        con.execute("INSERT INTO label VALUES (?,'v1',?,?,0,'Actor','actor','#e8743b','','A',0)", (lid.hex, stamp, stamp))
        con.execute("INSERT INTO entity VALUES (?,'v1',?,?,0,'actor','Syria','state','[]','',NULL,NULL,'')", (eid.hex, stamp, stamp))
        con.execute("INSERT INTO annotation VALUES (?,'v1',?,?,0,?,?,0,5,'Syria','','',?,'from v1')",
                    (aid.hex, stamp, stamp, did, lid.hex, eid.hex))  # fmt: skip
    con.close()
    theirs = read_untrusted(path)
    assert theirs.version == 1
    assert theirs.rows["entity"][0]["merged_into"] is None and theirs.rows["claim_subject"] == []
    report = apply_merge(mine.db, path)
    assert report.counts["annotation"].added == 1
    got = mine.repo.get_annotation(aid)
    assert (got.note, got.creator, got.document_id) == ("from v1", "v1", doc.id)
    assert sql(path, "SELECT value FROM schema_info WHERE key='schema_version'") == [("1",)]  # not migrated


def test_a_version_2_file_is_read(tmp_path):
    path = tmp_path / "v2.db"
    _older(path, 2)
    assert read_untrusted(path).version == 2
    assert "merge_conflict" not in expected_catalogue(2) and "merge_conflict" in expected_catalogue(3)


# --- not databases, not ours ------------------------------------------------------------------


def test_missing_file_and_folder(tmp_path):
    refused(tmp_path / "none.db", "no such file")
    refused(tmp_path, "not a database file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    refused(path, "not an SQLite file")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.db"
    path.write_bytes(random.Random(1).randbytes(8192))
    refused(path, "not an SQLite file")


def test_random_bytes_behind_an_sqlite_header(tmp_path):
    path = tmp_path / "noise.db"
    path.write_bytes(b"SQLite format 3\x00" + random.Random(2).randbytes(8192))
    refused(path, "not a database or damaged|damaged")


def test_truncated_file(good):
    data = good.read_bytes()
    assert len(data) > 8192
    good.write_bytes(data[: len(data) // 2])
    refused(good, "damaged")


def test_truncated_to_the_first_page(good):
    good.write_bytes(good.read_bytes()[:4096])
    refused(good, "damaged|not an Annotator")


def test_a_foreign_sqlite_file(tmp_path):
    path = tmp_path / "shop.db"
    sql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    refused(path, "not an Annotator database .it has other tables and no schema_info")


def test_another_applications_schema_info(good):
    sql(good, "UPDATE schema_info SET value = 'otherapp' WHERE key = 'application'")
    refused(good, "names another application")


def test_a_schema_info_table_of_another_shape(tmp_path):
    path = tmp_path / "x.db"
    sql(path, "CREATE TABLE schema_info (key TEXT, value TEXT, extra TEXT)")
    refused(path, "schema_info table is not ours")


def test_a_newer_schema_version(good):
    sql(good, "UPDATE schema_info SET value = '99' WHERE key = 'schema_version'")
    message = refused(good, "newer Annotator")
    assert f"schema 99; this version reads up to {CURRENT_VERSION}" in message


@pytest.mark.parametrize("value", ["", "two", "0", "-1", "1e9", "3 ", "99999999"])
def test_an_unreadable_schema_version(good, value):
    sql(good, "UPDATE schema_info SET value = ? WHERE key = 'schema_version'", value)
    refused(good, "schema version missing or unreadable|newer")


def test_integrity_check_failure(good):
    """A data row changed behind its index's back: the b-trees still parse,
    but ``PRAGMA integrity_check`` finds the row missing from the index."""
    a = Analyst(good, "zed-marker")
    a.tag(a.repo.document_ids()[0], "Actor", 0, 5)
    a.close()
    sql(good, "PRAGMA journal_mode=DELETE")
    page = sql(good, "PRAGMA page_size")[0][0]
    index_root = sql(good, "SELECT rootpage FROM sqlite_master WHERE name = 'ix_annotation_creator'")[0][0]
    data = bytearray(good.read_bytes())
    at = data.find(b"zed-marker")
    while at >= 0 and at // page + 1 == index_root:
        at = data.find(b"zed-marker", at + 1)
    assert at >= 0
    data[at + 9] = ord("X")
    good.write_bytes(bytes(data))
    refused(good, "damaged database file .integrity check: row .* missing from index")


# --- altered files: triggers, views, tables, columns ----------------------------------------------


@pytest.mark.parametrize(
    "plant",
    [
        "CREATE TRIGGER spy AFTER INSERT ON annotation BEGIN DELETE FROM label; END",
        "CREATE TRIGGER t2 BEFORE UPDATE ON label BEGIN SELECT load_extension('/tmp/evil.so'); END",
        "CREATE TRIGGER t3 AFTER DELETE ON document WHEN (SELECT zeroblob(1000000000)) BEGIN SELECT 1; END",
    ],
)
def test_a_planted_trigger(good, plant):
    sql(good, plant)
    refused(good, "refused: the file contains a trigger")


@pytest.mark.parametrize(
    "plant",
    [
        "CREATE VIEW spy AS SELECT * FROM annotation",
        "CREATE VIEW v AS SELECT randomblob(100000000) AS x",
    ],
)
def test_a_planted_view(good, plant):
    sql(good, plant)
    refused(good, "refused: the file contains a view")


def test_a_view_in_place_of_a_table(good):
    sql(good, "DROP TABLE claim_link")
    sql(good, "CREATE VIEW claim_link AS SELECT id, creator, created, modified, deleted, annotation_id AS from_annotation_id,"
              " annotation_id AS to_annotation_id, 'x' AS relation FROM claim")  # fmt: skip
    refused(good, "contains a view")


def test_a_virtual_table(good):
    sql(good, "CREATE VIRTUAL TABLE notes USING fts5(body)")
    refused(good, "not a plain table|not part of an Annotator database")


def test_an_extra_table(good):
    sql(good, "CREATE TABLE exfil (x TEXT)")
    refused(good, "table 'exfil' is not part of an Annotator database")


def test_an_extra_index_with_an_expression(good):
    sql(good, "CREATE INDEX ix_evil ON annotation (lower(exact))")
    refused(good, "index 'ix_evil' is not part of an Annotator database")


def test_a_missing_table(good):
    sql(good, "DROP TABLE claim_link")
    refused(good, "table claim_link is missing")


def test_an_extra_column(good):
    sql(good, "ALTER TABLE annotation ADD COLUMN payload TEXT")
    refused(good, "the columns of table annotation are not those of schema")


def test_a_missing_column(good):
    sql(good, "ALTER TABLE annotation DROP COLUMN note")
    refused(good, "the columns of table annotation are not those of schema")


def test_a_generated_column(good):
    sql(good, "ALTER TABLE label ADD COLUMN g TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL")
    refused(good, "the columns of table label")


def test_a_dropped_index(good):
    sql(good, "DROP INDEX ix_annotation_creator")
    refused(good, "the indexes of table annotation")


def test_an_index_made_partial(good):
    sql(good, "DROP INDEX ix_annotation_creator")
    sql(good, "CREATE INDEX ix_annotation_creator ON annotation (creator) WHERE deleted = 0")
    refused(good, "the indexes of table annotation")


# --- bad values ----------------------------------------------------------------------------------


def _fk_off(path: Path, statement: str, *params) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        with con:
            con.execute(statement, params)
    finally:
        con.close()


def test_a_dangling_reference(good):
    _fk_off(good, "UPDATE annotation SET entity_id = ? WHERE exact = 'Syria'", uuid.uuid4().hex)
    refused(good, "refers to a missing entity row")


@pytest.mark.parametrize(
    ("statement", "match"),
    [
        ("UPDATE annotation SET start = 5000, \"end\" = 5005 WHERE exact = 'Syria'", "outside its document"),
        ("UPDATE annotation SET \"end\" = start WHERE exact = 'Syria'", "outside its document"),
        ("UPDATE annotation SET start = -1 WHERE exact = 'Syria'", "outside its document"),
        ("UPDATE annotation SET exact = 'Iraq!' WHERE exact = 'Syria'", "its quote is not the text"),
        ("UPDATE annotation SET start = 'zero' WHERE exact = 'Syria'", "start is not an integer"),
        ("UPDATE annotation SET start = 1.5 WHERE exact = 'Syria'", "start is not an integer"),
        ("UPDATE annotation SET id = 'not-a-uuid' WHERE exact = 'Syria'", "id is not a UUID"),
        ("UPDATE annotation SET id = upper(id) WHERE exact = 'Syria'", "id is not a UUID"),
        ("UPDATE annotation SET created = 'yesterday' WHERE exact = 'Syria'", "created is not a time"),
        ("UPDATE annotation SET created = '2025-02-30 10:00:00.000000' WHERE exact = 'Syria'", "created is not a time"),
        ("UPDATE annotation SET deleted = 7 WHERE exact = 'Syria'", "deleted is not 0 or 1"),
        ("UPDATE annotation SET note = x'00ff' WHERE exact = 'Syria'", "note is not text"),
        ("UPDATE document SET text = 'something else'", "does not match its SHA-256"),
        ("UPDATE document SET direction = 'up'", "direction 'up' is unknown"),
        ("UPDATE label SET kind = 'weapon' WHERE name = 'Actor'", "kind 'weapon' is unknown"),
        ("UPDATE entity SET aliases = '{\"a\": 1}'", "aliases is not a list of names"),
        ("UPDATE entity SET aliases = 'not json'", "aliases is not JSON"),
        ("UPDATE entity SET latitude = 1e999", "latitude is not a finite number"),
        ("UPDATE annotation SET fragments = '[[0, 2], [1, 5]]' WHERE exact = 'Syria'", "fragments are not ordered pieces"),
        ("UPDATE annotation SET fragments = '[[0, 5]]' WHERE exact = 'Syria'", "fragments are not ordered pieces"),
        ("UPDATE annotation SET fragments = '[[0, 2], [3, 9]]' WHERE exact = 'Syria'", "fragments are not ordered pieces"),
        ("UPDATE annotation SET fragments = '[[0, \"2\"], [3, 5]]' WHERE exact = 'Syria'", "not a list of .start, end. pairs"),
        ("UPDATE annotation SET fragments = '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' WHERE exact = 'Syria'", "fragments is not JSON"),
    ],
)
def test_bad_values_are_refused(good, statement, match):
    _fk_off(good, statement)
    refused(good, match)


def _extra(path: Path, kind: str, value: str, annotation: str | None = None) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        ann = annotation or con.execute("SELECT id FROM annotation LIMIT 1").fetchone()[0]
        stamp = "2025-06-21 08:15:00.000000"
        with con:
            con.execute("INSERT INTO annotation_extra VALUES (?, 'bo', ?, ?, 0, ?, ?, 'x', ?)",
                        (uuid.uuid4().hex, stamp, stamp, ann, kind, value))  # fmt: skip
    finally:
        con.close()


def test_sound_extras_and_fragments_are_read(good):
    _extra(good, "attribute", '{"Negated": true}')
    _fk_off(good, "UPDATE annotation SET fragments = '[[0, 2], [3, 5]]' WHERE exact = 'Syria'")
    theirs = read_untrusted(good)
    assert theirs.rows["annotation_extra"][0]["value"] == {"Negated": True}
    assert [a["fragments"] for a in theirs.rows["annotation"] if a["exact"] == "Syria"] == [[[0, 2], [3, 5]]]


@pytest.mark.parametrize(
    ("kind", "value", "annotation", "match"),
    [
        ("attribute", "[1, 2]", None, "value is not a JSON object"),
        ("spell", "{}", None, "kind 'spell' is unknown"),
        ("attribute", "{}", uuid.uuid4().hex, "refers to a missing annotation row"),
    ],
)
def test_bad_extras(good, kind, value, annotation, match):
    _extra(good, kind, value, annotation)
    refused(good, match)


def test_invalid_utf8_text(good):
    _fk_off(good, "UPDATE annotation SET note = CAST(x'c328' AS TEXT) WHERE exact = 'Syria'")
    refused(good, "damaged")


# --- a refused file changes nothing on our side ----------------------------------------------------


def test_merging_a_hostile_file_leaves_our_database_as_it_was(good, mine):
    sql(good, "CREATE TRIGGER spy AFTER INSERT ON annotation BEGIN DELETE FROM label; END")
    before = raw_dump(mine.path)
    with pytest.raises(StoreError, match="trigger"):
        plan_merge(mine.db, good)
    with pytest.raises(StoreError, match="trigger"):
        apply_merge(mine.db, good)
    assert raw_dump(mine.path) == before


def test_no_private_copies_are_left_behind(good, monkeypatch, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    sql(good, "CREATE VIEW spy AS SELECT 1")
    with pytest.raises(StoreError):
        read_untrusted(good)
    assert list(scratch.iterdir()) == []


def test_merging_our_own_open_database_into_itself_changes_nothing(mine):
    mine.tag(mine.repo.document_ids()[0], "Actor", 0, 5)  # the last commit is still in our -wal
    before = raw_dump(mine.path)
    report = apply_merge(mine.db, mine.path)
    assert report.total.changes() == 0 and report.total.unchanged > 0
    assert raw_dump(mine.path) == before


# --- sizes: checked before anything is copied, and what is copied is what SQLite reads -----------------

MB = 1024 * 1024
CAP = 16 * MB


@contextlib.contextmanager
def capped_writes():
    """Any file this process writes past 16 MB fails (EFBIG) instead of filling the disk."""
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (CAP, limit[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
        signal.signal(signal.SIGXFSZ, handler)


def on_disk(folder: Path) -> int:
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())


def test_a_sparse_4_gb_file_is_refused_before_anything_is_copied(good, tmp_path):
    os.truncate(good, 4096 * MB)  # a real database's header, then 4 GB that take no room on their disk
    private = tmp_path / "private"
    private.mkdir()
    with capped_writes(), pytest.raises(StoreError) as exc:
        read_untrusted(good, tmp_dir=private)
    assert str(exc.value) == (
        f"{good}: refused: the file is 4096 MB, more than the 1024 MB limit for a database to merge "
        "(nothing was copied); ask its sender to share fewer documents (annotator share)"
    )
    assert list(private.iterdir()) == [] and good.stat().st_blocks * 512 < MB


def test_only_the_pages_sqlite_reads_are_copied(good, tmp_path):
    pages = sql(good, "PRAGMA page_count")[0][0] * sql(good, "PRAGMA page_size")[0][0]
    os.truncate(good, 300 * MB)  # SQLite reads the pages its header counts, not what follows
    private = tmp_path / "private"
    private.mkdir()
    with capped_writes(), open_untrusted(good, tmp_dir=private) as db:
        [copy] = private.glob("*/theirs.db")
        assert copy.stat().st_size == pages and on_disk(private) < 2 * MB
        theirs = db.read()
    assert len(theirs.rows["annotation"]) == 5


def test_a_sparse_wal_is_refused_before_it_is_copied(good, tmp_path):
    wal = Path(f"{good}-wal")
    wal.touch()
    os.truncate(wal, 2048 * MB)
    private = tmp_path / "private"
    private.mkdir()
    wording = r"refused: with its -wal, it holds 20\d\d MB, more than the 1024 MB limit"
    with capped_writes(), pytest.raises(StoreError, match=wording):
        read_untrusted(good, tmp_dir=private)
    assert list(private.iterdir()) == []


def test_a_header_whose_page_count_is_stale_is_read_by_the_file_size(good):
    data = bytearray(good.read_bytes())
    data[92:96] = (int.from_bytes(data[24:28], "big") + 1).to_bytes(4, "big")  # version-valid-for != change counter
    data[28:32] = (1).to_bytes(4, "big")  # so this page count is not to be believed
    good.write_bytes(bytes(data))
    assert len(read_untrusted(good).rows["annotation"]) == 5


def test_a_document_over_the_import_limit_is_refused(good, tmp_path):
    text = "a" * (65 * MB)
    stamp = "2025-06-21 08:15:00.000000"
    sql(good, "INSERT INTO document (id, creator, created, modified, deleted, title, text, sha256, source, url, published,"
              " language, direction, filename, description) VALUES (?, 'bo', ?, ?, 0, 'Huge', ?, ?, '', '', '', '', 'ltr', '', '')",
        uuid.uuid4().hex, stamp, stamp, text, hashlib.sha256(text.encode()).hexdigest())  # fmt: skip
    try:
        with pytest.raises(StoreError, match=r": refused: document '[0-9a-f]{32}' holds 65 MB of text, more than the "
                                             r"64 MB limit of an imported document"):  # fmt: skip
            read_untrusted(good, tmp_dir=tmp_path)
        assert [p for p in tmp_path.iterdir() if p.name.startswith("annotator-merge-")] == []
    finally:
        good.unlink()  # 65 MB: not left for pytest to keep


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Act\x00or", "a NUL character"),
        ("Act\x1b]0;pwned\x07or", r"a control character \(U\+001B\)"),  # an escape that retitles a terminal
        ("Actor\n", r"a control character \(U\+000A\)"),
    ],
)
def test_a_label_name_with_a_control_character_is_refused(good, name, what):
    sql(good, "UPDATE label SET name = ? WHERE name = 'Actor'", name)
    refused(good, rf"damaged Annotator database: label [0-9a-f-]{{36}}: name .+ contains {what}")
