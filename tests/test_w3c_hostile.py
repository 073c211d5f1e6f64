"""Malformed and hostile W3C annotation files, through the command line, and
property-based fuzzing of the W3C reader and of anchoring.

Each bad file gets one line naming the problem and a non-zero status: 2 when
the file is refused (nothing is written: the database is compared before and
after), 3 when the file is sound but some annotations cannot be anchored in
this document (they are listed, the rest is imported).

Astral characters: Annotator's offsets are code points, so any offset is a
character boundary. A tool that counts UTF-16 units (JavaScript, Java, Qt)
writes positions that run ahead after each character beyond U+FFFF, and may
cut a quote or its context in the middle of a surrogate pair. What happens:

* a position that disagrees with its quote is tried as UTF-16 first (so the
  occurrence the tool meant is found), then the quote is searched for;
* half a surrogate pair at the outer edge of a quote's prefix or suffix (a
  context cut 32 units from the selection) is dropped; anywhere else in the
  quote it cannot match any text, and the annotation is an orphan that says
  so (its position cannot be trusted either);
* half a surrogate pair in any other text (a label, a note) refuses the file;
* a position without a quote is taken as code points; one that falls inside
  a character (a flag, a ZWJ sequence, a letter and its combining mark) is an
  orphan ("splits a character"). A shifted position that happens to fall on
  character boundaries cannot be told from a right one: tools counting UTF-16
  must write a TextQuoteSelector.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator import cli
from annotator.core.errors import AnnotatorError, InputError
from annotator.core.offsets import (
    Quote,
    TextMap,
    is_grapheme_aligned,
    make_quote,
    resolve_quote,
    utf16_reading,
)
from annotator.core.services import AnnotationDraft, Desk, anchor_draft
from annotator.io.w3c import parse_w3c
from annotator.store.database import open_database
from tests.merge_helpers import raw_dump

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
TEXT = "Officials said 🇸🇾 troops moved. 👨‍👩‍👧 fled to البوكمال. cafe\u0301 𝐁old said said!\n"
N = len(TEXT)


def pos(start, end) -> dict:
    return {"type": "TextPositionSelector", "start": start, "end": end}


def quote(exact, prefix=None, suffix=None) -> dict:
    sel = {"type": "TextQuoteSelector", "exact": exact}
    sel |= {"prefix": prefix} if prefix is not None else {}
    return sel | ({"suffix": suffix} if suffix is not None else {})


def anno(*selectors, label="Other", **extra) -> dict:
    return {
        "@context": CONTEXT,
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": label},
        "target": {"source": "urn:uuid:00000000-0000-4000-8000-000000000000", "selector": list(selectors)},
    } | extra


GOOD = anno(quote("Officials"))


@pytest.fixture
def env(tmp_path, monkeypatch, capsys):
    """A database holding TEXT; ``env.run(...)`` runs the command in-process."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")

    class Env:
        db = tmp_path / "a.db"
        folder = tmp_path

        def run(self, *args):
            code = cli.main(["--db", str(self.db), *map(str, args)])
            out, err = capsys.readouterr()
            return code, out, err

        def write(self, name, content):
            path = tmp_path / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
            return path

        def annotations(self):
            db = open_database(self.db, create=False)
            try:
                return sorted((a.start, a.end, a.exact) for a in db.repo.annotations(uuid.UUID(self.doc)))
            finally:
                db.close()

    e = Env()
    code, out, err = e.run("import", "doc.txt")
    assert code == 0, err
    e.doc = out.split("\t")[0]
    return e


# --- sound files, some annotations orphans: status 3, the rest imported ------------------------------

FLAG = TEXT.index("🇸🇾")
FAMILY = TEXT.index("👨")
CAFE = TEXT.index("cafe")
BOLD = TEXT.index("𝐁")

