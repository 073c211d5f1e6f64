"""Schema migrations: a version 1 file with data upgrades in place."""

import sqlite3
import uuid

from sqlalchemy import inspect

from annotator.core.model import Claim, ClaimLink, ClaimSubject, LabelKind
from annotator.core.services import Desk
from annotator.store.sqlite import engine as store_sqlite
from annotator.store.database import CURRENT_VERSION, inspect_version, open_database
from annotator.store.migrations import _set_version, _v1_initial
from tests.schema_helpers import file_at_version

TEXT = "Syria has sent 3,000 troops to the border with Iraq, officials in Damascus said."


def _columns(path, table):
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
    finally:
        con.close()


def _build_v1(path):
    """A database as version 1 wrote it: the v1 step only, stamped version 1."""
    engine = store_sqlite.make_engine(path)
    with engine.begin() as conn:
        _v1_initial(conn)
        _set_version(conn, 1)
    engine.dispose()


def test_v1_step_makes_the_v1_schema(tmp_path):
    path = tmp_path / "v1.db"
    _build_v1(path)
    assert inspect_version(path) == 1
    engine = store_sqlite.make_engine(path, readonly=True)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert tables == {"schema_info", "document", "label", "entity", "annotation", "claim"}
    assert "merged_into" not in _columns(path, "entity")


def test_v1_file_with_data_is_migrated_in_place(tmp_path):
    path = tmp_path / "v1.db"
    _build_v1(path)
    # Fill it through the v1 columns only (raw SQL, as a v1 program would have).
    doc_id, label_id, ent_id, ann_id, claim_id = (uuid.uuid4() for _ in range(5))
    con = sqlite3.connect(path)
    stamp = "2025-06-21 08:15:00.000000"
    with con:
        row = ("v1", stamp, stamp, 0)
        con.execute(
            "INSERT INTO document (id, creator, created, modified, deleted, title, text, sha256, source, url, published,"
            " language, direction, filename, description) VALUES (?,?,?,?,?,?,?,?,'','','','','ltr','','')",
            (doc_id.hex, *row, "Old", TEXT, "x" * 64),
        )
        con.execute(
            "INSERT INTO label (id, creator, created, modified, deleted, name, kind, color, description, shortcut, position)"
            " VALUES (?,?,?,?,?,'Actor','actor','#e8743b','','A',0)",
            (label_id.hex, *row),
        )
        con.execute(
            "INSERT INTO entity (id, creator, created, modified, deleted, kind, name, type, aliases, note, latitude,"
            " longitude, country_code) VALUES (?,?,?,?,?,'actor','Syria','state','[\"Damascus\"]','',NULL,NULL,'')",
            (ent_id.hex, *row),
        )
        con.execute(
            "INSERT INTO annotation (id, creator, created, modified, deleted, document_id, label_id, start, \"end\", exact,"
            " prefix, suffix, entity_id, note) VALUES (?,?,?,?,?,?,?,0,5,'Syria','','',?,'')",
            (ann_id.hex, *row, doc_id.hex, label_id.hex, ent_id.hex),
        )
        con.execute(
            "INSERT INTO claim (id, creator, created, modified, deleted, annotation_id, source_entity_id,"
            " source_annotation_id, reliability, credibility, likelihood, stance, likelihood_note)"
            " VALUES (?,?,?,?,?,?,?,NULL,'B','2','likely','reported','')",
            (claim_id.hex, *row, ann_id.hex, ent_id.hex),
        )
    con.close()

    db = open_database(path, create=False)
    try:
        assert db.version == CURRENT_VERSION
        assert inspect_version(path) == CURRENT_VERSION
        repo = db.repo
        assert repo.get_document(doc_id).text == TEXT
        entity = repo.get_entity(ent_id)
        assert (entity.name, entity.kind, entity.aliases, entity.merged_into) == ("Syria", LabelKind.ACTOR, ["Damascus"], None)
        [ann] = repo.annotations(doc_id)
        assert (ann.id, ann.exact, ann.entity_id, ann.creator) == (ann_id, "Syria", ent_id, "v1")
        claim = repo.claim_for(ann_id)
        assert (claim.id, claim.grading, claim.stance, claim.source_entity_id) == (claim_id, "B2", "reported", ent_id)
        # The new tables and column work on the migrated file.
        desk = Desk(repo, "ana")
        other, _ = desk.add_annotation(doc_id, label_id, 50, 58)
        with repo.transaction():
            repo.put_claim(Claim(annotation_id=other.id))
            repo.put_claim_subject(ClaimSubject(claim_annotation_id=ann_id, entity_id=ent_id))
            repo.put_claim_link(ClaimLink(from_annotation_id=ann_id, to_annotation_id=other.id, relation="contradicts"))
        assert [s.entity_id for s in repo.claim_subjects(ann_id)] == [ent_id]
        assert [link.relation for link in repo.claim_links(other.id)] == ["contradicts"]
    finally:
        db.close()
    assert _columns(path, "entity")[-2:] == ["merged_into", "kept"]  # added by ALTER TABLE, in order
    # Opening again changes nothing.
    db = open_database(path, create=False)
    assert db.version == CURRENT_VERSION
    db.close()


