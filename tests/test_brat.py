"""brat standoff: reading, anchoring, writing back, round trips."""

from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.model import LabelKind
from annotator.core.services import Desk
from annotator.io.brat import brat_ann, import_brat, parse_ann, read_brat_file, write_brat
from annotator.io.documents import import_files
from annotator.store.database import open_database
from tests.cli_helpers import cli_runner

DATA = Path(__file__).parent / "data" / "brat"
EXAMPLES = ["000-introduction", "060-relation_annotation", "110-note_annotation"]


@pytest.fixture
def desk(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield Desk(db.repo, "ana")
    db.close()


def _lines(text: str) -> set[str]:
    """T/R/A/M/N/# lines, normalised (brat writes R lines with a trailing tab)."""
    return {line.rstrip("\t") for line in text.splitlines() if line.strip() and line[0] in "TRAMN#"}


def _refers_to_event(line: str) -> bool:
    head = line.split("\t")[1].split(" ")
    return len(head) > 1 and head[1].startswith("E")


@pytest.mark.parametrize("name", EXAMPLES)
def test_brat_examples_round_trip(desk, name):
    [imp] = import_files(desk, [DATA / f"{name}.txt"])
    doc = imp.document
    result = import_brat(desk, doc.id, read_brat_file(DATA / f"{name}.ann"))
    assert result.report.orphans == []
    out, problems = brat_ann(desk.repo, doc)
    assert problems == []
    source = (DATA / f"{name}.ann").read_text("utf-8")
    held = {line for line in _lines(source) if not _refers_to_event(line)}
    assert _lines(out) == held
    # what was not held was reported, line by line
    not_held = [line for line in source.splitlines() if line[:1] in "E*" or (line[:1] in "TRAMN#" and _refers_to_event(line))]
    assert len(result.problems) == len(not_held)


def test_what_cannot_be_held_is_reported(desk):
    [imp] = import_files(desk, [DATA / "000-introduction.txt"])
    result = import_brat(desk, imp.document.id, read_brat_file(DATA / "000-introduction.ann"))
    name = str(DATA / "000-introduction.ann")
    assert result.problems == [
        f"{name}:4: E1: events cannot be held in Annotator; left out (their trigger's T line is imported)",
        f"{name}:16: attribute A5 on event E1 cannot be held in Annotator; left out",
    ]
    [imp] = import_files(desk, [DATA / "060-relation_annotation.txt"])
    result = import_brat(desk, imp.document.id, read_brat_file(DATA / "060-relation_annotation.ann"))
    assert result.problems == [
        f"{DATA / '060-relation_annotation.ann'}:6: equivalence (Alias T3 T4 T5) cannot be held in Annotator; left out"
    ]


def test_where_each_line_went(desk):
    [imp] = import_files(desk, [DATA / "000-introduction.txt"])
    doc = imp.document
    result = import_brat(desk, doc.id, read_brat_file(DATA / "000-introduction.ann"))
    assert len(result.report.added) == 7 and sorted(result.report.labels_added) == ["GPE", "Money", "Organization", "Person", "Transfer-money"]
    labels = {lb.name: lb for lb in desk.repo.labels()}
    assert labels["Person"].kind is LabelKind.OTHER
    anns = {a.exact: a for a in desk.repo.annotations(doc.id)}
    assert anns["$100 million"].note == "100000000 USD"
    extras = desk.repo.annotation_extras(doc.id)
    by_kind = {}
    for x in extras:
        by_kind.setdefault(x.kind, []).append(x)
    assert len(by_kind["source_id"]) == 7
    [norm] = by_kind["normalisation"]
    assert (norm.annotation_id, norm.name, norm.value) == (
        anns["former Mexican president"].id, "Reference", {"id": "N1", "ref": "Wikipedia:64488", "text": "Carlos Salinas de Gortari"}
    )
    rels = {x.value["id"]: x for x in by_kind["relation"]}
    assert rels["R1"].annotation_id == anns["Raul Salinas de Gortari"].id
    assert rels["R1"].value == {"id": "R1", "roles": ["Arg1", "Arg2"], "target": str(anns["former Mexican president"].id)}
    attrs = {x.value["id"]: (x.name, x.value["value"]) for x in by_kind["attribute"]}
    assert attrs == {"A1": ("Mention", "Name"), "A2": ("Individual", True), "A3": ("Mention", "Nominal"), "A4": ("Individual", True)}
    assert all(x.creator == "ana" for x in extras)


def _made_up(tmp_path):
    """A .txt with a BOM, CRLF line ends, accents and an emoji, and an .ann
    whose offsets count them as brat does (the BOM and each CR are characters)."""
    raw = "\ufeffCafé Ünal met 😀 officials\r\nin Damascus.\r\nThis is\r\na test."
    txt = tmp_path / "made.txt"
    txt.write_bytes(raw.encode("utf-8"))

    def at(s):
        i = raw.index(s)
        return i, i + len(s)

    ann = [
        "T1\tPerson {} {}\tCafé Ünal".format(*at("Café Ünal")),
        "T2\tactor {} {}\tofficials".format(*at("officials")),
        "T3\tLocation {} {}\tDamascus".format(*at("Damascus")),
        "T4\tToken {} {};{} {}\tis a".format(*at("is\r"), *at("a test")),
        "R1\tMet Arg1:T1 Arg2:T2\t",
        "#1\tAnnotatorNotes R1\tsaid so",
        "A1\tNegated T2",
        "M2\tConfidence T1 High",
        "N1\tWikidata T3 Q3766\tDamascus",
        "#2\tAnnotatorNotes T1\tfirst note",
        "#3\tAnnotatorNotes T1\tsecond note",
    ]
    # T4's first piece is "is" (without the CR): fix the offsets by hand
    s4 = raw.index("is\r")
    a4 = raw.index("a test")
    ann[3] = f"T4\tToken {s4} {s4 + 2};{a4} {a4 + 1}\tis a"
    path = tmp_path / "made.ann"
    path.write_text("\n".join(ann) + "\n", encoding="utf-8")
    return txt, path, raw


def test_bom_crlf_and_non_ascii_offsets_map_onto_canonical_text(desk, tmp_path):
    txt, ann_path, raw = _made_up(tmp_path)
    [imp] = import_files(desk, [txt])
    doc = imp.document
    assert doc.text == raw[1:].replace("\r\n", "\n")
    result = import_brat(desk, doc.id, read_brat_file(ann_path))
    assert result.report.orphans == [] and result.problems == []
    anns = {a.exact: a for a in desk.repo.annotations(doc.id)}
    person = anns["Café Ünal"]
    assert (person.start, person.end) == (0, 9)
    assert person.note == "first note\nsecond note"
    officials = anns["officials"]
    assert doc.text[officials.start : officials.end] == "officials"
    assert desk.label_named("actor").kind is LabelKind.ACTOR  # the default Actor label, matched by name
    [token] = [a for a in anns.values() if a.fragments]
    assert token.fragments == [(doc.text.index("is\n"), doc.text.index("is\n") + 2), (doc.text.index("a test"), doc.text.index("a test") + 1)]
    assert token.exact == "is\na"
    # written back: canonical offsets, stored ids and types, notes and extras
    out, problems = brat_ann(desk.repo, doc)
    assert problems == []
    s4, a4 = doc.text.index("is\n"), doc.text.index("a test")
    e = doc.text.index("officials")
    d = doc.text.index("Damascus")
    assert _lines(out) == {
        "T1\tPerson 0 9\tCafé Ünal",
        f"T2\tactor {e} {e + 9}\tofficials",
        f"T3\tLocation {d} {d + 8}\tDamascus",
        f"T4\tToken {s4} {s4 + 2};{a4} {a4 + 1}\tis a",
        "R1\tMet Arg1:T1 Arg2:T2",
        "#1\tAnnotatorNotes R1\tsaid so",
        "A1\tNegated T2",
        "M2\tConfidence T1 High",
        "N1\tWikidata T3 Q3766\tDamascus",
        "#2\tAnnotatorNotes T1\tfirst note",
        "#3\tAnnotatorNotes T1\tsecond note",
    }


def test_write_brat_puts_the_canonical_text_beside_and_reimports_exactly(desk, tmp_path):
    txt, ann_path, _raw = _made_up(tmp_path)
    [imp] = import_files(desk, [txt])
    import_brat(desk, imp.document.id, read_brat_file(ann_path))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ann_out, txt_out, problems = write_brat(desk.repo, imp.document, out_dir / "export.ann")
    assert problems == [] and txt_out == out_dir / "export.txt"
    assert txt_out.read_bytes() == imp.document.text.encode("utf-8")  # UTF-8, LF, no BOM
    # into a fresh database: the same lines come back out
    db2 = open_database(tmp_path / "b.db")
    try:
        desk2 = Desk(db2.repo, "bo")
        [imp2] = import_files(desk2, [txt_out])
        result = import_brat(desk2, imp2.document.id, read_brat_file(ann_out))
        assert result.problems == [] and result.report.orphans == []
        assert _lines(brat_ann(db2.repo, imp2.document)[0]) == _lines(ann_out.read_text("utf-8"))
    finally:
        db2.close()


def test_reimport_changes_nothing(desk):
    [imp] = import_files(desk, [DATA / "000-introduction.txt"])
    parsed = read_brat_file(DATA / "000-introduction.ann")
    first = import_brat(desk, imp.document.id, parsed)
    before = (len(list(desk.repo.annotations(imp.document.id))), len(desk.repo.annotation_extras(imp.document.id)))
    again = import_brat(desk, imp.document.id, read_brat_file(DATA / "000-introduction.ann"))
    assert again.report.added == [] and again.unchanged == len(first.report.added) and again.extras_added == 0
    after = (len(list(desk.repo.annotations(imp.document.id))), len(desk.repo.annotation_extras(imp.document.id)))
    assert before == after


def test_new_annotations_get_ids_after_the_largest(desk):
    [imp] = import_files(desk, [DATA / "110-note_annotation.txt"])
    doc = imp.document
    import_brat(desk, doc.id, read_brat_file(DATA / "110-note_annotation.ann"))
    label = desk.label_named("Actor")
    start = doc.text.index("Discworld")
    desk.add_annotation(doc.id, label.id, start, start + 9, note="mine\nsecond line")
    out, _ = brat_ann(desk.repo, doc)
    assert f"T15\tActor {start} {start + 9}\tDiscworld" in out.splitlines()
    assert "#4\tAnnotatorNotes T15\tmine" in out.splitlines() and "#5\tAnnotatorNotes T15\tsecond line" in out.splitlines()
    # a deleted relation target drops the relation from the export, and says so
    t7 = next(a for a in desk.repo.annotations(doc.id) if a.start == doc.text.index("Wilbur Wright"))
    desk.delete_annotation(t7.id)
    out, problems = brat_ann(desk.repo, doc)
    assert not any(line.startswith("R1\t") for line in out.splitlines())
    assert problems == ["relation Family from T6: its target annotation is deleted or in another document; left out"]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("T1\tPerson 0 4\tSyrX", "the text at 0..4 is 'Syri', not 'SyrX' as the line says"),
        ("T1\tPerson 70 90\tx", "span 70..90 is past the end of the document (length 23)"),
        ("T1\tPerson 4 0\tx", "reversed span 4..0"),
        ("T1\tPerson 3 3\t", "empty span 3..3"),
        ("T1\tPerson 0 4;2 6\tSyri ria ", "overlap"),
    ],
)
def test_unanchorable_spans_are_orphans(desk, tmp_path, line, reason):
    doc = desk.import_document("Syria sent troops. 😀 ok", "T").document
    result = import_brat(desk, doc.id, parse_ann(line + "\n", "x.ann"))
    [orphan] = result.report.orphans
    assert reason in orphan.reason and orphan.draft.source_line == "x.ann:1 T1"
    assert list(desk.repo.annotations(doc.id)) == []