ORPHANS = [
    ("past-the-end", pos(1000, 1005), f"position 1000..1005 is outside the text (0..{N}) or empty"),
    ("empty-span", pos(5, 5), f"position 5..5 is outside the text (0..{N}) or empty"),
    ("huge-numbers", pos(10**30, 10**30 + 4), f"position {10**30}..{10**30 + 4} is outside the text"),
    ("quote-not-in-text", quote("nowhere to be found"), "quote 'nowhere to be found' is not in the document"),
    ("splits-a-flag", pos(FLAG, FLAG + 1), f"position {FLAG}..{FLAG + 1} splits a character"),
    ("splits-a-zwj-family", pos(FAMILY, FAMILY + 3), f"position {FAMILY}..{FAMILY + 3} splits a character"),
    ("splits-a-combining-mark", pos(CAFE, CAFE + 4), f"position {CAFE}..{CAFE + 4} splits a character"),
    # 𝐁 is U+1D401, in UTF-16 D835 DC01: a tool slicing UTF-16 units kept its first half
    ("half-a-pair-in-the-quote", [pos(BOLD, BOLD + 2), quote("\ud835")],
     ("the quote's exact text holds half of a UTF-16 surrogate pair (\\ud835): the tool that wrote it split a "
      "character beyond U+FFFF, so neither quote nor position can be trusted")),
    ("half-a-pair-inside-the-prefix", quote("old", prefix=" \ud835"), "the quote's prefix holds half of a UTF-16"),
]  # fmt: skip


@pytest.mark.parametrize("selectors, reason", [c[1:] for c in ORPHANS], ids=[c[0] for c in ORPHANS])
def test_orphans_are_listed_and_the_rest_imported(env, selectors, reason):
    selectors = selectors if isinstance(selectors, list) else [selectors]
    path = env.write("some.json", [GOOD, anno(*selectors)])
    code, out, err = env.run("annotations", "import", env.doc, path)
    assert code == 3, err
    assert out == "imported 1, unchanged 0, orphans 1\n"
    [line] = [line for line in err.splitlines() if line.startswith("orphan: ")]
    assert line.startswith(f"orphan: item 2: {reason}")
    assert env.annotations() == [(0, 9, "Officials")]


# --- sound files whose positions are wrong but whose quotes are right: status 0 ------------------------

SAID = TEXT.index("said", BOLD)  # the first "said" after 𝐁 (one more follows it)
u16 = TextMap(TEXT).to_utf16

RESCUED = [
    ("past-the-end-with-a-quote", [pos(1000, 1006), quote("troops")], TEXT.index("troops"), "troops"),
    ("utf16-positions-with-a-repeated-quote", [pos(u16(SAID), u16(SAID + 4)), quote("said")], SAID, "said"),
    ("utf16-positions-with-context", [pos(u16(SAID), u16(SAID + 4)), quote("said", "old ", " said!")], SAID, "said"),
    # the tool cut the prefix 1 UTF-16 unit before "old": half of 𝐁, dropped
    ("half-a-pair-at-the-edge-of-the-prefix", [quote("old", prefix="\udc01")], BOLD + 1, "old"),
    ("half-a-pair-at-the-edge-of-the-suffix", [quote("cafe\u0301 ", suffix="\ud835")], CAFE, "cafe\u0301 "),
]


@pytest.mark.parametrize("selectors, start, exact", [c[1:] for c in RESCUED], ids=[c[0] for c in RESCUED])
def test_the_quote_puts_it_right(env, selectors, start, exact):
    path = env.write("fine.json", [anno(*selectors)])
    code, out, err = env.run("annotations", "import", env.doc, path)
    assert (code, out) == (0, "imported 1, unchanged 0, orphans 0\n"), err
    assert env.annotations() == [(start, start + len(exact), exact)]


def test_utf16_positions_without_the_utf16_reading_would_take_the_wrong_occurrence():
    """Why positions are read as UTF-16 before the quote is searched for: the
    nearest "said" to the UTF-16 position (as code points) is the second one."""
    assert resolve_quote(TEXT, Quote("said"), u16(SAID)).start == SAID + 5
    assert utf16_reading(TEXT, u16(SAID), u16(SAID + 4), "said") == (SAID, SAID + 4)
    assert utf16_reading(TEXT, u16(BOLD) + 1, u16(BOLD) + 4, "old") is None  # inside the pair: not taken


