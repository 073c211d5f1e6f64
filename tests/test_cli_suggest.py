"""``annotator suggest``: the desk's suggestions printed, accepted or rejected
in bulk from the command line, against the rows in the database."""

from __future__ import annotations

import json

import pytest

from annotator.core.operations import services_for
from annotator.store.database import open_database
from tests.cli_helpers import cli_runner


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANNOTATOR_USER", "tester")
    db = tmp_path / "a.db"

    run = cli_runner(db, capsys)

    for name, text in [("first.txt", "Assad spoke."), ("second.txt", "Later, Assad went to Damascus. Assad 😀 left.")]:
        (tmp_path / name).write_text(text, "utf-8")
        assert run("import", tmp_path / name)[0] == 0
    database = open_database(db)
    services = services_for(database.repo, "tester", gazetteer=None)
    services.desk.ensure_tagset()
    titles = {d.title: d.id for d in database.repo.document_summaries()}
    first, run.second = titles["First"], titles["Second"]
    actor = next(lab for lab in database.repo.labels() if lab.name == "Actor")
    services.desk.add_annotation(first, actor.id, 0, 5)  # "Assad", a new actor
    database.close()
    run.db = db
    return run


def test_prints_accepts_and_rejects(run):
    code, out, _err = run("suggest", "--all", "--no-gazetteer", "--json")
    found = json.loads(out)
    assert code == 0 and [(s["title"], s["exact"], s["start"], s["end"], s["score"]) for s in found] == [
        ("Second", "Assad", 7, 12, 1.0), ("Second", "Assad", 31, 36, 1.0),
    ]  # fmt: skip; code points: the emoji counts one
    assert found[0]["why"] and found[0]["name"] == "Assad"
    code, out, _err = run("suggest", "--all")  # with the gazetteer: Damascus too
    assert "  21-29  Damascus  [location, new]  in the gazetteer: Damascus, Syria" in out
    assert run("suggest", found[0]["document"][:8], "--no-gazetteer", "--accept")[1] == "Tagged 2 suggestions in 1 document(s).\n"
    database = open_database(run.db)
    tagged = sorted((a.start, a.end, a.exact, a.creator) for a in database.repo.annotations(run.second))
    assert tagged == [(7, 12, "Assad", "tester"), (31, 36, "Assad", "tester")]
    assert len({a.entity_id for a in database.repo.annotations(run.second)}) == 1
    database.close()
    assert run("suggest", "--all", "--reject")[1] == "Rejected 1 suggestion in 1 document(s).\n"  # Damascus
    assert run("suggest", "--all")[1] == "No suggestions.\n"


def test_one_document_or_all(run):
    code, _out, err = run("suggest")
    assert code != 0 and "give one document, or --all" in err
