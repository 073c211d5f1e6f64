"""``annotator search``: the same search as the desk's, printed as lines or JSON."""

from __future__ import annotations

import json

import pytest

from tests.cli_helpers import cli_runner


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("ANNOTATOR_USER", "tester")
    db = tmp_path / "a.db"

    run = cli_runner(db, capsys)

    assert run("run-default")[0] == 0  # the seed article, fully annotated
    report = tmp_path / "arabic.txt"
    report.write_text("قالت مصادر إن وللحشدِ الشعبي دوراً في بَغْدَادَ 🇸🇾\nSecond paragraph.", "utf-8")
    assert run("import", report)[0] == 0
    return run


def test_words_phrases_and_prefixes_across_documents(run):
    code, out, _err = run("search", '"security official"')
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Syria sends 3,000 troops to Iraq border") and lines[0].endswith("2 hits")
    assert "  text @1727..1744  …concerns about militia movements from Iraq into Syria, a [security official], said" in out
    assert "  rationale (Claim) @509..593  …Anonymous Iraqi [security official]; Baghdad has" in out
    assert "Entities  1" in out and "Iraqi security source: …Unnamed Iraqi [security official] who spoke" in out
    assert lines[-1] == "3 hits"
    # The actors only: the quote "a security official" (in the text above, inside one paragraph).
    out = run("search", '"security official"', "--kind", "actor")[1]
    assert "  quote (Actor) @1725..1744  …a [security official]…" in out and out.splitlines()[-1] == "1 hit"
    code, out, _err = run("search", '"الحشد الشعبي"', "--json")
    groups = json.loads(out)["groups"]
    assert [g["title"] for g in groups] == ["Arabic", "Entities"]
    assert [h["match"] for h in groups[0]["hits"]] == ["لحشدِ الشعبي"]  # after the proclitics, harakat kept
    assert groups[1]["hits"][0]["name"] == "Popular Mobilisation Forces"  # its Arabic alias
    assert run("search", "milit*", "--limit", "3")[1].splitlines()[-1] == "3 hits (more hits: narrow the search or raise --limit)"


def test_filters_on_gradings_sources_and_dates(run):
    code, out, _err = run("search", "--kind", "claim", "--reliability", "A-B", "--json")
    hits = [h for g in json.loads(out)["groups"] for h in g["hits"]]
    assert code == 0 and hits and all(h["label"] == "Claim" for h in hits)
    everything = json.loads(run("search", "--kind", "claim", "--json", "--limit", "1000")[1])["hits"]
    assert 0 < len(hits) < everything
    out = run("search", "iraq", "--source", "two security officials in Damascus")[1]
    assert out.splitlines()[-1] == "1 hit" and "quote (Claim) @0..100" in out
    assert run("search", "syria", "--from", "2025-07")[1] == "No hits.\n"
    assert "text @0..5" in run("search", "syria", "--from", "2025-06-10", "--to", "2025-06-30")[1]


def test_bad_requests_say_why(run):
    code, _out, err = run("search")
    assert code == 2 and "nothing to search for" in err
    code, _out, err = run("search", "x", "--reliability", "X")
    assert code == 2 and "grades are A–F" in err
    code, _out, err = run("search", "x", "--doc", "ffffffff")
    assert code == 2 and "ffffffff" in err


def test_or_separates_alternatives(run):
    both = json.loads(run("search", "Palmyra OR بغداد", "--json")[1])
    palmyra = json.loads(run("search", "Palmyra", "--json")[1])
    baghdad = json.loads(run("search", "بغداد", "--json")[1])
    assert both["hits"] == palmyra["hits"] + baghdad["hits"] > palmyra["hits"] > 0