# --- refused files: status 2, one line, the database unchanged ---------------------------------------

DIGITS = "9" * 5000
REFUSED = [
    ("negative", [GOOD, anno(pos(-3, 4))], "item 2: TextPositionSelector -3..4 is negative (positions count from 0)"),
    ("reversed", [GOOD, anno(pos(9, 3))], "item 2: TextPositionSelector 9..3 is reversed (its start is after its end)"),
    ("string-offset", [anno(pos("3", 5))], "item 1: TextPositionSelector start and end must be whole numbers (got '3', 5)"),
    ("float-offset", [anno(pos(1.5, 4))], "TextPositionSelector start and end must be whole numbers (got 1.5, 4)"),
    ("bool-offset", [anno(pos(True, 4))], "must be whole numbers (got true, 4)"),
    ("null-offset", [anno(pos(0, None))], "must be whole numbers (got 0, null)"),
    ("infinite-offset", [anno(pos(0, float("inf")))], "must be whole numbers (got 0, Infinity)"),
    ("nan-offset", [anno(pos(float("nan"), 3))], "must be whole numbers (got NaN, 3)"),
    ("five-thousand-digits",
     '[{"type": "Annotation", "target": {"selector": {"type": "TextPositionSelector", "start": 0, "end": ' + DIGITS + "}}}]",
     "not usable JSON: a number in it has more than 4300 digits"),
    ("deeply-nested-json", "[" * 100_000 + "]" * 100_000, "the JSON is nested too deeply"),
    ("deeply-refined-selectors",
     [anno(json.loads('{"type": "FragmentSelector", "value": "p", "refinedBy": ' * 40 + json.dumps(quote("troops")) + "}" * 40))],
     "item 1: selectors are refined (refinedBy) more than 16 deep"),
    ("duplicate-ids",
     [anno(quote("Officials"), id="urn:uuid:3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01"),
      anno(quote("troops"), id="urn:uuid:3F1C6A52-8D0E-4B8A-9C1E-0A1B2C3D4E01")],
     "item 2 has the same id as item 1 (urn:uuid:3F1C6A52-8D0E-4B8A-9C1E-0A1B2C3D4E01)"),
    ("duplicate-iris", [anno(quote("Officials"), id="#a1"), GOOD, anno(quote("troops"), id="#a1")],
     "item 3 has the same id as item 1 (#a1)"),
    ("half-a-pair-in-a-label", [GOOD, anno(quote("troops"), label="\ud83d")],
     "item 2: value holds half of a UTF-16 surrogate pair (\\ud83d), not a character"),
    ("year-out-of-range", [anno(quote("troops"), created="0001-01-01T00:00:00+01:00")],
     "item 1: created '0001-01-01T00:00:00+01:00' is out of range (years 1 to 9999 in UTC)"),
    ("trailing-comma", '[{"type": "Annotation", "target": "x",}]',
     "not valid JSON (line 1, column 38: a comma before the closing '}'; JSON allows no trailing comma)"),
    ("truncated", '[{"type": "Annotation", "target": {"selector": {"type": "TextQu',
     "not valid JSON (line 1, column 57: Unterminated string starting at)"),
    ("not-json", "this is not json", "not valid JSON (line 1, column 1: Expecting value)"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "looks like a binary file, not text (contains NUL bytes)"),
    ("latin-1", '[{"type": "Annotation", "body": "café"}]'.encode("latin-1"), "not UTF-8 text (undecodable byte at offset"),
    ("empty-file", "", "the file is empty"),
    ("not-annotations", {"hello": "world"}, "not W3C annotations"),
    ("no-text-target", [anno(), {"@context": CONTEXT, "type": "Annotation", "target": "http://example.org/page1"}],
     "nothing to import: none of its 2 annotations does target text — item 1: its selector is an empty list"),
]  # fmt: skip


