"""The ``annotator`` command, in-process and through its installed entry point."""

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from annotator import cli
from annotator.core.docref import resolve_document_ref
from annotator.core.errors import InputError, NotFound

DATA = Path(__file__).parent / "data"
TABLES = ("schema_info", "document", "label", "entity", "annotation", "claim")
CSV_HEADER = "id,document,label,kind,start,end,exact,entity,note,creator,created,modified,entity_type,source,reliability,credibility,likelihood,stance"
SEED_TITLE = "Syria sends 3,000 troops to Iraq border to deter pro-Iran militias"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("ANNOTATOR_USER", "tester")
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / "mixed-crlf.txt", tmp_path / "mixed-crlf.txt")
    return tmp_path


@pytest.fixture
def run(env, capsys):
    db = env / "a.db"

    def run(*args, db_path=db):
        code = cli.main(["--db", str(db_path), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    run.db = db
    return run


def dump(path):
    con = sqlite3.connect(path)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    finally:
        con.close()


def imported(run, *files):
    code, out, err = run("import", *files)
    assert code == 0, err
    return [line.split("\t") for line in out.splitlines()]


# --- documents -----------------------------------------------------------------------------


def test_import_prints_id_and_title_and_dedups(run, env):
    (env / "syria-troops_border.txt").write_text("Troops moved.\n", encoding="utf-8")
    (env / "notes.md").write_text("Intro line\n# The *Heading*  \n\nBody.\n", encoding="utf-8")
    rows = imported(run, "syria-troops_border.txt", "notes.md")
    assert [title for _, title in rows] == ["Syria troops border", "The *Heading*"]
    assert all(uuid.UUID(i) for i, _ in rows)
    code, out, err = run("import", "notes.md", "syria-troops_border.txt")
    again = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and again == rows[::-1]  # same documents, not duplicated
    assert err.splitlines() == [
        f"notes.md: already imported as {rows[1][0]}; nothing added",
        f"syria-troops_border.txt: already imported as {rows[0][0]}; nothing added",
    ]
    code, out, _ = run("docs", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_docs_table_and_json(run):
    [[doc_id, title]] = imported(run, "mixed-crlf.txt")
    assert title == "Mixed crlf"
    assert run("annotations", "import", doc_id[:8], DATA / "mixed-crlf.w3c.json")[0] == 0
    code, out, _ = run("docs")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["ID", "TITLE", "LENGTH", "ACTOR", "CLAIM", "LOCATION", "OTHER"]
    assert lines[1].split() == [doc_id, "Mixed", "crlf", "212", "2", "1", "4", "2"]
    code, out, _ = run("docs", "--json")
    [doc] = json.loads(out)
    assert doc == {
        "id": doc_id,
        "title": "Mixed crlf",
        "source": "",
        "published": "",
        "length": 212,
        "direction": "ltr",
        "counts": {"actor": 2, "claim": 1, "location": 4, "other": 2},
    }


# --- annotations ---------------------------------------------------------------------------


def test_annotations_round_trip_w3c_and_csv(run, env):
    [[doc_id, _]] = imported(run, "mixed-crlf.txt")
    code, out, err = run("annotations", "import", doc_id, DATA / "mixed-crlf.w3c.json")
    assert (code, out) == (0, "imported 9, unchanged 0, orphans 0\n")
    assert "new label: Displaced people" in err
    code, out, _ = run("annotations", "import", doc_id, DATA / "mixed-crlf.w3c.json")
    assert (code, out) == (0, "imported 0, unchanged 9, orphans 0\n")

    assert run("annotations", "export", doc_id, "-o", "out.json")[0] == 0
    exported = json.loads((env / "out.json").read_text("utf-8"))
    assert len(exported) == 9 and "البوكمال" in (env / "out.json").read_text("utf-8")

    assert run("annotations", "export", doc_id, "-o", "out.csv")[0] == 0
    raw = (env / "out.csv").read_bytes()
    assert raw.decode("utf-8").split("\r\n", 1)[0] == CSV_HEADER  # plain UTF-8, no BOM
    with open(env / "out.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 9 and all(r["document"] == doc_id for r in rows)
    claim = next(r for r in rows if r["kind"] == "claim")
    assert claim["exact"] == "3,000 troops moved to the border.\nقال"  # embedded newline survives
    assert claim["note"] == "Spans a line break.\nSecond line of the note."
    assert claim["created"] == "2025-06-22T10:00:00Z" and claim["creator"] == "jo"
    officials = next(r for r in rows if r["exact"] == "Officials")
    assert officials["entity"] == "Syrian security officials" and officials["label"] == "Actor"
    assert str(uuid.UUID(officials["id"])) == officials["id"]

    # --format overrides the suffix
    assert run("annotations", "export", doc_id, "-o", "out.txt", "--format", "csv")[0] == 0
    assert (env / "out.txt").read_text("utf-8").startswith(CSV_HEADER)


def test_export_into_a_fresh_database_round_trips(run, env):
    [[doc_id, _]] = imported(run, "mixed-crlf.txt")
    run("annotations", "import", doc_id, DATA / "mixed-crlf.w3c.json")
    run("annotations", "export", doc_id, "-o", "one.json")
    other = env / "b.db"
    code, out, _ = run("import", "mixed-crlf.txt", db_path=other)
    doc2 = out.split("\t")[0]
    assert run("annotations", "import", doc2, "one.json", db_path=other)[1] == "imported 9, unchanged 0, orphans 0\n"
    run("annotations", "export", doc2, "-o", "two.json", db_path=other)
    one = json.loads((env / "one.json").read_text("utf-8"))
    two = json.loads((env / "two.json").read_text("utf-8"))
    for anno in two:
        anno["target"]["source"] = f"urn:uuid:{doc_id}"
    assert one == two


def test_orphans_exit_3_and_rest_imported(run, env):
    [[doc_id, _]] = imported(run, "mixed-crlf.txt")
    annos = [
        {"type": "Annotation", "body": {"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
         "target": {"selector": {"type": "TextQuoteSelector", "exact": "Officials"}}},
        {"type": "Annotation", "target": {"selector": {"type": "TextQuoteSelector", "exact": "Hezbollah"}}},
        {"type": "Annotation", "target": {"selector": {"type": "RangeSelector"}}},
    ]
    (env / "some.json").write_text(json.dumps(annos), encoding="utf-8")
    code, out, err = run("annotations", "import", doc_id, "some.json")
    assert code == 3
    assert out == "imported 1, unchanged 0, orphans 2\n"
    orphan_lines = [line for line in err.splitlines() if line.startswith("orphan:")]
    assert len(orphan_lines) == 2
    assert "item 2" in orphan_lines[0] and "Hezbollah" in orphan_lines[0]
    assert "item 3" in orphan_lines[1] and "RangeSelector" in orphan_lines[1]
    code, out, _ = run("docs", "--json")
    assert json.loads(out)[0]["counts"]["actor"] == 1


# --- errors: one line, status 2, database unchanged ----------------------------------------------


def test_failed_commands_change_nothing(run, env):
    [[doc_id, _]] = imported(run, "mixed-crlf.txt")
    run("annotations", "import", doc_id, DATA / "mixed-crlf.w3c.json")
    before = dump(run.db)
    (env / "good.txt").write_text("A good file.\n", encoding="utf-8")
    (env / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (env / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (env / "bad.json").write_text('[{"type": "Annotation",', encoding="utf-8")
    (env / "scan.pdf").write_bytes(b"%PDF-1.7\n")
    cases = [
        (("import", "good.txt", "binary.txt"), "binary.txt: looks like a binary file"),
        (("import", "good.txt", "latin.txt"), "latin.txt: not UTF-8 text"),
        (("import", "good.txt", "missing.txt"), "missing.txt: no such file"),
        (("import", "scan.pdf"), "scan.pdf: unsupported file type .pdf (supported: .txt, .md, .docx, .html, .htm)"),
        (("annotations", "import", doc_id, "bad.json"), "bad.json: not valid JSON (line 1, column 24: "),
        (("annotations", "import", "ffffffff", DATA / "mixed-crlf.w3c.json"), "no document matches 'ffffffff'"),
        (("annotations", "export", "zz", "-o", "x.json"), "no document matches 'zz'"),
        (("annotations", "export", doc_id, "-o", "no/such/folder/x.json"), "no/such/folder: no such folder"),
    ]
    for args, message in cases:
        code, out, err = run(*args)
        assert code == 2, (args, err)
        assert err.startswith("annotator: ") and message in err, (args, err)
        assert err.count("\n") == 1 and out == "", (args, err)
        assert dump(run.db) == before, args
    assert not (env / "x.json").exists()


def test_ambiguous_prefix_lists_candidates(run, env):
    for i in range(17):  # 17 ids: two must share their first hex digit
        (env / f"d{i}.txt").write_text(f"Document number {i}.\n", encoding="utf-8")
    ids = [i for i, _ in imported(run, *(f"d{i}.txt" for i in range(17)))]
    firsts = [i[0] for i in ids]
    prefix = next(c for c in firsts if firsts.count(c) > 1)
    code, _, err = run("annotations", "export", prefix, "-o", "x.json")
    assert code == 2 and "matches" in err and "give more characters" in err
    for i in ids:
        if i.startswith(prefix):
            assert i in err


def test_refuses_newer_foreign_and_non_databases(run, env):
    imported(run, "mixed-crlf.txt")
    con = sqlite3.connect(run.db)
    with con:
        con.execute("UPDATE schema_info SET value = '99' WHERE key = 'schema_version'")
    con.close()
    before = dump(run.db)
    code, _, err = run("docs")
    assert code == 2 and "newer Annotator" in err and err.count("\n") == 1
    assert run("import", "mixed-crlf.txt")[0] == 2
    assert dump(run.db) == before

    foreign = env / "foreign.db"
    con = sqlite3.connect(foreign)
    with con:
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.close()
    code, _, err = run("import", "mixed-crlf.txt", db_path=foreign)
    assert code == 2 and "not an Annotator database" in err
    notes = env / "notes.db"
    notes.write_text("hello")
    assert run("check", db_path=notes)[0] == 2 and notes.read_text() == "hello"
    code, _, err = run("docs", db_path=env / "nothing.db")
    assert code == 2 and "no such database" in err and not (env / "nothing.db").exists()


def test_export_is_atomic(run, env, monkeypatch):
    [[doc_id, _]] = imported(run, "mixed-crlf.txt")
    run("annotations", "import", doc_id, DATA / "mixed-crlf.w3c.json")
    (env / "out.csv").write_text("old contents\n")

    def half_then_fail(repo, doc, fh):
        fh.write("id,document\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("annotator.io.csv_io.export_csv", half_then_fail)
    code, _, err = run("annotations", "export", doc_id, "-o", "out.csv")
    assert code == 2 and "No space left on device" in err
    assert (env / "out.csv").read_text() == "old contents\n"
    assert sorted(p.name for p in env.iterdir() if "out" in p.name) == ["out.csv"]


# --- check, run-default, version ----------------------------------------------------------------


def test_check(run):
    imported(run, "mixed-crlf.txt")
    code, out, _ = run("check")
    assert code == 0
    from annotator.store.migrations import CURRENT_VERSION as v
    assert out.splitlines() == ["integrity: ok", f"schema version: {v} (this Annotator reads up to {v})"]


def test_run_default_headless_seeds_once(run):
    code, out, err = run("run-default")
    lines = out.splitlines()
    assert code == 0, err
    assert lines[0] == "No display found: running the headless path (import the seed article, list documents)."
    assert any(line.startswith("ID ") for line in lines)
    assert any(SEED_TITLE[:40] in line for line in lines)
    assert lines[-1] == f"Database: {run.db}"
    run("run-default")
    code, out, _ = run("docs", "--json")
    [seed] = json.loads(out)
    assert seed["title"] == SEED_TITLE and seed["source"] == "The National" and seed["published"] == "2025-06"


def test_run_default_without_db_flag_uses_env(env, monkeypatch, capsys):
    monkeypatch.setenv("ANNOTATOR_DB", str(env / "from-env.db"))
    assert cli.main(["run-default"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"Database: {env / 'from-env.db'}"


def test_gui_is_opened_lazily(env, monkeypatch):
    calls = []
    fake = type(sys)("annotator.ui.app")
    fake.run_gui = lambda db_path, files, qt_args=None: calls.append((db_path, files)) or 0
    monkeypatch.setitem(sys.modules, "annotator.ui.app", fake)
    assert cli.main(["--db", "x.db", "mixed-crlf.txt"]) == 0
    assert cli.main(["mixed-crlf.txt", "--user", "ana"]) == 0
    monkeypatch.setenv("DISPLAY", ":0")
    assert cli.main(["run-default"]) == 0
    assert calls == [(Path("x.db"), [Path("mixed-crlf.txt")]), (None, [Path("mixed-crlf.txt")]), (None, [])]


def test_unknown_command_or_missing_file(env, capsys):
    assert cli.main(["imprt", "x.txt"]) == 2
    assert "unknown command 'imprt'" in capsys.readouterr().err
    assert cli.main(["missing.txt"]) == 2
    assert "missing.txt: no such file" in capsys.readouterr().err


def test_version_and_usage_errors(env, capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == "annotator 0.1.0"
    assert cli.main(["annotations"]) == 2
    assert cli.main(["annotations", "export", "abc"]) == 2  # -o is required


def test_resolve_document_ref():
    ids = [uuid.UUID("12345678-0000-4000-8000-000000000000"), uuid.UUID("12349999-0000-4000-8000-000000000000")]
    assert resolve_document_ref("123456", ids) == ids[0]
    assert resolve_document_ref(" urn:uuid:12349999-0000 ", ids) == ids[1]
    assert resolve_document_ref(str(ids[0]).upper(), ids) == ids[0]
    with pytest.raises(InputError, match="matches 2 documents"):
        resolve_document_ref("1234", ids)
    with pytest.raises(NotFound, match="no document matches"):
        resolve_document_ref("9", ids)
    with pytest.raises(InputError, match="give a document id"):
        resolve_document_ref("  ", ids)


# --- the installed entry point --------------------------------------------------------------------


def test_entry_point_in_a_subprocess(env):
    exe = Path(sys.executable).with_name("annotator")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator"]
    environ = {"PATH": "/usr/bin:/bin", "ANNOTATOR_USER": "tester", "HOME": str(env), "ANNOTATOR_DB": str(env / "sub.db")}

    def call(*args):
        return subprocess.run([*cmd, *args], capture_output=True, text=True, encoding="utf-8", env=environ, timeout=120)

    r = call("import", "mixed-crlf.txt")
    assert r.returncode == 0, r.stderr
    doc_id, title = r.stdout.strip().split("\t")
    assert title == "Mixed crlf"
    r = call("annotations", "import", doc_id[:6], str(DATA / "mixed-crlf.w3c.json"))
    assert (r.returncode, r.stdout) == (0, "imported 9, unchanged 0, orphans 0\n")
    r = call("annotations", "export", doc_id, "-o", "e.csv")
    assert r.returncode == 0 and (env / "e.csv").read_text("utf-8").startswith(CSV_HEADER)
    r = call("annotations", "import", "nope", str(DATA / "mixed-crlf.w3c.json"))
    assert r.returncode == 2 and r.stderr.startswith("annotator: no document matches")
    r = call("run-default")
    assert r.returncode == 0 and r.stdout.startswith("No display found:")
    assert "Mixed crlf" in r.stdout and r.stdout.splitlines()[-1] == f"Database: {env / 'sub.db'}"
    r = subprocess.run([sys.executable, "-m", "annotator", "--version"], capture_output=True, text=True, env=environ)
    assert r.stdout.strip() == "annotator 0.1.0"


def test_the_desk_without_a_display_is_one_line(run, env, monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    code, out, err = run()  # no command: the desk, but there is no screen
    assert code == 2 and out == ""
    assert err == "annotator: no display to open the desk on (set DISPLAY, or use a command: annotator --help)\n"