def test_malformed_lines_are_reported_not_fatal():
    parsed = parse_ann("T1\tPER -5 3\tx\nT2\tPER 0 1\tS\nR1\tRel Arg1:T2\t\nA1\tX\nQ1\tjunk\n#1\tAnnotatorNotes\n", "x.ann")
    assert [(t.id, t.problem) for t in parsed.textbounds] == [("T1", "offsets '-5 3' are not two whole numbers"), ("T2", "")]
    assert parsed.problems == [  # (T1 is an annotation that cannot be read: an orphan when imported)
        "x.ann:3: R1: a relation needs two arguments (found 1); left out",
        "x.ann:4: A1: malformed attribute line; left out",
        "x.ann:5: not a brat annotation line (unknown id 'Q1'); left out",
        "x.ann:6: #1: malformed note line; left out",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        ("hello world\nnot brat\n", "x.ann: not a brat .ann file (no line of it is a brat annotation)"),
        ("T1\tA 0 1\tS\nT1\tB 0 1\tS\n", "x.ann:2: id T1 is used twice (first on line 1)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "x.ann: looks like a binary file"),
    ],
)
def test_files_that_are_not_brat(data, message):
    with pytest.raises(InputError) as exc:
        parse_ann(data, "x.ann")
    assert str(exc.value).startswith(message)