@pytest.mark.parametrize("content, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_refused_files_change_nothing(env, content, message):
    path = env.write("bad.json", content)
    before = raw_dump(env.db)
    code, out, err = env.run("annotations", "import", env.doc, path)
    assert code == 2 and out == ""
    assert err.startswith(f"annotator: {path}: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert raw_dump(env.db) == before


def test_in_a_real_process(env):
    """The installed module in its own interpreter: the status and the one line."""
    cases = [
        ("reversed.json", [GOOD, anno(pos(9, 3))], 2, ": item 2: TextPositionSelector 9..3 is reversed"),
        ("binary.json", b"\x00\x01\x02\xff" * 64, 2, ": looks like a binary file"),
        ("deep.json", "[" * 100_000 + "]" * 100_000, 2, ": the JSON is nested too deeply"),
        ("orphan.json", [GOOD, anno(pos(FLAG, FLAG + 1))], 3, "orphan: item 2: position"),
    ]
    environ = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for name, content, status, message in cases:
        path = env.write(name, content)
        before = raw_dump(env.db)
        r = subprocess.run(
            [sys.executable, "-m", "annotator", "--db", str(env.db), "annotations", "import", env.doc, str(path)],
            check=False, capture_output=True, text=True, encoding="utf-8", env=environ, cwd=env.folder, timeout=120,
        )  # fmt: skip
        assert r.returncode == status, r.stderr
        assert message in r.stderr and "Traceback" not in r.stderr
        if status == 2:
            assert r.stdout == "" and r.stderr.startswith(f"annotator: {path}: ") and r.stderr.count("\n") == 1
            assert raw_dump(env.db) == before
    assert env.annotations() == [(0, 9, "Officials")]  # the orphan file's good annotation


# --- 100,000 annotations -----------------------------------------------------------------------------


def test_a_hundred_thousand_annotations(tmp_path, capsys):
    """One file of 100,000 annotations (both selectors, a label without an
    entity): refused as a whole when its last one is bad, imported in one go
    when it is not."""
    words = [f"w{i:06d}" for i in range(100_000)]
    text = " ".join(words) + "\n"
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "big.db"
    assert cli.main(["--db", str(db), "import", str(tmp_path / "big.txt")]) == 0
    doc = capsys.readouterr().out.split("\t")[0]
    annos, at = [], 0
    for w in words:
        annos.append(anno(pos(at, at + len(w)), quote(w), id=f"urn:uuid:{uuid.uuid4()}"))
        at += len(w) + 1
    bad = annos[:-1] + [anno(pos(9, 3))]
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    (tmp_path / "big.json").write_text(json.dumps(annos), encoding="utf-8")
    before = raw_dump(db)
    t0 = time.perf_counter()
    code = cli.main(["--db", str(db), "annotations", "import", doc, str(tmp_path / "bad.json")])
    refused = time.perf_counter() - t0
    _out, err = capsys.readouterr()
    assert code == 2 and "item 100000: TextPositionSelector 9..3 is reversed" in err
    assert raw_dump(db) == before
    t0 = time.perf_counter()
    code = cli.main(["--db", str(db), "annotations", "import", doc, str(tmp_path / "big.json")])
    imported = time.perf_counter() - t0
    out, err = capsys.readouterr()
    assert code == 0 and out == "imported 100000, unchanged 0, orphans 0\n", err
    with capsys.disabled():
        print(f"\n100,000 annotations ({(tmp_path / 'big.json').stat().st_size / 1e6:.0f} MB): "
              f"refused in {refused:.1f} s, imported in {imported:.1f} s")  # fmt: skip
    assert imported < 120  # about 12 s here; generous for a loaded machine


# --- fuzzing: the reader --------------------------------------------------------------------------------

KEYS = [
    "@context", "id", "type", "target", "selector", "start", "end", "exact", "prefix", "suffix", "body",
    "bodyValue", "value", "purpose", "motivation", "items", "first", "next", "total", "refinedBy", "source",
    "creator", "created", "modified", "generated", "format", "language", "textDirection", "processingLanguage",
    "startSelector", "endSelector", "name", "rights", "via", "canonical", "annotator:claim", "annotator:entity",
    "kind", "aliases", "latitude", "longitude", "countryCode", "links", "about", "relation", "reliability",
    "credibility", "likelihood", "stance", "sourceMention",
]  # fmt: skip
WORDS = [
    "Annotation", "AnnotationPage", "AnnotationCollection", "TextQuoteSelector", "TextPositionSelector",
    "FragmentSelector", "RangeSelector", "CssSelector", "Choice", "List", "Composite", "Independents",
    "TextualBody", "SpecificResource", "tagging", "identifying", "commenting", "ltr", CONTEXT,
    "urn:uuid:3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01", "urn:uuid:9b2e0f00-0000-4000-8000-000000000001",
    "2025-06-21T08:15:00Z", "0001-01-01T00:00:00+05:00", "actor", "location", "corroborates", "B", "2",
    "likely", "\ud83d", "\udc01", "Officials", "said", "🇸🇾", "", " ", "http://example.org/x",
]  # fmt: skip
leaves = (
    st.none() | st.booleans() | st.integers(-3, 200) | st.integers() | st.floats()
    | st.text(max_size=8) | st.sampled_from(WORDS)
)  # fmt: skip
json_values = st.recursive(
    leaves,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), kids, max_size=6),
    max_leaves=40,
)
IDS = [
    "urn:uuid:3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01", "urn:uuid:3F1C6A52-8D0E-4B8A-9C1E-0A1B2C3D4E01",
    "urn:uuid:9b2e0f00-0000-4000-8000-000000000001", "urn:uuid:9b2e0f00-0000-4000-8000-000000000002",
    "urn:uuid:nope", "#a1", "http://example.org/anno1", "not an iri",
]  # fmt: skip
QUOTES = ["Officials", "said", "troops", "🇸🇾", "\ud83c", "\udc01", "old", "𝐁", " ", "nowhere", "cafe\u0301", "\u0301"]
LABELS = ["Actor", "Location", "Claim", "Other", "New label", "\ud83d", " ", "", "x" * 300, "Syria"]
DATES = ["2025-06-21T08:15:00Z", "2025-06-21T08:15:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00",
         "yesterday", "2025-13-01", 20250621]  # fmt: skip
