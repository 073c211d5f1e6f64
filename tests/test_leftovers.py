"""What a killed process leaves behind is swept by the next one: a half-written
``.OUT.<pid>.*.part`` beside a file, a private copy of a colleague's database
in the temporary folder. A live process's files are never touched."""

import subprocess
import sys

from annotator.io.atomic import atomic_write
from annotator.store.sqlite.untrusted import _COPY_PREFIX, _sweep_stale_copies


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_part_files_are_swept_by_the_next_write(tmp_path):
    import os

    out = tmp_path / "brief.docx"
    stale = tmp_path / f".brief.docx.{dead_pid()}.abc123.part"
    live = tmp_path / f".brief.docx.{os.getpid()}.def456.part"
    other = tmp_path / ".notes.txt.1.x.part"
    for f in (stale, live, other):
        f.write_text("half")
    with atomic_write(out) as fh:
        fh.write("whole")
    assert out.read_text() == "whole"
    assert not stale.exists() and live.exists() and other.exists()


def test_stale_private_copies_are_swept(tmp_path):
    import os

    stale = tmp_path / f"{_COPY_PREFIX}{dead_pid()}-k2j3"
    live = tmp_path / f"{_COPY_PREFIX}{os.getpid()}-x9y8"
    for d in (stale, live):
        d.mkdir()
        (d / "theirs.db").write_bytes(b"copy")
    _sweep_stale_copies(tmp_path)
    assert not stale.exists() and live.exists()
