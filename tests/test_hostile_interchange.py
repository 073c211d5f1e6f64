"""Hostile annotation files, round two (issue 17), through the command and
the interchange entry point it shares with the desk.

* W3C annotations whose ids are another document's annotations: nothing of
  them lands, each is named with the document it belongs to and what to do,
  and the command exits 3.
* A label name holding a control character (NUL, escape, tab, DEL, C1) is
  refused: W3C, one line naming the annotation, exit 2, nothing written;
  brat, the ``T`` line is an orphan and another line with such a type is left
  out, each named.
* 5,000 new labels from one W3C file are made in a bounded number of
  statements (the tagset was scanned, and a row inserted, once per label).
* brat import then export gives the ``.ann`` back line for line: same order,
  ``R`` lines with or without brat's trailing tab as they came.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import event

from annotator.core.services import Desk
from annotator.io.interchange import export_annotation_file, import_annotation_file
from annotator.store.database import open_database
from tests.merge_helpers import raw_dump
from tests.cli_helpers import cli_runner

DATA = Path(__file__).parent / "data"
ROUNDTRIP = DATA / "brat_roundtrip"
TEXT_A = "Syria sent troops to the border. Damascus denied it.\n"
TEXT_B = "Reports say Syria sent troops. Iraq watched.\n"
CONTEXT = "http://www.w3.org/ns/anno.jsonld"



@pytest.fixture
def env(tmp_path, capsys):
    """A database of two documents, A and B (both say "Syria sent troops")."""
    db = tmp_path / "a.db"

    run = cli_runner(db, capsys)

    (tmp_path / "alpha.txt").write_text(TEXT_A, encoding="utf-8")
    (tmp_path / "beta.txt").write_text(TEXT_B, encoding="utf-8")
    code, out, err = run("import", tmp_path / "alpha.txt", tmp_path / "beta.txt")
    assert code == 0, err
    (run.doc_a, run.title_a), (run.doc_b, _title_b) = (line.split("\t") for line in out.splitlines())
    run.db, run.folder = db, tmp_path
    return run


def annotation(label: str, exact: str = "Syria", ann_id: uuid.UUID | None = None, **extra) -> dict:
    item = {
        "@context": CONTEXT,
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": label}],
        "target": {"selector": {"type": "TextQuoteSelector", "exact": exact}},
        **extra,
    }
    if ann_id is not None:
        item["id"] = f"urn:uuid:{ann_id}"
    return item


def w3c_file(env, items: list[dict], name: str = "in.json") -> Path:
    path = env.folder / name
    path.write_text(json.dumps(items), encoding="utf-8")
    return path


# --- 1. another document's annotations -------------------------------------------------------


def test_annotations_of_another_document_are_named_and_exit_3(env):
    mine = uuid.uuid4()
    path = w3c_file(env, [annotation("Actor", ann_id=mine)])
    assert env("annotations", "import", env.doc_a, path)[:2] == (0, "imported 1, unchanged 0, orphans 0\n")
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc_b, path)
    assert code == 3
    assert out == "imported 0, unchanged 0, orphans 0, in other documents 1\n"
    [line] = err.splitlines()
    assert line == (
        f"left out: item 1 (urn:uuid:{mine}): not imported: it already belongs to document {env.doc_a} "
        f"'{env.title_a}'; import it there, or remove its id to import it here as new"
    )
    assert raw_dump(env.db) == before
    # in its own document it is simply unchanged
    assert env("annotations", "import", env.doc_a, path)[:3] == (0, "imported 0, unchanged 1, orphans 0\n", "")


def test_the_rest_of_the_file_is_imported_and_a_deleted_one_says_so(env):
    theirs, gone = uuid.uuid4(), uuid.uuid4()
    seed = w3c_file(env, [annotation("Actor", ann_id=theirs), annotation("Location", "Damascus", ann_id=gone)], "a.json")
    assert env("annotations", "import", env.doc_a, seed)[0] == 0
    db = open_database(env.db)
    try:
        Desk(db.repo, "tester").delete_annotation(gone)
    finally:
        db.close()
    mixed = w3c_file(env, [annotation("Actor", ann_id=theirs), annotation("Location", "Iraq"), annotation("Location", ann_id=gone)])
    code, out, err = env("annotations", "import", env.doc_b, mixed)
    assert code == 3
    assert out == "imported 1, unchanged 0, orphans 0, in other documents 2\n"
    lines = err.splitlines()
    assert f"item 1 (urn:uuid:{theirs}): not imported: it already belongs to document {env.doc_a}" in lines[0]
    assert lines[1].endswith(f"item 3 (urn:uuid:{gone}): not imported: it already belongs to document {env.doc_a} "
                             f"'{env.title_a}' (deleted there); remove its id to import it here as new")  # fmt: skip


# --- 2. control characters in label names ---------------------------------------------------

CONTROLS = [("NUL", "\x00", "U+0000"), ("escape", "\x1b[2J", "U+001B"), ("tab", "\t", "U+0009"),
            ("line feed", "\n", "U+000A"), ("DEL", "\x7f", "U+007F"), ("C1 CSI", "\x9b", "U+009B")]  # fmt: skip
SHAPES = {
    "one tag": {},
    "two bodies": {"body": [{"type": "TextualBody", "purpose": "tagging", "value": "LABEL"},
                            {"type": "TextualBody", "purpose": "commenting", "value": "a note"}]},  # fmt: skip
    "the full reader": {"generator": "someone"},  # a key the plain-shape reader leaves to the full one
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("char, code_point", [c[1:] for c in CONTROLS], ids=[c[0] for c in CONTROLS])
def test_w3c_label_with_a_control_character_is_refused(env, char, code_point, shape):
    ann_id = uuid.uuid4()
    label = f"Act{char}or"
    item = annotation(label, ann_id=ann_id, **SHAPES[shape])
    if "body" in SHAPES[shape]:
        item["body"][0]["value"] = label
    path = w3c_file(env, [annotation("Location", "troops"), item])
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc_a, path)
    assert (code, out) == (2, "")
    [line] = err.splitlines()
    assert f"{path}: item 2 (urn:uuid:{ann_id}): the label 'Act" in line
    assert f"holds a control character ({code_point}), which a label name cannot hold" in line
    assert raw_dump(env.db) == before


BRAT_CONTROLS = [c for c in CONTROLS if c[0] not in ("NUL", "tab", "line feed")]
"""(A NUL makes the .ann a binary file, refused whole; a tab or line break ends a field or line.)"""


@pytest.mark.parametrize("char, code_point", [c[1:] for c in BRAT_CONTROLS], ids=[c[0] for c in BRAT_CONTROLS])
def test_brat_type_with_a_control_character_is_an_orphan_or_left_out(env, char, code_point):
    char = char[0]
    path = env.folder / "x.ann"
    path.write_text(
        f"T1\tAct{char}or 0 5\tSyria\nT2\tLocation 11 17\ttroops\nR1\tpart{char}ner Arg1:T2 Arg2:T1\nA1\tNeg{char} T2\n",
        encoding="utf-8",
    )
    code, out, err = env("annotations", "import", env.doc_a, path)
    assert code == 3
    assert out.startswith("imported 1, unchanged 0, orphans 1")
    why = f"holds a control character ({code_point}), which a label name cannot hold"
    lines = err.splitlines()
    assert [x for x in lines if x.startswith("orphan:")] == [f"orphan: {path}:1 T1: the type 'Act\\x{ord(char):02x}or' {why}"]
    assert f"left out: {path}:3: R1: the type 'part\\x{ord(char):02x}ner' {why}; left out" in lines
    assert f"left out: {path}:4: A1: the type 'Neg\\x{ord(char):02x}' {why}; left out" in lines
    assert not [x for x in lines if x.startswith("new label:") and "Act" in x]


# --- 3. thousands of new labels --------------------------------------------------------------


@pytest.mark.timeout(120)
def test_five_thousand_new_labels_in_a_bounded_number_of_statements(tmp_path):
    n = 5000
    db = open_database(tmp_path / "a.db")
    try:
        desk = Desk(db.repo, "tester")
        doc = desk.import_document("word " * 50, "t").document
        path = tmp_path / "labels.json"
        path.write_text(json.dumps([annotation(f"label {i}", "word") for i in range(n)]), encoding="utf-8")
        statements = []
        event.listen(db.repo.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        result = import_annotation_file(desk, doc.id, path)
        assert len(result.report.added) == n and len(result.report.labels_added) == n
        assert len(statements) < 50  # one batch of labels, not one INSERT (or scan) per label
        names = {lb.name for lb in db.repo.labels()}
        assert {f"label {i}" for i in range(n)} <= names
        positions = sorted(lb.position for lb in db.repo.labels())
        assert positions == list(range(len(positions)))  # each new label after the last
    finally:
        db.close()


# --- 4. brat round trips -----------------------------------------------------------------------


def _round_trip(tmp_path, txt: Path, ann: Path) -> tuple[str, list[str]]:
    db = open_database(tmp_path / "rt.db")
    try:
        desk = Desk(db.repo, "tester")
        doc = desk.import_document(txt.read_text("utf-8"), txt.stem).document
        result = import_annotation_file(desk, doc.id, ann)
        assert result.report.orphans == []
        out = tmp_path / "out" / "copy.ann"
        out.parent.mkdir()
        written, problems = export_annotation_file(db.repo, db.repo.get_document(doc.id), out)
        assert problems == [] and written == [out, out.with_suffix(".txt")]
        return out.read_bytes().decode("utf-8"), result.problems
    finally:
        db.close()


@pytest.mark.parametrize("name", ["introduction", "note_annotation", "tool_style"])
def test_brat_file_round_trips_byte_for_byte(tmp_path, name):
    ann = ROUNDTRIP / f"{name}.ann"
    text, problems = _round_trip(tmp_path, ROUNDTRIP / f"{name}.txt", ann)
    assert problems == []
    assert text == ann.read_bytes().decode("utf-8")


def test_a_crlf_ann_round_trips_after_newline_normalisation(tmp_path):
    source = (ROUNDTRIP / "tool_style.ann").read_bytes()
    crlf = tmp_path / "crlf.ann"
    crlf.write_bytes(source.replace(b"\n", b"\r\n"))
    text, _ = _round_trip(tmp_path, ROUNDTRIP / "tool_style.txt", crlf)
    assert text == source.decode("utf-8")


@pytest.mark.parametrize("name", ["000-introduction", "060-relation_annotation", "110-note_annotation"])
def test_brat_examples_come_back_but_for_the_lines_reported(tmp_path, name):
    """Events and equivalences have no place in Annotator; every other line
    comes back where it was, as it was."""
    ann = DATA / "brat" / f"{name}.ann"
    text, problems = _round_trip(tmp_path, DATA / "brat" / f"{name}.txt", ann)
    reported = {int(p.split(":")[1]) for p in problems}
    assert reported  # each of these files has an event or an equivalence
    kept = [line for n, line in enumerate(ann.read_text("utf-8").splitlines(keepends=True), 1) if n not in reported]
    assert text == "".join(kept)