numbers = st.integers(-2, 90) | st.sampled_from([10**30, 2**63, 1.5, True, None, "3"])
quote_selectors = st.fixed_dictionaries(
    {"type": st.just("TextQuoteSelector"), "exact": st.sampled_from(QUOTES) | leaves},
    optional={"prefix": st.sampled_from(QUOTES) | leaves, "suffix": st.sampled_from(QUOTES) | leaves},
)
position_selectors = st.fixed_dictionaries({"type": st.just("TextPositionSelector"), "start": numbers, "end": numbers})
other_selectors = st.fixed_dictionaries(
    {"type": st.sampled_from(["FragmentSelector", "XPathSelector", "RangeSelector", "CssSelector", "SvgSelector"])},
    optional={"value": st.sampled_from(["p", "xpointer(/doc)", "char=0,4"]) | leaves},
)
selectors = st.recursive(
    quote_selectors | position_selectors | other_selectors | st.sampled_from(["http://example.org/sel1"]),
    lambda kids: st.fixed_dictionaries(
        {"type": st.sampled_from(["TextQuoteSelector", "TextPositionSelector", "FragmentSelector", "Choice"])},
        optional={"refinedBy": kids | st.lists(kids, max_size=2), "items": st.lists(kids, max_size=3),
                  "value": st.just("p"), "exact": st.sampled_from(QUOTES), "start": st.integers(0, 30),
                  "end": st.integers(0, 60)},
    ),
    max_leaves=6,
)
specific = st.fixed_dictionaries(
    {"selector": selectors | st.lists(selectors, max_size=3)},
    optional={"source": st.sampled_from(["http://example.org/page1", "urn:uuid:00000000-0000-4000-8000-000000000000"]) | leaves,
              "type": st.sampled_from(["SpecificResource", "Text"])},
)  # fmt: skip
targets = st.one_of(
    specific,
    st.lists(specific | st.sampled_from(["http://example.org/page1", "#a1"]), max_size=3),
    st.fixed_dictionaries({"type": st.sampled_from(["Choice", "List", "Composite", "Independents"]),
                           "items": st.lists(specific | st.just("http://example.org/page1"), max_size=3)}),
    st.sampled_from(["http://example.org/page1", 9, None]),
    json_values,
)  # fmt: skip
entity_records = st.fixed_dictionaries(
    {"kind": st.sampled_from(["actor", "location", "claim", 5])},
    optional={"latitude": st.sampled_from([34.4, 95, None, "x"]), "longitude": st.sampled_from([40.9, 0, None]),
              "countryCode": st.sampled_from(["SY", "syria", 5, ""]), "aliases": st.sampled_from([[], ["a"], "a", [1]]),
              "type": st.sampled_from(["", "state", "city"]) | leaves, "created": st.sampled_from(DATES)},
)  # fmt: skip
bodies = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"type": st.just("TextualBody"), "value": st.sampled_from(LABELS) | leaves},
            optional={"purpose": st.sampled_from(["tagging", "commenting", "identifying", "describing"]) | leaves},
        ),
        st.fixed_dictionaries(
            {"type": st.just("SpecificResource"), "purpose": st.just("identifying"), "source": st.sampled_from(IDS)},
            optional={"name": st.sampled_from(LABELS) | leaves, "annotator:entity": entity_records},
        ),
        st.fixed_dictionaries({"type": st.just("Choice"), "items": st.lists(st.sampled_from(LABELS), max_size=2)}),
        st.sampled_from(["http://example.org/body1", "Actor", "a note with spaces"]),
    ),
    max_size=3,
) | json_values
refs = st.sampled_from(IDS + ["Syria", ""]) | st.fixed_dictionaries(
    {}, optional={"id": st.sampled_from(IDS), "name": st.sampled_from(LABELS), "annotator:entity": entity_records}
)
claims = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(IDS), "source": refs, "sourceMention": st.sampled_from(IDS),
        "reliability": st.sampled_from(["A", "B", "F", "G", 2]), "credibility": st.sampled_from(["1", "6", "9", 2]),
        "likelihood": st.sampled_from(["", "likely", "probable"]), "stance": st.sampled_from(["asserted", "reported", "x"]),
        "about": st.lists(refs, max_size=2) | refs,
        "links": st.lists(st.fixed_dictionaries({"relation": st.sampled_from(["corroborates", "contradicts", "x"]),
                                                 "target": st.sampled_from(IDS)}), max_size=2),
    },
)  # fmt: skip
annotations = st.fixed_dictionaries(
    {"type": st.sampled_from(["Annotation", "Annotation", ["Annotation"], "Squirrel"]), "target": targets},
    optional={
        "@context": st.sampled_from([CONTEXT, [CONTEXT, {"annotator": "x"}], "fish"]),
        "id": st.sampled_from(IDS) | leaves,
        "motivation": st.sampled_from(["tagging", "commenting", ["tagging"], "squirrelling", 5]),
        "body": bodies,
        "bodyValue": st.sampled_from(LABELS) | leaves,
        "creator": st.sampled_from(["Rana", {"name": "Bo"}, [{"nickname": "jo"}], 6]) | json_values,
        "created": st.sampled_from(DATES) | leaves,
        "modified": st.sampled_from(DATES),
        "annotator:claim": claims | json_values,
    },
)  # fmt: skip
spans = st.tuples(st.integers(0, N + 3), st.integers(0, 6)).map(lambda t: pos(t[0], t[0] + t[1]))
friendly = st.fixed_dictionaries(
    {"@context": st.just(CONTEXT), "type": st.just("Annotation"),
     "target": st.fixed_dictionaries({"selector": st.lists(spans | st.sampled_from(QUOTES[:4] + QUOTES[6:]).map(quote),
                                                           min_size=1, max_size=2)})},
    optional={"body": bodies, "id": st.sampled_from(IDS[:4]), "annotator:claim": claims,
              "created": st.sampled_from(DATES[:2]), "creator": st.sampled_from(["Rana", {"name": "Bo"}])},
)  # fmt: skip
"""Annotations that mostly pass the reader, to reach the import behind it."""
files = json_values | st.lists(annotations, max_size=4) | annotations | st.fixed_dictionaries(
    {"type": st.just("AnnotationPage"), "items": st.lists(annotations, max_size=3)}, optional={"next": json_values}
)

