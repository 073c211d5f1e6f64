"""Fuzzing the importers: whatever the bytes, they read or refuse with one
line naming the file (:class:`InputError`), never anything else; what they
store quotes the document exactly.

* brat: ``parse_ann`` on any text or bytes; ``import_brat`` with random
  ``T`` lines (random, negative, reversed, past-the-end and discontinuous
  offsets, texts that fit or not) and ``R``/``A``/``N``/``#``/``E``/``*``
  lines referring to random ids, against random texts with emoji, Arabic and
  combining marks, with or without a ``.txt`` beside (the same text with a
  BOM and CRLFs, or another text);
* documents: ``load_document_file`` for ``.txt``, ``.md`` and ``.html`` on
  random bytes and random markup; ``.docx`` on random zips and on a minimal
  Word package holding random WordprocessingML;
* canonical decoding on any bytes: refused, or text with no CR, no leading
  BOM, that canonicalising again leaves as it is; valid UTF-8 and
  UTF-8/16/32 with a BOM round-trip.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from annotator.core.canonical import canonical_from_string, decode, normalise_newlines
from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io.brat import _flat, _OffsetMap, import_brat, parse_ann
from annotator.io.documents import load_document_file
from annotator.store.database import open_database

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def refused_cleanly(exc: InputError, name: str) -> None:
    message = str(exc)
    assert message.startswith(f"{name}") and "\n" not in message and len(message) < 2000, message


# --- brat ---------------------------------------------------------------------------------------

PIECES = ["Syria", "سوريا", "قال", "😀", "👨‍👩‍👧", "🇸🇾", "e\u0301", "a\u0308\u0323", "\u200f", " ", "  ", "\n", "\r\n",
          "\t", ".", "troops", "الحدود", "x"]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), min_size=1, max_size=40).map("".join).filter(
    lambda t: canonical_from_string(t).strip() and "\x00" not in t
)


@FUZZ
@given(st.text(max_size=400))
def test_parse_ann_on_any_text(data):
    try:
        parsed = parse_ann(data, "fuzz.ann")
    except InputError as exc:
        refused_cleanly(exc, "fuzz.ann")
        return
    assert all("\n" not in p for p in parsed.problems)


@FUZZ
@given(st.binary(max_size=400) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_parse_ann_on_any_bytes(data):
    try:
        parse_ann(data, "fuzz.ann")
    except InputError as exc:
        refused_cleanly(exc, "fuzz.ann")


@st.composite
def ann_files(draw, text: str) -> str:
    """A .ann for ``text``: T lines whose offsets fit or not, other lines referring to any id."""
    n = len(text)
    offset = st.integers(-3, n + 5) | st.integers(0, max(n, 0))
    lines: list[str] = []
    tids = [f"T{i}" for i in range(1, draw(st.integers(0, 8)) + 1)]
    for tid in tids:
        spans = draw(st.lists(st.tuples(offset, offset), min_size=1, max_size=3))
        if n and draw(st.integers(0, 3)):  # mostly well-formed: in range, not empty, not overlapping
            cuts = sorted(draw(st.sets(st.integers(0, n), min_size=2, max_size=6)))
            spans = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
            spans = draw(st.permutations(spans)) if draw(st.integers(0, 4)) == 0 else spans
        body = ";".join(f"{s} {e}" for s, e in spans)
        if draw(st.integers(0, 3)):
            surface = " ".join(text[max(s, 0) : max(e, 0)] for s, e in spans)
            surface = _flat(surface)
        else:
            surface = draw(st.text(max_size=8))
        label = draw(st.sampled_from(["Person", "Location", "Claim", "Actor", "ORG", "Weapon", "X-Y", "a:b"]))
        lines.append(f"{tid}\t{label} {body}\t{surface}")
    ids = tids + ["T99", "R1", "E1", "#1", ""]
    for i in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from("RANM#E*Q"))
        a, b = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        lines.append({
            "R": f"R{i + 1}\tRel Arg1:{a} Arg2:{b}\t",
            "A": f"A{i + 1}\tNegated {a}" + draw(st.sampled_from(["", " Yes", " a b"])),
            "N": f"N{i + 1}\tReference {a} Wikidata:Q{i}\t{draw(st.text(max_size=5))}",
            "M": f"M{i + 1}\tSpeculation {a}",
            "#": f"#{i + 1}\tAnnotatorNotes {a}\t{draw(st.text(max_size=10))}",
            "E": f"E{i + 1}\tAttack:{a} Target:{b}",
            "*": f"*\tEquiv {a} {b}",
            "Q": draw(st.text(max_size=20)),
        }[kind])  # fmt: skip
    lines = draw(st.permutations(lines)) if lines else lines
    return "\n".join(line.replace("\r", " ").replace("\n", " ") for line in lines) + "\n"


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("fuzz-brat") / "fuzz.db")
    yield Desk(db.repo, "fuzzer")
    db.close()


def _stored_exactly(desk: Desk, doc) -> None:
    n = len(doc.text)
    for a in desk.repo.annotations(doc.id):
        assert 0 <= a.start < a.end <= n, (a.start, a.end, n)
        assert doc.text[a.start : a.end] == a.exact
        if a.fragments:
            assert len(a.fragments) >= 2 and a.fragments[0][0] == a.start and a.fragments[-1][1] == a.end
            for (s, e), nxt in zip(a.fragments, [*a.fragments[1:], None], strict=True):
                assert 0 <= s < e <= n
                assert nxt is None or e <= nxt[0]  # in order, not overlapping


class _Rollback(Exception):
    pass


@contextmanager
def scratch(desk: Desk):
    """One transaction, rolled back: every example starts from the same (empty) database."""
    try:
        with desk.repo.transaction():
            yield
            raise _Rollback
    except _Rollback:
        desk.index.forget()  # it learnt the entities the rolled-back imports made


@SLOW
@given(st.data())
def test_import_brat_stores_only_exact_spans(desk, data):
    with scratch(desk):
        _import_brat_example(desk, data)


def _import_brat_example(desk: Desk, data) -> None:
    text = data.draw(texts)
    doc = desk.import_document(text, "Fuzz").document
    beside = data.draw(st.sampled_from(["none", "same", "bom-crlf", "other"]))
    raw = {"none": None, "same": doc.text, "bom-crlf": "\ufeff" + doc.text.replace("\n", "\r\n"),
           "other": data.draw(texts) if beside == "other" else None}[beside]  # fmt: skip
    ann = data.draw(ann_files(raw if raw is not None else doc.text))  # brat's offsets count the .txt as it is
    try:
        parsed = parse_ann(ann, "fuzz.ann")
    except InputError as exc:
        refused_cleanly(exc, "fuzz.ann")
        return
    parsed.raw_text, parsed.txt_name = raw, "fuzz.txt"
    try:
        result = import_brat(desk, doc.id, parsed)
    except InputError as exc:
        refused_cleanly(exc, "fuzz")
        return
    _stored_exactly(desk, doc)
    strict = parsed.raw_text is None or canonical_from_string(parsed.raw_text) == doc.text
    mapping = _OffsetMap(parsed.raw_text) if parsed.raw_text is not None else (lambda x: x)
    by_id = {tb.id: tb for tb in parsed.textbounds}
    extras = {x.annotation_id: x.value for x in desk.repo.annotation_extras(doc.id) if x.kind == "source_id"}
    for ann_id in result.report.added:
        a = desk.repo.get_annotation(ann_id)
        tb = by_id[extras[ann_id]["id"]]
        if strict:  # where the line says, and the line's text is there (fragments joined by one space)
            spans = [(mapping(s), mapping(e)) for s, e in tb.spans]
            assert a.pieces() == sorted(spans)
            assert _flat(" ".join(doc.text[s:e] for s, e in spans)) == _flat(tb.text)
    assert all(o.reason and "\n" not in o.reason for o in result.report.orphans)
    assert all("\n" not in p for p in result.problems)
    event(f"{beside}: {'some' if result.report.added else 'none'} added, {'some' if result.report.orphans else 'no'} orphans")
    if any(desk.repo.get_annotation(i).fragments for i in result.report.added):
        event("a discontinuous annotation added")


def test_import_brat_with_a_bom_and_crlf_txt_maps_offsets(desk):
    """The brat offsets count the BOM and each CR of the .txt beside."""
    text = "\ufeffSyria 😀\r\nقال e\u0301"
    doc = desk.import_document(text, "BOM").document
    parsed = parse_ann("T1\tActor 1 6\tSyria\nT2\tOther 10 13\tقال\nT3\tOther 14 16\te\u0301\n", "x.ann")
    parsed.raw_text, parsed.txt_name = text, "x.txt"
    result = import_brat(desk, doc.id, parsed)
    got = sorted(desk.repo.get_annotation(i).exact for i in result.report.added)
    assert got == sorted(["Syria", "قال", "e\u0301"]) and not result.report.orphans


# --- documents ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-docs")


def _load(path: Path, data: bytes):
    path.write_bytes(data)
    try:
        loaded = load_document_file(path)
    except InputError as exc:
        refused_cleanly(exc, str(path))
        event(f"{path.suffix} refused: {str(exc)[len(str(path)) + 2:][:30]}")
        return None
    event(f"{path.suffix} read")
    assert loaded.text.strip() and "\r" not in loaded.text and not loaded.text.startswith("\ufeff")
    assert canonical_from_string(loaded.text) == loaded.text
    assert "\n" not in loaded.title
    return loaded


BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE]
any_bytes = st.binary(max_size=300) | st.tuples(st.sampled_from(BOMS), st.binary(max_size=200)).map(b"".join)


@FUZZ
@given(any_bytes, st.sampled_from([".txt", ".md", ".html", ".htm"]))
@example(codecs.BOM_UTF8, ".txt")  # only a BOM: was read as an empty document
@example(codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"), ".md")
def test_text_documents_on_any_bytes(folder, data, suffix):
    _load(folder / f"fuzz{suffix}", data)


TAGS = ["<p>", "</p>", "<br>", "<h1>", "</h1>", "<title>", "</title>", "<script>", "</script>", "<style>", "<pre>",
        "</pre>", "<table><tr><td>", "</td><td>", "</tr></table>", "<li>", "<div hidden>", "</div>",
        '<span style="display:none">', "</span>", "<textarea>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&nbsp;",
        "&#0;", "&#x10FFFF;", "&#xD800;", "&#99999999999;", "&bogus;", "<html lang='ar'>", "<meta charset='latin-1'>",
        "<meta charset=\"no-such\">", "<plaintext>", "<svg><p>x</p></svg>", "<", ">", "\r\n", "\r", " ", "\t"]  # fmt: skip
markup = st.lists(st.sampled_from(TAGS) | st.sampled_from(PIECES) | st.text(max_size=4), max_size=40).map("".join)


@FUZZ
@given(markup, st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_html_on_random_markup(folder, page, encoding):
    data = page.encode(encoding, "replace") if encoding != "utf-16" else page.encode("utf-16", "surrogatepass")
    _load(folder / "fuzz.html", data)


DOCX_NAMES = ["word/document.xml", "[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels",
              "word/styles.xml", "word/footnotes.xml", "word/endnotes.xml", "docProps/core.xml", "word/media/x.png",
              "WORD/DOCUMENT.XML", "word/../word/document.xml", "/abs.xml", "a" * 300]  # fmt: skip
XMLISH = st.lists(st.sampled_from(["<", ">", "</", "/>", "w:", "=", '"', "<w:document", "<w:body>", "<w:p>", "<w:t>",
                                   "<?xml version='1.0'?>", "<!DOCTYPE x>", "&lt;", "&x;", "]]>"]) | st.text(max_size=5),
                  max_size=30).map("".join)  # fmt: skip


def _zip(members: list[tuple[str, bytes]], compress: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as z:
        for name, content in members:
            z.writestr(name, content)
    return buf.getvalue()


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(DOCX_NAMES) | st.text(min_size=1, max_size=12),
                       st.binary(max_size=200) | XMLISH.map(str.encode)), max_size=6),
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    st.integers(0, 3),
)  # fmt: skip
def test_docx_on_random_zips(folder, members, compress, damage):
    data = _zip(list({n.replace("\x00", "_"): c for n, c in members}.items()), compress)
    if damage and len(data) > 30:  # a byte flipped, or cut short
        data = data[: len(data) * damage // 4] if damage == 3 else data[:20] + bytes([data[20] ^ 0xFF]) + data[21:]
    _load(folder / "fuzz.docx", data)


NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
     'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ' \
     'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ' \
     'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'  # fmt: skip
ELEMENTS = ["w:p", "w:r", "w:t", "w:tab", "w:br", "w:cr", "w:tbl", "w:tr", "w:tc", "w:tcPr", "w:vMerge", "w:ins",
            "w:del", "w:delText", "w:instrText", "w:fldSimple", "w:hyperlink", "w:smartTag", "w:sdt", "w:sdtContent",
            "w:customXml", "w:pPr", "w:pStyle", "w:numPr", "w:outlineLvl", "w:footnoteReference", "w:endnoteReference",
            "w:drawing", "w:pict", "wps:txbx", "w:txbxContent", "mc:AlternateContent", "mc:Choice", "mc:Fallback",
            "w:noBreakHyphen", "w:ptab", "w:moveTo", "w:body", "w:footnote", "w:rPr"]  # fmt: skip
ATTRS = st.dictionaries(st.sampled_from(["w:val", "w:id", "w:type", "r:id", "Requires"]),
                        st.sampled_from(["1", "2", "0", "-1", "continue", "restart", "Heading1", "List", "normal",
                                         "separator", "9", "", "wps", "x"]), max_size=2)  # fmt: skip
WORDS = st.sampled_from(PIECES) | st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)


def _element(name: str, attrs: dict, children: list[str]) -> str:
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items())
    return f"<{name}{attributes}>{''.join(children)}</{name}>"


leaves = st.one_of(
    WORDS.map(escape),
    WORDS.map(lambda w: f"<w:t>{escape(w)}</w:t>"),
    WORDS.map(lambda w: f"<w:p><w:r><w:t xml:space='preserve'>{escape(w)}</w:t></w:r></w:p>"),
    st.sampled_from(["<w:tab/>", "<w:br/>", "<w:cr/>", '<w:footnoteReference w:id="1"/>', '<w:footnoteReference w:id="2"/>',
                     '<w:endnoteReference w:id="1"/>', '<w:vMerge/>', '<w:pStyle w:val="Heading1"/>', "<w:numPr/>"]),
)  # fmt: skip
xml_nodes = st.recursive(
    leaves,
    lambda kids: st.builds(_element, st.sampled_from(ELEMENTS), ATTRS, st.lists(kids, max_size=4)),
    max_leaves=25,
)
STYLES = (f'<w:styles {NS}><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
          '<w:style w:type="paragraph" w:styleId="List"><w:pPr><w:numPr/></w:pPr></w:style></w:styles>')  # fmt: skip
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://x/styles" Target="styles.xml"/>'
        '<Relationship Id="rId2" Type="http://x/footnotes" Target="footnotes.xml"/>'
        '<Relationship Id="rId3" Type="http://x/endnotes" Target="../word/./footnotes.xml"/></Relationships>')  # fmt: skip


@FUZZ
@given(st.lists(xml_nodes, max_size=5), st.lists(xml_nodes, max_size=3))
def test_docx_with_random_wordprocessingml(folder, body, notes):
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{"".join(body)}</w:body></w:document>'
    footnotes = f"<w:footnotes {NS}>" + "".join(
        f'<w:footnote w:id="{i}">{n}</w:footnote>' for i, n in enumerate(notes, 1)
    ) + "</w:footnotes>"  # fmt: skip
    data = _zip([("word/document.xml", document.encode()), ("word/_rels/document.xml.rels", RELS.encode()),
                 ("word/styles.xml", STYLES.encode()), ("word/footnotes.xml", footnotes.encode())],
                zipfile.ZIP_DEFLATED)  # fmt: skip
    loaded = _load(folder / "random.docx", data)
    if loaded is not None:
        assert "\x00" not in loaded.text


# --- canonical decoding -------------------------------------------------------------------------


@FUZZ
@given(any_bytes)
@example(codecs.BOM_UTF8 * 2 + b"x")
def test_decode_any_bytes(data):
    try:
        text = decode(data, "fuzz.txt")
    except InputError as exc:
        refused_cleanly(exc, "fuzz.txt")
        return
    assert "\r" not in text and "\x00" not in text and not text.startswith("\ufeff")
    assert canonical_from_string(text) == text  # canonical text is a fixed point


ENCODINGS = [("", "utf-8"), ("bom", "utf-8"), ("bom", "utf-16-le"), ("bom", "utf-16-be"), ("bom", "utf-32-le"),
             ("bom", "utf-32-be")]  # fmt: skip
BOM_OF = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
          "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(PIECES + ["\ufeff", "\r", "\x00"]) | st.text(max_size=4), max_size=30).map("".join),
       st.sampled_from(ENCODINGS))  # fmt: skip
@example("\ufeff", ("bom", "utf-8"))  # a file saved twice with a BOM: decoded text was not canonical
@example("\ufeffSyria\r\n", ("bom", "utf-16-le"))
def test_valid_utf_round_trips(text, encoding):
    bom, codec = encoding
    assume(not (bom and codec == "utf-16-le" and text.startswith("\x00")))  # FF FE 00 00 is the UTF-32-LE BOM
    data = (BOM_OF[codec] if bom else b"") + text.encode(codec)
    if "\x00" in text:
        with pytest.raises(InputError):
            decode(data, "f.txt")
        return
    expected = normalise_newlines(text).lstrip("\ufeff")
    got = decode(data, "f.txt")
    assert got == expected
    assume(got)
    assert decode(got.encode("utf-8"), "again.txt") == got  # canonical text written out reads back the same
