"""The W3C Web Annotation test suite's samples (w3c/web-annotation-tests, copied
into tests/data/w3c-examples/, see tests/data/SOURCES.md).

* The correct samples that target text are read with the right quotes and
  positions and anchored; the one whose position counts inside an XPointer
  fragment is kept as an orphan that says so.
* The correct samples that do not target text (images, whole pages, CSS,
  XPath, SVG, data positions, links to pages not embedded) are refused with
  one line saying there is nothing to import and why: no crash, no traceback.
* Every incorrect sample is refused with one line naming what is wrong. Most
  of them also break JSON itself (a trailing comma): the message says so, and
  the same sample with its commas repaired is refused for what it was written
  to show. The command line exits 2 and leaves the database as it was.
"""

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator import cli
from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io.w3c import UNTAGGED, parse_w3c, read_w3c_file
from annotator.store.database import open_database
from tests.merge_helpers import raw_dump

EXAMPLES = Path(__file__).parent / "data" / "w3c-examples"
CORRECT = sorted(p.name[4:-5] for p in EXAMPLES.glob("w3c-*.json") if not p.name.startswith("w3c-incorrect-"))
INCORRECT = sorted(p.name[14:-5] for p in EXAMPLES.glob("w3c-incorrect-*.json"))


def correct(name: str) -> Path:
    return EXAMPLES / f"w3c-{name}.json"


def incorrect(name: str) -> Path:
    return EXAMPLES / f"w3c-incorrect-{name}.json"


def test_all_samples_are_here():
    assert len(CORRECT) == 45 and len(INCORRECT) == 39
    assert set(INCORRECT) == {f"anno{i}" for i in range(1, 40)}


# --- correct samples that target text -------------------------------------------------------------

# A text in which the spec's examples can be anchored: anno26's quote with its
# context, anno32's, and (anno27) a selection of code points 412..795.
PARA = "text before the Selected Text and text after it"
TEXT = ("this is an anotation that has some context. " + PARA + " ").ljust(412, ".") + "é" * 383 + " end.\n"

TEXT_SAMPLES = {
    # name: (start, end, exact, prefix, suffix) as read; None where the file gives none
    "anno26": (None, None, "anotation", "this is an ", " that has some"),
    "anno27": (412, 795, None, None, None),
    "anno32": (None, None, "Selected Text", "text before the ", " and text after it"),  # refining a FragmentSelector
}


@pytest.mark.parametrize("name", sorted(TEXT_SAMPLES))
def test_text_samples_are_read_with_their_selectors(name):
    [d] = read_w3c_file(correct(name))
    start, end, exact, prefix, suffix = TEXT_SAMPLES[name]
    assert (d.start, d.end) == (start, end)
    if exact is None:
        assert d.quote is None
    else:
        assert (d.quote.exact, d.quote.prefix, d.quote.suffix) == (exact, prefix, suffix)
    assert d.label == UNTAGGED and d.note == "" and d.problem == ""  # the body is a link: nothing to keep
    assert d.id is None  # http://example.org/… ids are not ours: a new UUID is made
    assert d.source_line == f"item 1 (http://example.org/{name})"


def test_a_position_inside_an_xpointer_fragment_is_an_orphan_that_says_so():
    [d] = read_w3c_file(correct("anno41-example44"))
    assert d.start is None and d.quote is None
    assert d.problem == (
        "its TextPositionSelector 6..27 counts from the start of the FragmentSelector "
        "'xpointer(/doc/body/section[2]/para[1])', which plain text cannot resolve"
    )
    # everything else is read: the tag, the default of the Choice, the creator and the time
    assert d.label == "love"
    assert d.note == "I really love this particular bit of text in this XML. No really."
    assert d.creator == "A. Person" and d.created == datetime(2015, 10, 13, 13, 0, tzinfo=UTC)