FUZZ = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _parse(data, name="f.json"):
    """parse_w3c, which must either read or refuse with one line naming the file."""
    try:
        drafts = parse_w3c(data, name)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(f"{name}: ") and "\n" not in message and len(message) < 2000, message
        event("refused")
        return None
    assert all(isinstance(d, AnnotationDraft) for d in drafts)
    return drafts


@FUZZ
@given(files)
def test_fuzz_the_reader_never_raises_anything_but_input_error(value):
    drafts = _parse(json.dumps(value))
    for d in drafts or ():
        assert d.problem or d.quote is not None or d.start is not None
        if d.start is not None:
            assert isinstance(d.start, int) and 0 <= d.start <= d.end
        if d.quote is not None:
            assert d.quote.exact


@FUZZ
@given(st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_fuzz_the_reader_with_any_bytes(data):
    _parse(data)


@pytest.fixture(scope="module")
def fuzz_desk(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    desk = Desk(db.repo, "fuzzer")
    desk.ensure_tagset()
    yield desk, desk.import_document(TEXT, "Fuzz").document
    db.close()


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(friendly | annotations, min_size=1, max_size=3))
def test_fuzz_what_the_reader_accepts_imports_cleanly(fuzz_desk, value):
    desk, doc = fuzz_desk
    drafts = _parse(json.dumps(value))
    if not drafts:
        return
    try:
        report = desk.import_annotations(doc.id, drafts)
    except AnnotatorError as exc:  # a claim or entity the file gets wrong: one line, nothing written
        assert "\n" not in str(exc)
        event(f"import refused: {type(exc).__name__}")
        return
    event("imported some" if report.added else "all orphans")
    for ann_id in report.added:
        a = desk.repo.get_annotation(ann_id)
        assert 0 <= a.start < a.end <= N and TEXT[a.start : a.end] == a.exact
    assert all(o.reason for o in report.orphans)


# --- fuzzing: anchoring ----------------------------------------------------------------------------------

PIECES = [
    "a", "b", "e", " ", "\n", "said", ".", "👨‍👩‍👧", "🇸🇾", "🇮🇶", "🙂", "𝐁", "قال", "البوكمال", "\u0651", "\u0301",
    "x\u0308", "\u200d", "\u200c", "ﷺ", "\U0001F3FD",
]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), min_size=1, max_size=30).map("".join)


