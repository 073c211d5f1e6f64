"""Hostile brat files through ``annotator annotations import``.

Offsets past the end, negative, reversed, empty, too large, overlapping
fragments, a text that is not there: each such ``T`` line is an orphan,
listed on stderr with its line and reason, the rest is imported, and the
command exits 3. A file that is not brat (binary, not UTF-8, empty, only
junk, a duplicated id) or a ``.txt`` beside it that cannot be read: one line
naming the file, exit 2, and the database as it was. A ``.txt`` beside that
differs from the document: spans are found by their text, and the command
says so. 100,000 ``T`` lines import in one go and again change nothing.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from annotator import cli
from tests.merge_helpers import raw_dump
from tests.cli_helpers import cli_runner

TEXT = "Syria sent troops. 😀 قال e\u0301 🇸🇾 end\n"
N = len(TEXT)



@pytest.fixture
def env(tmp_path, capsys):
    db = tmp_path / "a.db"

    run = cli_runner(db, capsys)

    (tmp_path / "report.txt").write_text(TEXT, encoding="utf-8")
    code, out, _ = run("import", tmp_path / "report.txt")
    assert code == 0
    doc = out.split("\t")[0]
    (tmp_path / "report.txt").unlink()  # no .txt beside the .ann files unless a test puts one there
    (tmp_path / "seed.ann").write_text("T1\tActor 0 5\tSyria\n", encoding="utf-8")
    assert run("annotations", "import", doc, tmp_path / "seed.ann")[0] == 0  # the tagset is there from now on
    run.db, run.doc, run.folder = db, doc, tmp_path
    return run


def ann(env, content: str | bytes, name: str = "x.ann") -> Path:
    path = env.folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


ORPHANS = [
    ("past the end", "T1\tActor 0 999\tx", f"span 0..999 is past the end of the document (length {N})"),
    ("negative", "T1\tActor -5 3\tx", "offsets '-5 3' are not two whole numbers"),
    ("reversed", "T1\tActor 4 0\tx", "reversed span 4..0"),
    ("empty", "T1\tActor 3 3\t", "empty span 3..3"),
    ("too large", "T1\tActor 99999999999999 99999999999999\tx", "offsets '99999999999999 99999999999999' are not two whole numbers"),
    ("twelve digits", "T1\tActor 999999999990 999999999999\tx", "is past the end of the document"),
    ("no offsets", "T1\tActor\tSyria", "malformed text-bound line (no offsets)"),
    ("one offset", "T1\tActor 3\tSyria", "malformed text-bound line (no offsets)"),
    ("letters", "T1\tActor a b\tSyria", "offsets 'a b' are not two whole numbers"),
    ("overlapping fragments", "T1\tActor 0 5;3 8\tSyria ia se", "fragments 0..5 and 3..8 overlap"),
    ("a text not there", "T1\tActor 0 5\tSyrX", "the text at 0..5 is 'Syria', not 'SyrX' as the line says"),
    ("a fragment past the end", "T1\tActor 0 5;40 999\tSyria x", "span 40..999 is past the end of the document"),
]  # fmt: skip


@pytest.mark.parametrize("line, reason", [c[1:] for c in ORPHANS], ids=[c[0] for c in ORPHANS])
def test_a_bad_t_line_is_an_orphan_and_the_rest_is_imported(env, line, reason):
    start = TEXT.index("troops")
    path = ann(env, f"T1\tLocation {start} {start + 6}\ttroops\n{line.replace('T1', 'T2', 1)}\n")
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc, path)
    assert code == cli.EXIT_ORPHANS, err
    assert out.startswith("imported 1, unchanged 0, orphans 1")
    orphans = [x for x in err.splitlines() if x.startswith("orphan: ")]
    assert len(orphans) == 1 and orphans[0].startswith(f"orphan: {path}:2 T2: ") and reason in orphans[0], orphans
    after = raw_dump(env.db)
    assert len(after["annotation"]) == len(before["annotation"]) + 1  # troops, and nothing for the bad line


def test_only_bad_lines_change_nothing(env):
    path = ann(env, "T1\tActor 0 999\tx\nT2\tActor -1 4\tSyri\nT3\tActor 9 2\tx\n")
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc, path)
    assert code == cli.EXIT_ORPHANS and out.startswith("imported 0, unchanged 0, orphans 3")
    assert len([x for x in err.splitlines() if x.startswith("orphan: ")]) == 3
    assert raw_dump(env.db) == before


def test_past_the_end_of_the_txt_beside(env):
    ann(env, TEXT, "x.txt")
    path = ann(env, "T1\tActor 0 5\tSyria\nT2\tActor 30 300\tx\n")
    code, out, err = env("annotations", "import", env.doc, path)
    assert code == cli.EXIT_ORPHANS and out.startswith("imported 0, unchanged 1, orphans 1")  # T1: already there
    assert f"orphan: {path}:2 T2: span 30..300 is past the end of the .txt (length {N})" in err


REFUSED = [
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "x.ann: looks like a binary file"),
    ("not UTF-8", "T1\tActor 0 5\tcaf\xe9\n".encode("latin-1"), "x.ann: not UTF-8 text (undecodable byte at offset 16)"),
    ("empty", b"", "x.ann: the file is empty"),
    ("blank lines", b"\n \n\t\n", "x.ann: the file is empty"),
    ("only a BOM", b"\xef\xbb\xbf\r\n", "x.ann: the file is empty"),
    ("junk", b"hello\nworld\n", "x.ann: not a brat .ann file (no line of it is a brat annotation)"),
    ("a W3C file", b'[{"type": "Annotation"}]', "x.ann: not a brat .ann file"),
    ("a duplicated id", b"T1\tActor 0 5\tSyria\nT1\tActor 6 10\tsent\n", "x.ann:2: id T1 is used twice (first on line 1)"),
]  # fmt: skip


@pytest.mark.parametrize("content, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_file_that_is_not_brat_is_refused_and_nothing_is_written(env, content, message):
    path = ann(env, content)
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc, path)
    assert code == cli.EXIT_ERROR and out == ""
    assert err.startswith(f"annotator: {env.folder}/{message}") and err.count("\n") == 1, err
    assert raw_dump(env.db) == before


@pytest.mark.parametrize(
    "txt, message",
    [(b"Syria\x00sent", "x.txt: looks like a binary file (contains NUL characters)"),
     (b"caf\xe9", "x.txt: not UTF-8 text (undecodable byte at offset 3)")],
    ids=["binary", "not UTF-8"],
)  # fmt: skip
def test_a_txt_beside_that_cannot_be_read_is_refused(env, txt, message):
    ann(env, txt, "x.txt")
    path = ann(env, "T1\tActor 6 10\tsent\n")
    before = raw_dump(env.db)
    code, out, err = env("annotations", "import", env.doc, path)
    assert (code, out) == (cli.EXIT_ERROR, "") and err == f"annotator: {env.folder}/{message}\n"
    assert raw_dump(env.db) == before


def test_a_txt_beside_that_differs_anchors_by_text_and_says_so(env):
    ann(env, "Intro added later.\n" + TEXT.replace("troops", "TROOPS"), "x.txt")
    at = len("Intro added later.\n")
    sent, troops = at + TEXT.index("sent"), at + TEXT.index("troops")
    path = ann(env, f"T1\tActor {sent} {sent + 4}\tsent\nT2\tActor {troops} {troops + 6}\tTROOPS\n")
    code, out, err = env("annotations", "import", env.doc, path)
    assert code == cli.EXIT_ORPHANS, err
    assert out.startswith("imported 1, unchanged 0, orphans 1")
    assert f"left out: {env.folder}/x.txt: its text differs from the document's; spans were found by their text near their offsets" in err
    assert f"orphan: {path}:2 T2: " in err and "TROOPS" in err  # not in the document: never moved elsewhere
    con = sqlite3.connect(env.db)
    [(start, end)] = con.execute("SELECT start, \"end\" FROM annotation WHERE exact = 'sent'").fetchall()
    con.close()
    assert (start, end) == (TEXT.index("sent"), TEXT.index("sent") + 4)


def test_a_txt_beside_with_a_bom_and_crlf_maps_the_offsets(env):
    raw = "\ufeff" + TEXT.replace("\n", "\r\n")
    ann(env, raw, "x.txt")
    lines = [f"T{i}\tActor {raw.index(w)} {raw.index(w) + len(w)}\t{w}" for i, w in enumerate(["قال", "e\u0301", "🇸🇾", "end"], 1)]
    path = ann(env, "\r\n".join(lines) + "\r\n")
    code, out, err = env("annotations", "import", env.doc, path)
    assert (code, out.split(",")[0]) == (0, "imported 4"), err
    assert "differs" not in err


def test_a_hundred_thousand_t_lines(tmp_path, capsys):
    words = [f"w{i:06d}" for i in range(100_000)]
    (tmp_path / "many.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    db = str(tmp_path / "many.db")
    assert cli.main(["--db", db, "import", str(tmp_path / "many.txt")]) == 0
    doc = capsys.readouterr().out.split("\t")[0]
    lines, at = [], 0
    for i, w in enumerate(words, 1):
        lines.append(f"T{i}\tToken {at} {at + len(w)}\t{w}")
        at += len(w) + 1
    (tmp_path / "many.ann").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "many.txt").unlink()
    started = time.perf_counter()
    assert cli.main(["--db", db, "annotations", "import", doc, str(tmp_path / "many.ann")]) == 0
    first = time.perf_counter() - started
    assert capsys.readouterr().out.startswith("imported 100000, unchanged 0, orphans 0")
    started = time.perf_counter()
    assert cli.main(["--db", db, "annotations", "import", doc, str(tmp_path / "many.ann")]) == 0
    again = time.perf_counter() - started
    assert capsys.readouterr().out.startswith("imported 0, unchanged 100000, orphans 0")
    print(f"\n100,000 T lines: imported in {first:.1f} s, imported again (no change) in {again:.1f} s")


def test_past_a_thousand_left_out_lines_the_rest_are_counted(env):
    path = ann(env, "T1\tActor 0 5\tSyria\n" + "junk\n" * 3000)
    code, out, err = env("annotations", "import", env.doc, path)
    lines = err.splitlines()
    assert code == 0 and out.startswith("imported 0, unchanged 1"), (code, out)
    assert sum("not a brat annotation line" in line for line in lines) == 1000
    assert lines[1000].endswith("x.ann: 2,000 more lines left out (the first 1000 are listed)"), lines[-3:]
    assert len(lines) == 1001, lines[-3:]
