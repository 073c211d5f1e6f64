"""`annotator merge | share | agreement | conflicts`."""

from __future__ import annotations

import json
import time

import pytest

from annotator import cli
from tests.merge_helpers import TEXT, Analyst, base_database, hand_over, raw_dump, span, sql


@pytest.fixture
def two(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ids = base_database(tmp_path / "ana.db", "ana")
    hand_over(tmp_path / "ana.db", tmp_path / "bo.db")
    ana, bo = Analyst(tmp_path / "ana.db", "ana"), Analyst(tmp_path / "bo.db", "bo")
    ana.desk.update_annotation(ids["syria"], note="ana")
    time.sleep(0.002)
    bo.desk.update_annotation(ids["syria"], note="bo")
    bo.tag(ids["doc"], "Location", *span(TEXT, "Damascus"))  # agrees with ana's
    bo.tag(ids["doc"], "Actor", *span(TEXT, "Baghdad"))
    ana.close()
    bo.close()
    return tmp_path, ids


def run(capsys, *args):
    code = cli.main([*map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_merge_prints_the_report_and_is_idempotent(two, capsys):
    tmp, _ = two
    code, out, err = run(capsys, "--db", tmp / "ana.db", "--user", "ana", "merge", tmp / "bo.db")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"merged {tmp / 'bo.db'}"
    assert lines[1].split() == ["TABLE", "ADDED", "UPDATED", "DELETED", "CONFLICTS", "TOMBSTONES", "UNCHANGED"]
    annotation = next(line.split() for line in lines if line.split()[0] == "annotation")
    assert annotation[1:5] == ["2", "1", "0", "1"]
    assert lines[-1] == "1 conflict(s) recorded; review them with: annotator conflicts"
    code, out, _ = run(capsys, "--db", tmp / "ana.db", "merge", tmp / "bo.db")
    total = next(line.split() for line in out.splitlines() if line.split()[0] == "total")
    assert code == 0 and total[1:6] == ["0"] * 5


def test_dry_run_writes_nothing(two, capsys):
    tmp, _ = two
    before = raw_dump(tmp / "ana.db")
    code, out, _ = run(capsys, "--db", tmp / "ana.db", "merge", "--dry-run", tmp / "bo.db")
    assert code == 0 and out.startswith("dry run, nothing written") and "1 conflict(s) would be recorded" in out
    assert raw_dump(tmp / "ana.db") == before
    code, _, err = run(capsys, "--db", tmp / "new.db", "merge", "--dry-run", tmp / "bo.db")
    assert code == 2 and "no such database" in err and not (tmp / "new.db").exists()


def test_merging_into_a_new_database_copies_a_checked_file(two, capsys):
    tmp, _ = two
    code, _, _ = run(capsys, "--db", tmp / "clean.db", "merge", tmp / "bo.db")
    assert code == 0
    assert sql(tmp / "clean.db", "SELECT count(*) FROM annotation") == sql(tmp / "bo.db", "SELECT count(*) FROM annotation")


@pytest.mark.parametrize(
    ("plant", "message"),
    [
        ("CREATE TRIGGER spy AFTER INSERT ON annotation BEGIN DELETE FROM label; END", "contains a trigger"),
        ("UPDATE schema_info SET value = '99' WHERE key = 'schema_version'", "newer Annotator"),
    ],
)
def test_a_refused_file_is_one_line_and_exit_2(two, capsys, plant, message):
    tmp, _ = two
    sql(tmp / "bo.db", plant)
    before = raw_dump(tmp / "ana.db")
    code, out, err = run(capsys, "--db", tmp / "ana.db", "merge", tmp / "bo.db")
    assert code == 2 and out == "" and message in err and err.count("\n") == 1 and err.startswith("annotator: ")
    assert raw_dump(tmp / "ana.db") == before


def test_conflicts_list_reverse_and_resolve(two, capsys):
    tmp, ids = two
    db = ["--db", tmp / "ana.db"]
    assert run(capsys, *db, "conflicts")[1] == "No unresolved conflicts.\n"
    run(capsys, *db, "merge", tmp / "bo.db")
    code, out, _ = run(capsys, *db, "conflicts")
    assert code == 0 and f"annotation {str(ids['syria'])[:8]}" in out and "note: 'bo' (kept, theirs) vs 'ana'" in out
    code, out, _ = run(capsys, *db, "conflicts", "--json")
    [item] = json.loads(out)
    assert (item["table"], item["kept"]["note"], item["other"]["note"], item["source"]) == ("annotation", "bo", "ana", "bo.db")
    cid = item["id"]
    code, out, _ = run(capsys, *db, "conflicts", "reverse", cid[:8])
    assert code == 0 and "now holds the version from ours" in out
    assert sql(tmp / "ana.db", "SELECT note FROM annotation WHERE id = ?", ids["syria"].hex) == [("ana",)]
    assert run(capsys, *db, "conflicts", "resolve", cid)[0] == 0
    assert run(capsys, *db, "conflicts")[1] == "No unresolved conflicts.\n"
    code, out, _ = run(capsys, *db, "conflicts", "--all")
    assert "[resolved] [reversed]" in out
    code, _, err = run(capsys, *db, "conflicts", "reverse", "ffff")
    assert code == 2 and "no conflict matches" in err


def test_share_writes_the_file_and_refuses_to_overwrite(two, capsys):
    tmp, ids = two
    code, out, err = run(capsys, "--db", tmp / "ana.db", "share", str(ids["doc"])[:8], "-o", tmp / "out.db")
    assert code == 0 and out == f"{tmp / 'out.db'}\n" and "1 document(s), 5 annotation(s)" in err
    code, _, err = run(capsys, "--db", tmp / "ana.db", "share", str(ids["doc"])[:8], "-o", tmp / "out.db")
    assert code == 2 and "already exists" in err
    assert run(capsys, "--db", tmp / "ana.db", "share", str(ids["doc"]), "-o", tmp / "out.db", "--force")[0] == 0


def test_agreement_table_and_json(two, capsys):
    tmp, ids = two
    db = ["--db", tmp / "ana.db"]
    run(capsys, *db, "merge", tmp / "bo.db")
    code, out, _ = run(capsys, *db, "agreement", str(ids["doc"])[:8])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "bo against ana (reference), 30 tokens"
    assert lines[1].split() == ["LABEL", "A", "B", "MATCHED", "PRECISION", "RECALL", "F1", "KAPPA"]
    location = next(line.split() for line in lines if line.startswith("Location"))
    assert location[1:4] == ["2", "1", "1"] and location[4:7] == ["1.000", "0.500", "0.667"]
    assert any("only bo" in line and "Baghdad" in line for line in lines)
    code, out, _ = run(capsys, *db, "agreement", str(ids["doc"]), "--between", "bo", "ana", "--json")
    data = json.loads(out)
    assert (data["analyst_a"], data["analyst_b"]) == ("bo", "ana") and data["tokens"] == 30
    code, _, err = run(capsys, *db, "agreement", str(ids["doc"]), "--between", "ana", "zed")
    assert code == 2 and "'zed' has no annotations" in err


def test_help_lists_the_commands(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(c in out for c in ("merge", "share", "agreement", "conflicts"))


def test_help_names_every_document_format_the_importers_read(capsys):
    from annotator.io.documents import LOADERS

    code, out, _ = run(capsys, "--help")
    assert code == 0 and all(suffix in out for suffix in LOADERS)  # .docx and .html too, not only .txt/.md