@st.composite
def drafts_for(draw, text):
    """A draft as a file might give it for ``text``: right, shifted, counted in
    UTF-16, garbage or absent positions; a right, altered or foreign quote."""
    n = len(text)
    s = draw(st.integers(0, n))
    e = draw(st.integers(s, n))
    tm = TextMap(text)
    start, end = draw(
        st.sampled_from([(s, e), (tm.to_utf16(s), tm.to_utf16(e)), (None, None)])
        | st.tuples(st.integers(-5, n + 5), st.integers(-5, n + 5))
    )
    q = make_quote(text, s, e)
    kind = draw(st.sampled_from(["right", "no context", "other context", "foreign", "none"]))
    if kind == "right":
        found = q
    elif kind == "no context":
        found = Quote(q.exact)
    elif kind == "other context":
        found = Quote(q.exact, draw(st.lists(st.sampled_from(PIECES), max_size=3).map("".join)), draw(st.sampled_from(PIECES)))
    elif kind == "foreign":
        found = Quote(draw(texts))
    else:
        found = None
    if found is not None and not found.exact:
        found = None
    return AnnotationDraft(label="Other", start=start, end=end, quote=found)


@FUZZ
@given(st.data())
def test_fuzz_anchoring_never_claims_a_span_the_quote_does_not_hold(data):
    text = data.draw(texts)
    draft = data.draw(drafts_for(text))
    got = anchor_draft(text, draft)
    event("orphan" if isinstance(got, str) else "anchored")
    if isinstance(got, str):
        assert got  # an orphan always says why
        assert draft.quote is None or draft.quote.exact not in text  # a quote in the text is always found
        return
    a, b = got
    assert 0 <= a < b <= len(text)
    if draft.quote is not None:
        assert text[a:b] == draft.quote.exact
    else:
        assert (a, b) == (draft.start, draft.end) and is_grapheme_aligned(text, a, b)


