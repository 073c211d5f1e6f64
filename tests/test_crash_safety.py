"""Nothing committed is lost: the real desk is killed with SIGKILL mid-work,
twenty times, and every edit it reported as committed must be in the file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from annotator.store.database import open_database

DRIVER = Path(__file__).with_name("crash_driver.py")
ROUNDS = 20


def run_and_kill(db: Path, seed: int, rnd: random.Random) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("ANNOTATOR_NO_SEED", None)  # the desk opens on the annotated seed article
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(db), str(seed)], stdout=subprocess.PIPE, text=True, env=env, bufsize=1
    )
    lines: list[str] = []
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first == "ready", f"the desk did not open normally: {first!r}"
    deadline = time.monotonic() + rnd.uniform(0.3, 1.5)
    os.set_blocking(proc.stdout.fileno(), False)
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line:
            lines.append(line.strip())
        else:
            time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    os.set_blocking(proc.stdout.fileno(), True)
    lines.extend(x.strip() for x in proc.stdout.read().splitlines() if x.strip())
    proc.stdout.close()
    return lines


@pytest.mark.timeout(600)
def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    db = tmp_path / "crash.db"
    rnd = random.Random(20261125)
    expected: dict[uuid.UUID, bool] = {}  # id -> live, as last reported
    for round_no in range(ROUNDS):
        lines = run_and_kill(db, round_no, rnd)
        last_committed: list[uuid.UUID] = []
        in_flight = None  # the last edit may have committed after its line was printed: undo
        for line in lines:
            if line.startswith("committed "):
                ann_id = uuid.UUID(line.split()[1])
                expected[ann_id] = True
                last_committed.append(ann_id)
            elif line == "undone" and last_committed:
                expected[last_committed.pop()] = False
        # An undo whose line was never printed may have committed before the kill.
        if lines and lines[-1].startswith("committed "):
            in_flight = uuid.UUID(lines[-1].split()[1])
        store = open_database(db, create=False)
        try:
            assert store.integrity_problems() == []
            rows = {a.id: a for d in store.repo.document_ids() for a in store.repo.annotations(d, include_deleted=True)}
        finally:
            store.close()
        missing = [i for i in expected if i not in rows]
        assert not missing, f"round {round_no}: {len(missing)} committed edits lost"
        for ann_id, live in expected.items():
            if ann_id == in_flight and rows[ann_id].deleted:
                expected[ann_id] = False  # undone just before the kill
                continue
            assert rows[ann_id].deleted is (not live), f"round {round_no}: {ann_id} should be {'live' if live else 'undone'}"
    assert len(expected) > ROUNDS, "the desk made too few edits to prove anything"
