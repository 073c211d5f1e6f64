"""W3C Web Annotation JSON: reading every accepted shape, writing, round trips."""

import codecs
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io.documents import import_files, load_document_file
from annotator.io.w3c import UNTAGGED, export_w3c, parse_w3c, read_w3c_file, w3c_json
from annotator.store.database import open_database

DATA = Path(__file__).parent / "data"
DOC_FILE = DATA / "mixed-crlf.txt"
FIXTURE = DATA / "mixed-crlf.w3c.json"
EXAMPLES = DATA / "w3c-examples"


def _selectors(anno):
    sel = anno["target"]["selector"]
    return {s["type"]: s for s in (sel if isinstance(sel, list) else [sel])}


class Db:
    """A fresh database with the test document imported."""

    def __init__(self, path):
        self.db = open_database(path)
        self.desk = Desk(self.db.repo, "tester")
        self.desk.ensure_tagset()
        [imp] = import_files(self.desk, [DOC_FILE])
        self.doc = imp.document

    def annotations(self):
        labels = {lb.id: lb.name for lb in self.db.repo.labels()}
        return sorted(
            (
                a.id, a.start, a.end, a.exact, a.prefix, a.suffix, labels[a.label_id], a.note, a.creator, a.created, a.modified,
                self.db.repo.get_entity(a.entity_id).name if a.entity_id else None,
            )
            for a in self.db.repo.annotations(self.doc.id)
        )


@pytest.fixture
def first(tmp_path):
    db = Db(tmp_path / "one.db")
    yield db
    db.db.close()


@pytest.fixture
def second(tmp_path):
    db = Db(tmp_path / "two.db")
    yield db
    db.db.close()


def test_test_data_keeps_crlf_bytes():
    raw = DOC_FILE.read_bytes()
    assert raw.count(b"\r\n") == 4 and b"\n" not in raw.replace(b"\r\n", b"")


def test_fixture_positions_are_code_points_into_canonical_text():
    text = load_document_file(DOC_FILE).text
    assert "\r" not in text
    annos = json.loads(FIXTURE.read_text("utf-8"))
    for anno in annos:
        sels = _selectors(anno)
        if "TextPositionSelector" in sels and "TextQuoteSelector" in sels:
            p, q = sels["TextPositionSelector"], sels["TextQuoteSelector"]
            assert text[p["start"] : p["end"]] == q["exact"]