def test_the_collection_of_all_examples():
    drafts = read_w3c_file(correct("collection1"))
    assert len(drafts) == 41
    by_item = {d.source_line: d for d in drafts}
    for n in (26, 27, 32):
        d = by_item[f"item {n} (http://example.org/anno{n})"]
        [alone] = read_w3c_file(correct(f"anno{n}"))
        assert (d.start, d.end, d.quote) == (alone.start, alone.end, alone.quote)
    anchored = [d.source_line for d in drafts if d.quote or d.start is not None]
    assert len(anchored) == 3
    assert "xpointer" in by_item["item 41 (http://example.org/anno41)"].problem
    assert all(d.problem for d in drafts if d.source_line not in anchored)


@pytest.fixture
def desk(tmp_path):
    db = open_database(tmp_path / "corpus.db")
    desk = Desk(db.repo, "tester")
    desk.ensure_tagset()
    yield desk
    db.close()


def test_text_samples_anchor_in_a_document(desk):
    doc = desk.import_document(TEXT, "Examples").document
    drafts = [d for name in ("anno26", "anno27", "anno32", "anno41-example44") for d in read_w3c_file(correct(name))]
    report = desk.import_annotations(doc.id, drafts)
    assert len(report.added) == 3
    spans = sorted((a.start, a.end, a.exact) for a in desk.repo.annotations(doc.id))
    q26 = TEXT.index("anotation")
    q32 = TEXT.index("Selected Text")
    assert spans == [(q26, q26 + 9, "anotation"), (q32, q32 + 13, "Selected Text"), (412, 795, "é" * 383)]
    [orphan] = report.orphans
    assert orphan.draft.source_line == "item 1 (http://example.org/anno41)" and "xpointer" in orphan.reason


def test_the_whole_collection_imports_its_text_annotations_and_reports_the_rest(desk):
    doc = desk.import_document(TEXT, "Examples").document
    report = desk.import_annotations(doc.id, read_w3c_file(correct("collection1")))
    assert len(report.added) == 3 and len(report.orphans) == 38
    assert all(o.reason for o in report.orphans)


# --- correct samples that do not target text ------------------------------------------------------

NO_TEXT = {
    "anno1": "the target http://example.com/page1 is a whole resource, not a selection of its text (no selector)",
    "anno2": "the target http://example.gov/patent1.pdf is a whole resource",
    "anno3": "the target http://example.org/website1 (Text) is a whole resource",
    "anno4": "the target http://example.com/image1#xywh=100,100,300,300 (Image) is a whole resource",
    "anno5": "the target http://example.org/photo1 is a whole resource",
    "anno6": "the target http://example.org/target1 is a whole resource",
    "anno7": "the target http://example.org/target1 is a whole resource",
    "anno8": "the target http://example.org/ebook1 is a whole resource",
    "anno9": "the target http://example.org/image1 is a whole resource",  # the first of two
    "anno10": "the target http://example.org/website1 is a whole resource",
    "anno11": "the target is a set (Composite) of 3 whole resources, not a selection of text (no selector)",
    "anno12": "the target is a set (List) of 4 whole resources",
    "anno13": "the target is a set (Independents) of 4 whole resources",
    "anno14": "the target http://example.com/restaurant1 is a whole resource",
    "anno15": "the target http://example.com/restaurant1 is a whole resource",
    "anno16": "the target http://example.com/textbook1 is a whole resource",
    "anno17": "the target http://example.com/video1 (Video) is a whole resource",
    "anno18": "the target http://example.com/page1 is a whole resource",
    "anno19": "the target http://example.com/product1 is a whole resource",
    "anno20": "the target http://example.com/product1 is a whole resource",
    "anno21": "the target http://example.org/photo1 (Image) is a whole resource",
    "anno22": "its selector http://example.org/dataselector1 is a link to a selector elsewhere, which Annotator does not follow",
    "anno23": "the target http://example.org/image1 is a whole resource",
    "anno24": "no TextPositionSelector or TextQuoteSelector (only CssSelector)",
    "anno25": "no TextPositionSelector or TextQuoteSelector (only XPathSelector)",
    "anno28": "no TextPositionSelector or TextQuoteSelector (only DataPositionSelector)",  # bytes, not text
    "anno29": "no TextPositionSelector or TextQuoteSelector (only SvgSelector)",
    "anno30": "no TextPositionSelector or TextQuoteSelector (only SvgSelector)",
    "anno31": "no TextPositionSelector or TextQuoteSelector (only RangeSelector)",  # of two XPaths
    "anno33": "the target http://example.org/page1 is a whole resource",  # a state, no selector
    "anno34": "the target http://example.org/page1 is a whole resource",
    "anno35": "the target http://example.org/resource1 is a whole resource",
    "anno36": "the target http://example.org/ebook1 is a whole resource",
    "anno37": "the target http://example.org/document1 is a whole resource",  # a style class only
    "anno38": "the target http://example.org/target1 is a whole resource",
    "anno39": "its selector http://example.org/selectors/html-selector1 is a link to a selector elsewhere",
    "anno40": "the target http://example.org/image1 is a whole resource",  # a scope only
}
NOT_EMBEDDED = {
    "example41": "the AnnotationCollection does not include its pages (only a link to them); save it with its annotations embedded",
    "example42": "page 1 links to the next page ('http://example.org/page2') without including it; save the collection with all its pages embedded",
    "example43": "page 1 links to the next page ('http://example.org/page2') without including it",
}