def test_a_txt_that_differs_anchors_by_text(desk, tmp_path):
    doc = desk.import_document("Intro added later.\nSyria sent troops.", "T").document
    (tmp_path / "old.txt").write_text("Syria sent troops.", encoding="utf-8")
    (tmp_path / "old.ann").write_text("T1\tActor 0 5\tSyria\nT2\tX 11 17\tnope!!\n", encoding="utf-8")
    result = import_brat(desk, doc.id, read_brat_file(tmp_path / "old.ann"))
    [ann] = [desk.repo.get_annotation(i) for i in result.report.added]
    assert doc.text[ann.start : ann.end] == "Syria" and ann.start == 19
    assert result.problems[0].endswith("its text differs from the document's; spans were found by their text near their offsets")
    [orphan] = result.report.orphans
    assert "nope!!" in orphan.reason


def test_nothing_is_written_when_the_import_fails(desk, monkeypatch):
    [imp] = import_files(desk, [DATA / "000-introduction.txt"])
    parsed = read_brat_file(DATA / "000-introduction.ann")

    def boom(extras):
        raise RuntimeError("disk full")

    monkeypatch.setattr(desk.repo, "add_annotation_extras", boom)
    with pytest.raises(RuntimeError):
        import_brat(desk, imp.document.id, parsed)
    assert list(desk.repo.annotations(imp.document.id)) == []
    assert [lb.name for lb in desk.repo.labels()] == []  # not even the tagset