@FUZZ
@given(st.data())
def test_fuzz_resolve_quote_and_the_utf16_reading(data):
    text = data.draw(texts)
    exact = data.draw(texts | st.sampled_from(PIECES))
    hint = data.draw(st.none() | st.integers(-10, len(text) + 10))
    anchor = resolve_quote(text, Quote(exact), hint)
    if anchor.found:
        assert text[anchor.start : anchor.end] == exact
    else:
        assert exact not in text
    start, end = data.draw(st.integers(-3, 2 * len(text) + 3)), data.draw(st.integers(-3, 2 * len(text) + 3))
    span = utf16_reading(text, start, end, exact)
    if span is not None:
        assert text[span[0] : span[1]] == exact
        assert TextMap(text).span_to_utf16(*span) == (start, end)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_w3c_files_for_unicode_texts_import_exactly(fuzz_desk, data):
    """A text with emoji, flags, Arabic and marks; a W3C file of drafts for it,
    quotes maybe cut in the middle of a surrogate pair as a UTF-16 tool would;
    what is stored always quotes the document exactly."""
    desk, _doc = fuzz_desk
    text = data.draw(texts)
    try:
        doc = desk.import_document(text, "Fuzz text").document
    except InputError:  # a text of spaces only, say
        return
    items = []
    for _ in range(data.draw(st.integers(1, 4))):
        d = data.draw(drafts_for(doc.text))
        sels = [] if d.start is None else [pos(d.start, d.end)]
        if d.quote is not None:
            exact = d.quote.exact
            if data.draw(st.booleans()):  # as UTF-16 slicing would cut it: half a pair at either end
                units = exact.encode("utf-16-le", "surrogatepass")
                cut = data.draw(st.integers(0, 1)) * 2
                exact = units[cut : len(units) - data.draw(st.integers(0, 1)) * 2].decode("utf-16-le", "surrogatepass")
            if exact:
                sels.append(quote(exact, d.quote.prefix, d.quote.suffix))
        items.append(anno(*sels) if sels else anno(pos(0, 0)))
    drafts = _parse(json.dumps(items))
    if not drafts:
        return
    report = desk.import_annotations(doc.id, drafts)
    event("imported some" if report.added else "all orphans")
    for ann_id in report.added:
        a = desk.repo.get_annotation(ann_id)
        assert doc.text[a.start : a.end] == a.exact and a.exact
        assert doc.text[: a.start].endswith(a.prefix) and doc.text[a.end :].startswith(a.suffix)
    assert len(report.added) + len(report.orphans) + len(report.unchanged) == len(drafts)