def test_every_correct_sample_is_classified():
    assert set(CORRECT) == set(TEXT_SAMPLES) | set(NO_TEXT) | set(NOT_EMBEDDED) | {"anno41-example44", "collection1"}


@pytest.mark.parametrize("name", sorted(NO_TEXT))
def test_samples_without_text_say_there_is_nothing_to_import(name):
    path = correct(name)
    with pytest.raises(InputError) as exc:
        read_w3c_file(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: nothing to import: its annotation does not target text — ")
    assert f"item 1 (http://example.org/{name}): " + NO_TEXT[name] in message
    assert "\n" not in message


@pytest.mark.parametrize("name", sorted(NOT_EMBEDDED))
def test_collections_and_pages_that_only_link_to_their_annotations(name):
    with pytest.raises(InputError) as exc:
        read_w3c_file(correct(name))
    assert str(exc.value).startswith(f"{correct(name)}: {NOT_EMBEDDED[name]}")


# --- incorrect samples ------------------------------------------------------------------------------

TRAILING = "JSON allows no trailing comma"
INCORRECT_MESSAGES = {
    # name: (what the file is refused for, what it is refused for once its trailing commas are repaired)
    "anno1": ("not valid JSON (line 1, column 1: Expecting value)", None),  # "this is not json"
    "anno2": ("an empty JSON object, not an annotation (it has no type and no target)", None),
    "anno3": ('no @context (W3C annotations declare "@context": "http://www.w3.org/ns/anno.jsonld")', None),
    "anno4": ("item 1: the @context 'fish' is not the Web Annotation context (http://www.w3.org/ns/anno.jsonld)", None),
    "anno5": (("item 1: the @context ('http://example.org/not/my/context.json', 'http://example.org/nor/this/one.json') "
               "does not include the Web Annotation context"), None),
    "anno6": ("item 1: id 'not a uri' is not an IRI", None),
    "anno7": ("item 1: id must be one IRI (got a list of 2)", None),
    "anno8": ('no type (an annotation has "type": "Annotation")', None),
    "anno9": ("type must be \"Annotation\" (got 'Squirrel')", None),
    "anno10": (f"line 6, column 37: a comma before the closing '}}'; {TRAILING}", "; no target"),
    "anno11": ("the target must be an IRI or an object (got 9)", None),
    "anno12": (f"line 7, column 39: a comma before the closing '}}'; {TRAILING}",
               "the body 'this is not a uri' is not an IRI (text goes in \"bodyValue\" or a TextualBody's \"value\")"),
    "anno13": (TRAILING, "the body's id 'this is not a uri either' is not an IRI"),
    "anno14": (TRAILING, "the body's format must be a media type like text/plain (got 6)"),
    # "bad language" is written "langauage": 3, a key the model does not define (extensions are
    # allowed), so what is wrong is the list of ids that every sample from anno7 on carries
    "anno15": (TRAILING, "item 1: id must be one IRI (got a list of 2)"),
    "anno16": (TRAILING, "the body's textDirection must be ltr, rtl or auto (got 'squirrel')"),
    "anno17": (TRAILING, "the body is a TextualBody without a value"),
    "anno18": (TRAILING, "the body's value must be one text (got a list of 3)"),
    "anno19": (TRAILING, "both body and bodyValue (one or the other)"),
    "anno20": (TRAILING, "bodyValue must be one text (got a list of 2)"),
    "anno21": (TRAILING, "bodyValue must be one text (got 23)"),
    "anno22": (TRAILING, "the body is both Choice and List (one kind of set only)"),
    "anno23": (TRAILING, "the body's processingLanguage must be one language tag (got a list of 2)"),
    "anno24": (TRAILING, "the body's textDirection must be ltr, rtl or auto (got a list of 2)"),
    "anno25": (TRAILING, "the body has items but no type (Choice, Composite, List, Independents)"),
    "anno26": ("creator must be an IRI, a name or an object (got 6)", None),
    "anno27": ("generator must be an IRI, a name or an object (got 42)", None),
    "anno28": ("created 'yesterday' is not an ISO 8601 date-time", None),
    "anno29": ("modified 'an hour ago' is not an ISO 8601 date-time", None),
    "anno30": ("generated 'now' is not an ISO 8601 date-time", None),
    "anno31": ("modified must be one date-time (got a list of 2)", None),
    "anno32": ("created must be one date-time (got a list of 2)", None),
    "anno33": ("generated must be one date-time (got a list of 2)", None),
    "anno34": ("rights 'not a uri' is not an IRI", None),
    "anno35": ("via 'not a uri' is not an IRI", None),
    "anno36": ("canonical 'not a uri' is not an IRI", None),
    "anno37": (f"line 8, column 31: a comma before the closing '}}'; {TRAILING}",
               "the target is a SpecificResource without a source"),
    "anno38": ("the target is a SpecificResource without a source; a FragmentSelector needs a value", None),
    "anno39": ("a FragmentSelector's value must be one text (got a list of 2)", None),
}  # fmt: skip


def _repaired(text: str) -> str:
    """The sample without its trailing commas (none of these files has a comma in a string)."""
    return re.sub(r",(\s*[}\]])", r"\1", text)


def test_every_incorrect_sample_has_its_message():
    assert set(INCORRECT_MESSAGES) == set(INCORRECT)


@pytest.mark.parametrize("name", sorted(INCORRECT_MESSAGES, key=lambda n: int(n[4:])))
def test_incorrect_samples_are_refused_naming_the_problem(name):
    path = incorrect(name)
    raw_message, repaired_message = INCORRECT_MESSAGES[name]
    with pytest.raises(InputError) as exc:
        read_w3c_file(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and raw_message in message and "\n" not in message
    text = path.read_text("utf-8")
    if repaired_message is None:
        assert _repaired(text) == text  # the file is JSON: its own problem is the one named
        return
    assert TRAILING in message
    with pytest.raises(InputError) as exc:
        parse_w3c(_repaired(text), name)
    message = str(exc.value)
    assert message.startswith(f"{name}: item 1: ") and repaired_message in message and "\n" not in message
    assert "id must be one IRI (got a list of 2)" in message  # as every sample from anno7 on: named as well


def test_the_sample_problems_are_caught_on_their_own():
    """Each rule without the list of ids the samples all carry (and with a text
    target, so that only the rule itself can refuse the annotation)."""
    good = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno1",
        "type": "Annotation",
        "body": {"type": "TextualBody", "value": "a note"},
        "target": {"source": "http://example.org/page1", "selector": {"type": "TextQuoteSelector", "exact": "Selected"}},
    }
    assert parse_w3c(json.dumps(good), "ok.json")[0].note == "a note"
    cases = [
        ({"@context": "fish"}, "the @context 'fish' is not the Web Annotation context"),
        ({"id": "not a uri"}, "id 'not a uri' is not an IRI"),
        ({"id": ["http://example.org/1", "http://example.org/2"]}, "id must be one IRI (got a list of 2)"),
        ({"type": "Squirrel"}, "type must be \"Annotation\" (got 'Squirrel')"),
        ({"type": None}, "type must be \"Annotation\" (got null)"),
        ({"target": 9}, "the target must be an IRI or an object (got 9)"),
        ({"target": []}, "the target is an empty list"),
        ({"body": "this is not a uri"}, "the body 'this is not a uri' is not an IRI"),
        ({"body": {"id": "not a uri either"}}, "the body's id 'not a uri either' is not an IRI"),
        ({"body": {"id": "http://example.com/1", "format": 6}}, "the body's format must be a media type"),
        ({"body": {"id": "http://example.com/1", "language": 3}}, "the body's language must be a language tag like en (got 3)"),
        ({"body": {"id": "http://example.com/1", "textDirection": "squirrel"}}, "textDirection must be ltr, rtl or auto"),
        ({"body": {"type": "TextualBody"}}, "the body is a TextualBody without a value"),
        ({"body": {"type": "TextualBody", "value": ["a", "b"]}}, "the body's value must be one text (got a list of 2)"),
        ({"bodyValue": 23}, "bodyValue must be one text (got 23)"),
        ({"body": {"type": ["Choice", "List"], "items": ["http://example.com/1"]}}, "the body is both Choice and List"),
        ({"body": {"items": ["http://example.com/1"]}}, "the body has items but no type"),
        ({"body": {"type": "Choice", "items": []}}, "the body (Choice) needs a non-empty list of items"),
        ({"body": {"id": "http://example.com/1", "processingLanguage": ["en", "de"]}}, "processingLanguage must be one"),
        ({"body": {"type": "TextualBody", "value": "x", "purpose": "squirrelling"}}, "the body's purpose 'squirrelling' is not a W3C motivation"),
        ({"motivation": "squirrelling"}, "motivation 'squirrelling' is not a W3C motivation (assessing, bookmarking,"),
        ({"motivation": 5}, "motivation must be text (got 5)"),
        ({"creator": 6}, "creator must be an IRI, a name or an object (got 6)"),
        ({"generator": 42}, "generator must be an IRI, a name or an object (got 42)"),
        ({"created": "yesterday"}, "created 'yesterday' is not an ISO 8601 date-time"),
        ({"generated": "now"}, "generated 'now' is not an ISO 8601 date-time"),
        ({"modified": ["2015-01-28T12:00:00Z"]}, "modified must be one date-time (got a list of 1)"),
        ({"rights": "not a uri"}, "rights 'not a uri' is not an IRI"),
        ({"via": ["http://example.org/ok", "not a uri"]}, "via 'not a uri' is not an IRI"),
        ({"canonical": ["urn:uuid:dbfb1861-0ecf-41ad-be94-a584e5c4f1df"]}, "canonical must be one IRI (got a list of 1)"),
        ({"target": {"type": "SpecificResource", "selector": {"type": "TextQuoteSelector", "exact": "x"}}},
         "the target is a SpecificResource without a source"),
        ({"target": {"source": "http://example.org/p", "selector": {"type": "FragmentSelector"}}}, "a FragmentSelector needs a value"),
        ({"target": {"source": "http://example.org/p", "selector": {"type": "FragmentSelector", "value": ["a", "b"]}}},
         "a FragmentSelector's value must be one text (got a list of 2)"),
    ]  # fmt: skip
    for change, message in cases:
        anno = good | change
        with pytest.raises(InputError) as exc:
            parse_w3c(json.dumps(anno), "bad.json")
        assert str(exc.value).startswith("bad.json: item 1: ") and message in str(exc.value), (change, str(exc.value))


def test_what_is_tolerated_on_its_own():
    """What real tools write and the model frowns on, read when the annotation targets text."""
    base = {"type": "Annotation", "target": {"selector": {"type": "TextQuoteSelector", "exact": "Selected"}}}
    [d] = parse_w3c(json.dumps(base), "no-context.json")  # no @context (our own tests, hand-written files)
    assert d.quote.exact == "Selected"
    [d] = parse_w3c(json.dumps(base | {"body": {"type": "TextualBody", "value": "a"}, "bodyValue": "b"}), "x.json")
    assert d.note == "a\n\nb"  # both body and bodyValue: both kept
    [d] = parse_w3c(json.dumps(base | {"creator": "Rana Haddad"}), "x.json")  # a bare name, not an IRI
    assert d.creator == "Rana Haddad"
    [d] = parse_w3c(json.dumps(base | {"body": {"id": "http://example.com/1", "langauage": 3}}), "x.json")
    assert d.problem == ""  # a key the model does not define is an extension, not an error
    page = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationPage", "items": [base]}
    assert len(parse_w3c(json.dumps(page), "page.json")) == 1  # the @context on the page covers its items


# --- the command line -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus-cli")
    db_path = folder / "a.db"
    db = open_database(db_path)
    desk = Desk(db.repo, "tester")
    desk.ensure_tagset()
    doc = desk.import_document(TEXT, "Examples").document
    db.close()
    return db_path, str(doc.id)


@pytest.mark.parametrize(
    "path",
    [incorrect(n) for n in sorted(INCORRECT, key=lambda n: int(n[4:]))] + [correct(n) for n in sorted(NO_TEXT)][:5],
    ids=lambda p: p.stem,
)
def test_the_command_line_refuses_them_and_changes_nothing(cli_db, path, capsys):
    db_path, doc_id = cli_db
    before = raw_dump(db_path)
    code = cli.main(["--db", str(db_path), "annotations", "import", doc_id, str(path)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(f"annotator: {path}: ") and err.count("\n") == 1
    assert raw_dump(db_path) == before


def test_the_command_line_imports_the_text_samples(cli_db, capsys):
    db_path, doc_id = cli_db
    code = cli.main(["--db", str(db_path), "annotations", "import", doc_id, str(correct("collection1"))])
    out, err = capsys.readouterr()
    assert code == 3  # three anchored, the other 38 reported
    assert out == "imported 3, unchanged 0, orphans 38\n"
    orphans = [line for line in err.splitlines() if line.startswith("orphan: ")]
    assert len(orphans) == 38
    assert "orphan: item 41 (http://example.org/anno41): its TextPositionSelector 6..27 counts from" in err
    db = open_database(db_path)
    try:
        exact = sorted(a.exact for a in db.repo.annotations(uuid.UUID(doc_id)))
    finally:
        db.close()
    assert exact == ["Selected Text", "anotation", "é" * 383]


# --- the shapes around text selectors: SpecificResource, refinedBy, Choice, List --------------------

SENTENCE = "Officials in Damascus said 3,000 troops moved to the border."


def _anno(target, **extra):
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "target": target} | extra


def _one(target, **extra):
    return parse_w3c(json.dumps(_anno(target, **extra)), "x.json")


def _sr(*selectors):
    return {"type": "SpecificResource", "source": "http://example.org/doc", "selector": list(selectors)}


def _pos(start, end, **extra):
    return {"type": "TextPositionSelector", "start": start, "end": end} | extra


def _quote(exact, prefix=None, suffix=None, **extra):
    sel = {"type": "TextQuoteSelector", "exact": exact} | extra
    return sel | ({"prefix": prefix} if prefix else {}) | ({"suffix": suffix} if suffix else {})


D = SENTENCE.index("Damascus")
T = SENTENCE.index("3,000 troops")
REFINED = [
    # (what, target, anchored text or orphan reason)
    ("a position refined by a position counts from its start",
     _sr(_pos(T, T + 12, refinedBy=_pos(6, 12))), "troops"),
    ("a position refined by a quote looks for the quote there",
     _sr(_pos(T, T + 12, refinedBy=_quote("troops"))), "troops"),
    ("a quote refined by a position is a narrower quote",
     _sr(_quote("said 3,000 troops", refinedBy=_pos(5, 10))), "3,000"),
    ("a quote refined by a quote",
     _sr(_quote("in Damascus said", refinedBy=_quote("Damascus"))), "Damascus"),
    ("a fragment refined by a position and a quote uses the quote",
     _sr({"type": "FragmentSelector", "value": "p1", "refinedBy": [_pos(3, 9), _quote("border")]}), "border"),
    ("two refinements deep",
     _sr(_quote("Officials in Damascus said", refinedBy=_quote("in Damascus", refinedBy=_pos(3, 11)))), "Damascus"),
    ("a Choice of selectors",
     _sr({"type": "Choice", "items": [{"type": "CssSelector", "value": "p"}, _quote("border")]}), "border"),
    ("a list of selectors, position and quote",
     _sr({"type": "XPathSelector", "value": "/p"}, _pos(D, D + 8), _quote("Damascus")), "Damascus"),
    ("a Choice of targets: the first that selects text",
     {"type": "Choice", "items": ["http://example.org/image1", _sr(_quote("troops"))]}, "troops"),
    ("a List of targets",
     {"type": "List", "items": [{"source": "http://example.org/p", "selector": {"type": "CssSelector", "value": "p"}},
                                _sr(_pos(D, D + 8))]}, "Damascus"),
    ("a position past the end of the one it refines",
     _sr(_pos(T, T + 5, refinedBy=_pos(2, 9))),
     "its refining TextPositionSelector 2..9 runs past the end of the TextPositionSelector 27..32 it refines"),
    ("a refinement that does not select text",
     _sr(_quote("troops", refinedBy={"type": "CssSelector", "value": "b"})),
     "its refinement cannot be applied to text: no TextPositionSelector or TextQuoteSelector (only CssSelector)"),
    ("a refining quote not inside the quote it refines",
     _sr(_quote("troops", refinedBy=_quote("border"))),
     "its refining quote 'border' is not inside the quote it refines ('troops')"),
    ("a position inside a fragment",
     _sr({"type": "FragmentSelector", "value": "p1", "refinedBy": _pos(0, 4)}),
     "its TextPositionSelector 0..4 counts from the start of the FragmentSelector 'p1', which plain text cannot resolve"),
    ("a selector elsewhere",
     {"source": "http://example.org/doc", "selector": "http://example.org/selectors/1"},
     "its selector http://example.org/selectors/1 is a link to a selector elsewhere, which Annotator does not follow"),
]  # fmt: skip


@pytest.mark.parametrize("target, expected", [c[1:] for c in REFINED], ids=[c[0] for c in REFINED])
def test_text_selectors_in_their_setting(desk, target, expected):
    doc = desk.import_document(SENTENCE, "Sentence").document
    anchored = _anno({"source": "x", "selector": _quote("Officials")})  # so that the file targets text
    drafts = parse_w3c(json.dumps([_anno(target), anchored]), "x.json")
    report = desk.import_annotations(doc.id, drafts[:1])
    if expected in SENTENCE:
        [ann] = desk.repo.annotations(doc.id)
        assert report.added == [ann.id] and ann.exact == expected and SENTENCE[ann.start : ann.end] == expected
    else:
        assert [o.reason for o in report.orphans] == [expected]


def test_sets_of_bodies_are_opened():
    [d] = _one(
        _sr(_quote("troops")),
        body=[
            {"type": "Choice", "items": [{"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
                                         {"type": "TextualBody", "purpose": "tagging", "value": "Acteur"}]},
            {"type": "List", "items": [{"type": "TextualBody", "value": "one"}, {"type": "TextualBody", "value": "two"}]},
        ],
        motivation=["commenting", "tagging"],
    )  # fmt: skip
    assert d.label == "Actor" and d.note == "one\n\ntwo"  # a Choice gives its default, a List all of its items