def test_many_annotations(desk):
    words = [f"w{i:05d}" for i in range(20_000)]
    text = " ".join(words)
    doc = desk.import_document(text, "Many").document
    lines = []
    at = 0
    for i, w in enumerate(words, 1):
        lines.append(f"T{i}\tTok {at} {at + len(w)}\t{w}")
        at += len(w) + 1
    result = import_brat(desk, doc.id, parse_ann("\n".join(lines), "many.ann"))
    assert len(result.report.added) == 20_000 and not result.report.orphans
    out, _ = brat_ann(desk.repo, doc)
    assert _lines(out) == set(lines)


def test_cli_import_and_export_brat(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_USER", "ana")
    db = str(tmp_path / "c.db")

    run = cli_runner(db, capsys)

    code, out, _ = run("import", DATA / "000-introduction.txt")
    doc = out.split("\t")[0]
    code, out, err = run("annotations", "import", doc[:8], DATA / "000-introduction.ann")  # .ann: brat by its suffix
    assert code == 0 and out.startswith("imported 7, unchanged 0, orphans 0")
    assert "left out:" in err and "E1: events cannot be held" in err  # reported, not dropped silently
    code, out, _ = run("annotations", "import", doc[:8], DATA / "000-introduction.ann")
    assert code == 0 and out.startswith("imported 0, unchanged 7")  # twice changes nothing
    code, out, _ = run("annotations", "export", doc[:8], "-o", tmp_path / "out.ann")
    assert code == 0 and out.split() == [str(tmp_path / "out.ann"), str(tmp_path / "out.txt")]
    source = (DATA / "000-introduction.ann").read_text("utf-8")
    held = {line for line in _lines(source) if not _refers_to_event(line)}
    assert _lines((tmp_path / "out.ann").read_text("utf-8")) == held
    code, _, err = run("annotations", "import", doc[:8], DATA / "000-introduction.txt", "--format", "brat")
    assert code == 2 and "not a brat .ann file" in err
