"""The command line killed mid-way loses nothing and half-writes nothing.

``annotations import`` (20,000 W3C annotations; a brat ``.ann`` with
relations, attributes and notes), ``merge THEIRS.db`` (a colleague's file
of 4,000 new annotations, edits and deletions) and ``brief DOC -o
OUT.docx`` are run as ``python -m annotator`` and killed with SIGKILL at
random moments spread over the time a complete run takes (measured once on
a reference run, which also gives the "after" state). After each kill:
``PRAGMA integrity_check`` says ok, the content of every table is exactly
the state before the command or the state after it (never in between), the
brief is absent / the old file or a complete .docx (never a partial one),
and ``annotator check`` exits 0 on the file.

Values a run makes up (new UUIDs, timestamps of the moment) differ between
two complete runs; the "after" comparison replaces those (and only those)
by placeholders. The "before" comparison is exact.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docx
import pytest
import regex

from annotator import cli
from annotator.core.model import Claim
from annotator.core.services import AnnotationDraft, Desk
from annotator.store.database import open_database
from tests.bench.synth import synth_document
from tests.merge_helpers import raw_dump

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261201
KILLS_PER_COMMAND = 5
T0 = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
W3C_ANNOTATIONS = 20_000
BRAT_T_LINES = 4_000
THEIR_NEW = 4_000
MINE_ANNOTATIONS = 1_000
LABELS = ("Actor", "Location", "Claim")
STARTED = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=1)
STARTED_TEXT = STARTED.strftime("%Y-%m-%d %H:%M:%S")

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
_STAMP = re.compile(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")


# --- canonical dumps -----------------------------------------------------------------------


def uuids_in(dump: dict[str, list[str]]) -> set[str]:
    return {m.group(0).replace("-", "").lower() for rows in dump.values() for r in rows for m in _UUID.finditer(r)}


def masked(dump: dict[str, list[str]], known: set[str]) -> dict[str, list[str]]:
    """``dump`` with what a run makes up replaced: UUIDs not in ``known``,
    timestamps taken while this test runs (the inputs' times are in 2025)."""

    def uid(m: re.Match) -> str:
        return m.group(0) if m.group(0).replace("-", "").lower() in known else "<new uuid>"

    def stamp(m: re.Match) -> str:
        return "<now>" if m.group(0)[:19].replace("T", " ") >= STARTED_TEXT else m.group(0)

    return {t: sorted(_STAMP.sub(stamp, _UUID.sub(uid, r)) for r in rows) for t, rows in dump.items()}


def integrity(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def check_exits_0(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", str(path), "check"])
    return code, out.getvalue() + err.getvalue()


def summary(a: dict[str, list[str]], b: dict[str, list[str]]) -> str:
    return ", ".join(f"{t}: {len(a.get(t, []))} vs {len(b.get(t, []))}" for t in sorted(set(a) | set(b)) if a.get(t) != b.get(t))


# --- the data: one analyst's database, a colleague's, the files to import ---------------------


@dataclass
class Data:
    folder: Path
    mine: Path  # "before" for every command (closed, no WAL)
    doc_id: uuid.UUID
    w3c: Path
    brat: Path
    theirs: Path
    known: set[str] = field(default_factory=set)  # UUIDs in the inputs: kept by the commands


def _fixed_id(rnd: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rnd.getrandbits(128), version=4)


def _stamp(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Data:
    folder = tmp_path_factory.mktemp("cli-crash")
    rnd = random.Random(SEED)
    text = synth_document(150_000, seed=11)
    words = [m.span() for m in regex.finditer(r"\b[A-Za-z]{3,}\b", text)]

    mine = folder / "mine.db"
    db = open_database(mine)
    desk = Desk(db.repo, "ana")
    desk.ensure_tagset()
    doc = desk.import_document(text, "Border report").document
    drafts = []
    for i in range(MINE_ANNOTATIONS):
        s, e = rnd.choice(words)
        drafts.append(AnnotationDraft(label=LABELS[i % 3], start=s, end=e, id=_fixed_id(rnd), creator="ana",
                                      created=T0, modified=T0, note="checked" if i % 10 == 0 else ""))  # fmt: skip
    report = desk.import_annotations(doc.id, drafts)
    assert not report.orphans
    claims = [d for d in drafts if d.label == "Claim"][:60]
    with db.repo.transaction():
        for n, d in enumerate(claims):
            db.repo.put_claim(Claim(annotation_id=d.id, reliability="ABCDEF"[n % 6], credibility="123456"[n % 6],
                                    creator="ana", created=T0, modified=T0))  # fmt: skip
    db.close()

    # a colleague's file: our database handed over, then 10,000 new annotations, edits and deletions
    theirs = folder / "theirs.db"
    shutil.copyfile(mine, theirs)
    tdb = open_database(theirs)
    tdesk = Desk(tdb.repo, "bo")
    later = T0 + timedelta(days=3)
    new = []
    for i in range(THEIR_NEW):
        s, e = rnd.choice(words)
        new.append(AnnotationDraft(label=LABELS[i % 3], start=s, end=e, id=_fixed_id(rnd), creator="bo",
                                   created=later, modified=later, note="bo's" if i % 7 == 0 else ""))  # fmt: skip
    assert not tdesk.import_annotations(doc.id, new).orphans
    tdb.close()
    con = sqlite3.connect(theirs)
    with con:
        ids = [d.id.hex for d in drafts]
        for n, aid in enumerate(ids[:400]):  # edits (a conflict where our note differs) and deletions
            if n % 4 == 0:
                con.execute("UPDATE annotation SET deleted = 1, modified = ? WHERE id = ?", (_stamp(later), aid))
            else:
                con.execute("UPDATE annotation SET note = ?, modified = ? WHERE id = ?", (f"bo {n}", _stamp(later), aid))
    con.close()

    items = []
    for i in range(W3C_ANNOTATIONS):
        s, e = rnd.choice(words)
        items.append({
            "type": "Annotation", "id": f"urn:uuid:{_fixed_id(rnd)}", "creator": "jo",
            "created": "2025-06-10T08:00:00Z", "modified": "2025-06-10T08:00:00Z",
            "body": [{"type": "TextualBody", "purpose": "tagging", "value": LABELS[i % 3]}]
            + ([{"type": "TextualBody", "purpose": "commenting", "value": f"note {i}"}] if i % 9 == 0 else []),
            "target": {"source": f"urn:uuid:{doc.id}", "selector": [
                {"type": "TextPositionSelector", "start": s, "end": e},
                {"type": "TextQuoteSelector", "exact": text[s:e]}]},
        })  # fmt: skip
    w3c = folder / "big.w3c.json"
    w3c.write_text(json.dumps(items), encoding="utf-8")

    lines = []
    for i in range(1, BRAT_T_LINES + 1):
        s, e = rnd.choice(words)
        if i % 50 == 0:  # discontinuous
            s2, e2 = rnd.choice(words)
            (s, e), (s2, e2) = sorted([(s, e), (s2, e2)])
            if e < s2:
                lines.append(f"T{i}\tWeapon {s} {e};{s2} {e2}\t{text[s:e]} {text[s2:e2]}")
                continue
        lines.append(f"T{i}\t{('Person', 'Location', 'Claim')[i % 3]} {s} {e}\t{text[s:e]}")
    for i in range(1, 501):
        a, b = rnd.randint(1, BRAT_T_LINES), rnd.randint(1, BRAT_T_LINES)
        lines.append(f"R{i}\tRelated Arg1:T{a} Arg2:T{b}\t")
        lines.append(f"A{i}\tNegated T{rnd.randint(1, BRAT_T_LINES)}")
        lines.append(f"#{i}\tAnnotatorNotes T{rnd.randint(1, BRAT_T_LINES)}\tnote {i} قال 😀")
    brat = folder / "big.ann"
    brat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "big.txt").write_text(text, encoding="utf-8")  # the .txt beside it, as brat keeps it

    out = Data(folder, mine, doc.id, w3c, brat, theirs)
    out.known = uuids_in(raw_dump(mine)) | uuids_in(raw_dump(theirs)) | {
        m.group(0).replace("-", "").lower() for m in _UUID.finditer(w3c.read_text("utf-8"))
    }
    return out


# --- running and killing ------------------------------------------------------------------------


def _env(work: Path) -> dict[str, str]:
    env = {**os.environ, "ANNOTATOR_USER": "ana", "TMPDIR": str(work / "tmp")}
    for name in ("ANNOTATOR_DB", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    return env


def _start(work: Path, args: list[str]) -> subprocess.Popen:
    (work / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", "--db", str(work / "db.sqlite"), *args],
        cwd=ROOT, env=_env(work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _fresh(data: Data, name: str) -> Path:
    work = data.folder / name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    shutil.copyfile(data.mine, work / "db.sqlite")
    return work


@dataclass
class Command:
    name: str
    args: list[str]
    brief: bool = False


def commands(data: Data) -> dict[str, Command]:
    doc = str(data.doc_id)
    return {
        "w3c": Command("annotations import (W3C, 20,000)", ["annotations", "import", doc, str(data.w3c)]),
        "brat": Command("annotations import (brat .ann)", ["annotations", "import", doc[:8], str(data.brat)]),
        "merge": Command("merge THEIRS.db", ["merge", str(data.theirs)]),
        "brief": Command("brief DOC -o OUT.docx", ["brief", doc, "-o", "OUT"], brief=True),
    }


def _args(cmd: Command, work: Path) -> list[str]:
    return [str(work / "out.docx") if a == "OUT" else a for a in cmd.args]


def _writing(work: Path) -> bool:
    """The command has begun writing: frames in the WAL, or the brief's temporary file."""
    wal = work / "db.sqlite-wal"
    with contextlib.suppress(FileNotFoundError):
        if wal.stat().st_size > 0:
            return True
    return any(p.name.endswith(".part") for p in work.iterdir())


def _wait_for_writing(proc: subprocess.Popen, work: Path, limit: float) -> float | None:
    """Poll (every 2 ms) until the command writes; seconds waited, None if it ended or ``limit`` passed."""
    started = time.monotonic()
    while proc.poll() is None and time.monotonic() - started < limit:
        if _writing(work):
            return time.monotonic() - started
        time.sleep(0.002)
    return None


@pytest.mark.timeout(300)
@pytest.mark.parametrize("which", ["w3c", "brat", "merge", "brief"])
def test_sigkill_leaves_the_database_before_or_after(data, which):
    cmd = commands(data)[which]
    rnd = random.Random(f"{SEED}-{which}")
    before = raw_dump(data.mine)

    # the reference run: how long a complete run takes, when it starts writing, and the state after it
    work = _fresh(data, f"{which}-reference")
    started = time.monotonic()
    proc = _start(work, _args(cmd, work))
    writes_at = _wait_for_writing(proc, work, 240)
    _, err = proc.communicate(timeout=240)
    full = time.monotonic() - started
    assert proc.returncode == 0, err.decode()
    window = full - writes_at if writes_at is not None else None  # from the first write to the end
    after_raw = raw_dump(work / "db.sqlite")
    after = masked(after_raw, data.known)
    if cmd.brief:
        assert after_raw == before  # a brief only reads
        reference_paragraphs = len(docx.Document(str(work / "out.docx")).paragraphs)
    else:
        assert after_raw != before, "the command changed nothing: the test would prove nothing"

    kills = {"before": 0, "after": 0}
    exited_first = 0
    mid_write = 0  # killed while the transaction (or the brief's temporary file) was being written
    leftovers = 0
    for k in range(KILLS_PER_COMMAND):
        # even kills: stratified over [5 %, 92 %] of a complete run (start-up, reading, anchoring…);
        # odd kills: at a random moment after the command starts writing (the transaction, the commit, the save)
        in_write = k % 2 == 1 and window is not None
        fraction = 0.05 + 0.87 * (k // 2 * 2 + rnd.random() * 2) / KILLS_PER_COMMAND
        pause = rnd.uniform(0, window * 0.9) if in_write else full * fraction
        old_brief = cmd.brief and k % 4 < 2
        for attempt in range(4):  # a run faster than the reference may end first: kill it sooner
            work = _fresh(data, f"{which}-kill-{k}")
            out = work / "out.docx"
            if old_brief:
                out.write_bytes(b"the old brief")
            proc = _start(work, _args(cmd, work))
            now_writing = in_write and attempt < 2  # (then at once when writing starts; then as the others)
            delay = (pause if attempt == 0 else 0) if now_writing else full * fraction * 0.7**attempt
            if now_writing and _wait_for_writing(proc, work, 240) is None:
                delay = 0
            time.sleep(delay)
            writing = _writing(work)
            killed = proc.poll() is None
            if killed:
                proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=240)
            if not killed:
                assert proc.returncode == 0, err.decode()
                exited_first += 1
            where = f"{cmd.name}, kill {k} ({'after the first write, ' if now_writing else ''}{delay:.2f} s; a complete run: {full:.2f} s)"

            db = work / "db.sqlite"
            assert integrity(db) == ["ok"], where
            now = raw_dump(db)
            if now == before:
                state = "before"
            else:
                state = "after"
                got = masked(now, data.known)
                assert got == after, f"{where}: the database is neither before nor after ({summary(got, after)})"
            assert not killed or not cmd.brief or state == "before"
            if cmd.brief:
                if out.exists() and out.read_bytes() != b"the old brief":
                    assert len(docx.Document(str(out)).paragraphs) == reference_paragraphs, where
                else:
                    assert killed, where  # a run that finished wrote the brief
                others = [p.name for p in work.iterdir() if p.name not in ("db.sqlite", "db.sqlite-wal", "db.sqlite-shm", "tmp", "out.docx")]
                assert all(n.startswith(".out.docx.") and n.endswith(".part") for n in others), (where, others)
                leftovers += len(others)
            leftovers += len(list((work / "tmp").iterdir()))  # a merge's private copy of their file
            code, said = check_exits_0(db)
            assert code == 0, f"{where}: check after the kill: {said}"
            if killed:
                kills[state] += 1
                mid_write += writing
                break
    total = kills["before"] + kills["after"]
    print(f"\n{cmd.name}: complete run {full:.2f} s (writing from {writes_at or 0:.2f} s); {total} kills, "
          f"{mid_write} of them while writing: {kills['before']} left the database before, {kills['after']} after; "
          f"{exited_first} runs ended before their kill; {leftovers} temporary files left behind")  # fmt: skip
    assert total == KILLS_PER_COMMAND
