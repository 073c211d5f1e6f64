"""W3C export then import, as a property: over texts with emoji, flags, ZWJ
sequences, combining marks, Arabic, Persian (ZWNJ), math letters and CRLF,
whatever spans, labels, notes and analysts a database holds come back
exactly, with the same UUIDs and times, into a colleague's empty database."""

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.canonical import canonical_from_string
from annotator.core.services import Desk
from annotator.io.w3c import parse_w3c, w3c_json
from annotator.store.database import open_database
from tests.test_offsets import FRAGMENTS

TEXTS = st.lists(st.sampled_from(FRAGMENTS + ["Syria", "troops", " ", "\r\n", "حشد"]), min_size=1, max_size=40).map("".join)


def _key(repo, doc_id):
    labels = {lb.id: lb.name for lb in repo.labels(include_deleted=True)}
    return sorted(
        (a.id, a.start, a.end, a.exact, a.prefix, a.suffix, labels[a.label_id], a.note, a.creator, a.created, a.modified)
        for a in repo.annotations(doc_id)
    )


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_export_then_import_gives_every_annotation_back(tmp_path_factory, data):
    raw = data.draw(TEXTS)
    text = canonical_from_string(raw)
    if not text.strip():
        return
    folder = tmp_path_factory.mktemp("rt")
    mine, theirs = open_database(folder / "mine.db"), open_database(folder / "theirs.db")
    try:
        doc_id = uuid.uuid4()
        for n, db in enumerate((mine, theirs)):
            Desk(db.repo, "x").import_document(raw, "T", doc_id=doc_id if n == 0 else None)
        desk = Desk(mine.repo, "ana")
        labels = desk.ensure_tagset()
        for _ in range(data.draw(st.integers(1, 6))):
            a, b = sorted(data.draw(st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))))
            if a == b or not text[a:b].strip():
                continue
            label = data.draw(st.sampled_from(labels))
            desk.user = data.draw(st.sampled_from(["ana", "bo", "رنا"]))
            note = data.draw(st.sampled_from(["", "see ¶2", "مصدر 🇮🇶", "two\nlines"]))
            desk.add_annotation(doc_id, label.id, a, b, note=note)
        doc = mine.repo.get_document(doc_id)
        exported = w3c_json(mine.repo, doc)
        [their_doc] = theirs.repo.document_ids()
        other = Desk(theirs.repo, "bo")
        other.ensure_tagset()
        report = other.import_annotations(their_doc, parse_w3c(exported, "mine.json"))
        assert report.orphans == []
        assert _key(theirs.repo, their_doc) == _key(mine.repo, doc_id)
    finally:
        mine.close()
        theirs.close()