def test_new_database_has_the_same_schema_as_a_migrated_one(tmp_path):
    old = tmp_path / "old.db"
    _build_v1(old)
    open_database(old).close()
    new = tmp_path / "new.db"
    open_database(new).close()
    for table in ("entity", "claim_subject", "claim_link", "annotation", "claim", "merge_conflict", "rejected_suggestion"):
        assert _columns(old, table) == _columns(new, table), table


def test_v2_file_gains_the_merge_conflict_table(tmp_path):

    path = tmp_path / "v2.db"
    file_at_version(path, 2)
    assert inspect_version(path) == 2
    open_database(path).close()
    assert inspect_version(path) == CURRENT_VERSION
    assert _columns(path, "merge_conflict")[:5] == ["id", "creator", "created", "modified", "deleted"]


def test_an_older_version_expects_no_index_a_later_step_adds():
    """A file version 5 or 6 wrote has no index a later version added, so the
    schema check must not expect one (a real version-6 file was refused once:
    version 1 made today's claim indexes)."""
    from annotator.store.sqlite.schema_check import expected_catalogue

    claim = {v: set(expected_catalogue(v)["claim"]["indexes"]) for v in (5, 6, 7)}
    assert "ix_claim_source_entity_id" not in claim[5] and "ix_claim_source_entity_id" in claim[6]
    assert "ix_claim_grading" not in claim[6] and "ix_claim_grading" in claim[7]
    assert "ix_document_published" not in expected_catalogue(6)["document"]["indexes"]
    assert "ix_document_published" in expected_catalogue(7)["document"]["indexes"]
    assert "ix_annotation_counts" not in expected_catalogue(6)["annotation"]["indexes"]
    assert "search_entry" not in expected_catalogue(6) and "search_fts" in expected_catalogue(7)
    assert "rejected_suggestion" not in expected_catalogue(7)
    assert "ix_rejected_suggestion_document" in expected_catalogue(8)["rejected_suggestion"]["indexes"]


def _schema(path):
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    finally:
        con.close()


def test_v7_file_with_data_gains_rejected_suggestions(tmp_path):
    from annotator.core.model import RejectedSuggestion
    from annotator.store.sqlite.schema_check import check_for_work

    path = tmp_path / "v7.db"
    file_at_version(path, 7)
    old = open_database(tmp_path / "fill.db")  # rows written as version 7 would: through the tables it has
    try:
        desk = Desk(old.repo, "v7")
        desk.ensure_tagset()
        doc = desk.import_document(TEXT, "Old").document
        label = next(lb for lb in old.repo.labels() if lb.name == "Location")
    finally:
        old.close()
    con = sqlite3.connect(path)
    try:
        con.execute("ATTACH DATABASE ? AS fill", (str(tmp_path / "fill.db"),))
        with con:
            for table in ("document", "label"):
                con.execute(f"INSERT INTO {table} SELECT * FROM fill.{table}")
        con.execute("DETACH DATABASE fill")
    finally:
        con.close()
    assert inspect_version(path) == 7 and "rejected_suggestion" not in _tables(path)
    assert check_for_work(path) == 7  # a sound version 7 file

    db = open_database(path, create=False)
    try:
        assert db.version == CURRENT_VERSION == 8
        assert db.repo.get_document(doc.id).text == TEXT and db.repo.rejections(doc.id) == []
        start = TEXT.index("Damascus")
        r = RejectedSuggestion(document_id=doc.id, label_id=label.id, start=start, end=start + 8, exact="Damascus")
        db.repo.put_rejections([r])
        assert db.repo.rejections(doc.id) == [r]
    finally:
        db.close()
    new = tmp_path / "new.db"
    open_database(new).close()
    assert _schema(path) == _schema(new)  # tables, indexes and statements as a new file's
    assert check_for_work(path) == CURRENT_VERSION


def _tables(path):
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_the_current_schema_snapshot_is_what_the_migrations_build():
    """Opening a file compares it with annotator/store/sqlite/catalogue_snapshot.py;
    after a new migration: .venv/bin/python tests/write_catalogue_snapshot.py"""
    from annotator.store.migrations import CURRENT_VERSION
    from annotator.store.sqlite import catalogue_snapshot
    from annotator.store.sqlite.schema_check import built_catalogue, expected_catalogue

    assert catalogue_snapshot.VERSION == CURRENT_VERSION
    assert catalogue_snapshot.CATALOGUE == built_catalogue(CURRENT_VERSION)
    assert expected_catalogue(CURRENT_VERSION) is catalogue_snapshot.CATALOGUE