def test_fixture_imports_completely(first):
    drafts = read_w3c_file(FIXTURE)
    report = first.desk.import_annotations(first.doc.id, drafts)
    assert len(report.added) == 9 and not report.orphans and not report.unchanged
    assert report.labels_added == ["Displaced people", "Other"]  # the default tagset has Actor, Claim, Location
    rows = {a[0]: a for a in first.annotations()}
    officials = rows[uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01")]
    assert officials[3] == "Officials" and officials[6] == "Actor" and officials[8] == "Rana Haddad"
    assert officials[9] == datetime(2025, 6, 21, 8, 15, tzinfo=UTC)
    assert officials[10] == datetime(2025, 6, 21, 8, 20, 30, 250000, tzinfo=UTC)
    assert officials[11] == "Syrian security officials"
    arabic = rows[uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e02")]
    assert arabic[3] == "البوكمال" and arabic[6] == "Location" and arabic[8] == "Karim"
    assert arabic[9] == datetime(2025, 6, 21, 6, 0, tzinfo=UTC)  # +03:00 stored as UTC
    assert arabic[10] == arabic[9]  # no modified: same as created
    claim = rows[uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e03")]
    assert claim[3] == "3,000 troops moved to the border.\nقال" and claim[8] == "jo"
    assert rows[uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e04")][8] == "tester"  # no creator: the importer
    assert rows[uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e06")][3] == "cafe\u0301"  # quote only, NFD kept


def test_export_selectors_are_exact(first):
    first.desk.import_annotations(first.doc.id, read_w3c_file(FIXTURE))
    text = first.doc.text
    out = json.loads(w3c_json(first.db.repo, first.doc))
    assert isinstance(out, list) and len(out) == 9
    for anno in out:
        assert anno["@context"] == ["http://www.w3.org/ns/anno.jsonld", {"annotator": "https://annotator.invalid/ns#"}]
        assert anno["type"] == "Annotation"
        assert anno["id"].startswith("urn:uuid:") and uuid.UUID(anno["id"][9:])
        assert anno["target"]["source"] == f"urn:uuid:{first.doc.id}"
        assert anno["created"].endswith("Z") and anno["modified"].endswith("Z")
        sels = _selectors(anno)
        p, q = sels["TextPositionSelector"], sels["TextQuoteSelector"]
        assert text[p["start"] : p["end"]] == q["exact"]
        assert text[: p["start"]].endswith(q.get("prefix", ""))
        assert text[p["end"] :].startswith(q.get("suffix", ""))
        tags = [b["value"] for b in anno["body"] if b["purpose"] == "tagging"]
        assert len(tags) == 1
    assert "البوكمال" in w3c_json(first.db.repo, first.doc)  # not \u-escaped


def test_round_trip_is_lossless(first, second):
    first.desk.import_annotations(first.doc.id, read_w3c_file(FIXTURE))
    exported = w3c_json(first.db.repo, first.doc).encode("utf-8")
    report = second.desk.import_annotations(second.doc.id, parse_w3c(exported, "export.json"))
    assert len(report.added) == 9 and not report.orphans
    assert second.annotations() == first.annotations()
    again = export_w3c(second.db.repo, second.doc)
    for anno in again:
        anno["target"]["source"] = f"urn:uuid:{first.doc.id}"  # the only difference: the document's own id
    assert again == json.loads(exported)
    # and importing the export again changes nothing
    report = second.desk.import_annotations(second.doc.id, parse_w3c(exported, "export.json"))
    assert report.added == [] and len(report.unchanged) == 9


ANNO = {
    "type": "Annotation",
    "body": {"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
    "target": {"selector": {"type": "TextQuoteSelector", "exact": "Officials"}},
}


@pytest.mark.parametrize(
    "shape",
    [
        [ANNO, ANNO],
        {"type": "AnnotationPage", "items": [ANNO, ANNO]},
        {"type": "AnnotationPage", "items": [ANNO], "next": {"type": "AnnotationPage", "items": [ANNO]}},
        {"type": "AnnotationCollection", "total": 2, "first": {"type": "AnnotationPage", "items": [ANNO, ANNO]}},
    ],
    ids=["array", "page", "page-with-embedded-next", "collection"],
)
def test_accepted_shapes(shape):
    drafts = parse_w3c(json.dumps(shape), "x.json")
    assert [d.label for d in drafts] == ["Actor", "Actor"]
    assert drafts[0].quote.exact == "Officials"


def test_single_annotation_and_empty_shapes():
    assert len(parse_w3c(json.dumps(ANNO), "x.json")) == 1
    assert parse_w3c("[]", "x.json") == []
    assert parse_w3c('{"type": "AnnotationCollection", "total": 0}', "x.json") == []


@pytest.mark.parametrize(
    "data, message",
    [
        ('[{"id": 1,]', "x.json: not valid JSON (line 1, column 11: "),
        ("", "x.json: not valid JSON (line 1, column 1: Expecting value)"),
        ("42", "x.json: not W3C annotations"),
        ('{"hello": "world"}', "x.json: not W3C annotations"),
        ('["urn:uuid:0"]', "x.json: item 1 is not an annotation"),
        ('{"type": "AnnotationCollection", "first": "http://example.org/page1"}', "does not include its pages"),
        ('{"type": "AnnotationPage", "items": {}}', "'items' is not a list"),
    ],
)
def test_bad_files_are_one_clear_line(data, message):
    with pytest.raises(InputError) as exc:
        parse_w3c(data, "x.json")
    assert str(exc.value).startswith(message) or message in str(exc.value)
    assert "\n" not in str(exc.value)


def _with(selector=None, **extra):
    anno = {"type": "Annotation", "target": {"selector": selector}} if selector is not None else {"type": "Annotation"}
    anno.update(extra)
    return json.dumps(anno)


@pytest.mark.parametrize(
    "start, end",
    [("3", 5), (1.5, 4), (True, 4), (None, 4)],
)
def test_offsets_must_be_integers(start, end):
    with pytest.raises(InputError, match="item 1: TextPositionSelector start and end must be whole numbers"):
        parse_w3c(_with({"type": "TextPositionSelector", "start": start, "end": end}), "x.json")


def test_bad_quote_time_and_id_are_refused():
    with pytest.raises(InputError, match="TextQuoteSelector"):
        parse_w3c(_with({"type": "TextQuoteSelector", "exact": ""}), "x.json")
    with pytest.raises(InputError, match="not an ISO 8601"):
        parse_w3c(_with({"type": "TextQuoteSelector", "exact": "a"}, created="yesterday"), "x.json")
    with pytest.raises(InputError, match="not a valid urn:uuid"):
        parse_w3c(_with({"type": "TextQuoteSelector", "exact": "a"}, id="urn:uuid:nope"), "x.json")


def test_orphan_reasons_for_unanchorable_targets(first):
    range_only = {"type": "RangeSelector", "startSelector": {"type": "XPathSelector", "value": "//p[1]"}}
    data = json.dumps(
        [
            json.loads(_with(range_only)),
            {"type": "Annotation", "target": "http://example.org/page1"},
            {"type": "Annotation", "body": "Comment"},
            json.loads(_with({"type": "TextQuoteSelector", "exact": "not in this text"})),
            json.loads(_with([range_only, {"type": "TextQuoteSelector", "exact": "Al-Qaim"}])),
        ]
    )
    drafts = parse_w3c(data, "x.json")
    assert "only RangeSelector" in drafts[0].problem
    assert "no selector" in drafts[1].problem
    assert "no target" in drafts[2].problem
    report = first.desk.import_annotations(first.doc.id, drafts)
    assert len(report.added) == 1  # the last one: the quote is used, the RangeSelector ignored
    assert [o.draft.source_line for o in report.orphans] == ["item 1", "item 2", "item 3", "item 4"]
    assert "RangeSelector" in report.orphans[0].reason
    assert "not in the document" in report.orphans[3].reason


def test_bodies_creators_and_times():
    anno = {
        "id": "urn:uuid:3F1C6A52-8D0E-4B8A-9C1E-0A1B2C3D4E01",
        "type": "Annotation",
        "motivation": "commenting",
        "creator": [{"type": "Person", "nickname": "jo"}],
        "created": "2025-06-21T08:15:00",  # no offset: taken as UTC
        "modified": "2025-06-21T10:15:00+02:00",
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": " actor "},
            {"type": "TextualBody", "purpose": "tagging", "value": "Person"},
            {"type": "TextualBody", "value": "a comment"},
            "http://example.org/external-body",
            {"type": "TextualBody", "purpose": "identifying", "value": "Syrian officials"},
        ],
        "bodyValue": "another",
        "target": [{"source": "x"}, {"selector": {"type": "TextQuoteSelector", "exact": "line\r\nbreak"}}],
    }
    [d] = parse_w3c(json.dumps(anno), "x.json")
    assert d.id == uuid.UUID("3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01")
    assert d.label == "actor" and d.creator == "jo" and d.entity_name == "Syrian officials"
    assert d.note == "a comment\n\nanother\n\nAlso tagged: Person"
    assert d.created == datetime(2025, 6, 21, 8, 15, tzinfo=UTC) == d.modified
    assert d.quote.exact == "line\nbreak"  # newlines made canonical, as in documents
    [plain] = parse_w3c(_with({"type": "TextQuoteSelector", "exact": "a"}, creator="Rana", body="Actor"), "x.json")
    assert plain.creator == "Rana" and plain.label == UNTAGGED and plain.note == "Actor"


def test_bytes_with_bom_and_utf16():
    data = json.dumps([ANNO], ensure_ascii=False)
    for raw in (codecs.BOM_UTF8 + data.encode(), codecs.BOM_UTF16_LE + data.encode("utf-16-le")):
        assert parse_w3c(raw, "x.json")[0].label == "Actor"
    with pytest.raises(InputError, match="x.json: not UTF-8"):
        parse_w3c(b'[{"x": "\xe9"}]', "x.json")


# --- examples from the W3C test suite and from RecogitoJS --------------------------------------


def test_w3c_spec_examples_parse():
    [q] = read_w3c_file(EXAMPLES / "w3c-anno26.json")
    assert (q.quote.exact, q.quote.prefix, q.quote.suffix) == ("anotation", "this is an ", " that has some")
    assert q.id is None and q.label == UNTAGGED
    [p] = read_w3c_file(EXAMPLES / "w3c-anno27.json")
    assert (p.start, p.end, p.quote) == (412, 795, None)
    coll = read_w3c_file(EXAMPLES / "w3c-collection1.json")
    assert len(coll) == 41
    anchored = [d.source_line for d in coll if d.quote or d.start is not None]
    assert anchored == [
        "item 26 (http://example.org/anno26)",
        "item 27 (http://example.org/anno27)",
        "item 32 (http://example.org/anno32)",  # TextQuoteSelector refining a FragmentSelector
    ]
    assert all(d.problem for d in coll if d.source_line not in anchored)


def test_recogito_output_parses():
    drafts = read_w3c_file(EXAMPLES / "recogito-annotations.w3c.json")
    assert [d.quote.exact if d.quote else None for d in drafts] == ["Troy", "death in battle", "Ithaca", None]
    troy = drafts[0]
    assert (troy.start, troy.end, troy.label) == (124, 128, "A Tag")
    assert troy.note == "This is a comment\n\nAlso tagged: Another Tag"
    assert (drafts[2].start, drafts[2].end) == (963, 970)  # the tool's off-by-one: the quote will win
    assert "no selector" in drafts[3].problem  # a linking annotation between two annotations


def test_recogito_quote_wins_over_its_bad_offsets(first):
    text = "x" * 960 + " Ithaca, home."
    doc = first.desk.import_document(text, "Odyssey").document
    report = first.desk.import_annotations(doc.id, read_w3c_file(EXAMPLES / "recogito-annotations.w3c.json")[2:3])
    [ann] = first.db.repo.annotations(doc.id)
    assert report.added == [ann.id] and ann.exact == "Ithaca" and (ann.start, ann.end) == (961, 967)
