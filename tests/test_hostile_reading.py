"""Names that point at something other than a file are refused at once.

Every input (.txt, .md, .html, .docx, W3C .json, brat .ann) is opened without
blocking, checked on the descriptor to be a regular file and read no further
than its limit: a FIFO would block the reader forever, ``/dev/zero`` would
fill the memory. The command line runs in a subprocess with a timeout (a
FIFO must not block it) and an address-space limit (``/dev/zero`` must not
take the machine with it when the check is missing).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core import canonical
from annotator.core.errors import InputError
from annotator.io.limits import read_bytes_limited

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")

CLI_TIMEOUT = 60  # seconds; a refused file takes well under one, a blocked FIFO forever
ADDRESS_SPACE = 1536 * 1024 * 1024  # enough to import the program, far from enough to read /dev/zero whole
KINDS = {"fifo": "a FIFO", "devzero": "a character device"}


def hostile(folder: Path, name: str, kind: str) -> Path:
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def annotator(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["ANNOTATOR_USER"] = "tester"
    return subprocess.run([sys.executable, "-m", "annotator", "--db", "a.db", *args], cwd=folder, env=env,
                          capture_output=True, timeout=CLI_TIMEOUT, preexec_fn=_limit_memory)  # fmt: skip


def one_line_refusal(proc: subprocess.CompletedProcess[bytes], name: str, kind: str) -> None:
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err == f"annotator: {name}: not a regular file ({KINDS[kind]})\n"


@pytest.mark.timeout(CLI_TIMEOUT * 2)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx"])
def test_import_refuses_a_fifo_or_a_device(tmp_path, kind, suffix):
    hostile(tmp_path, f"x{suffix}", kind)
    proc = annotator(tmp_path, "import", f"x{suffix}")
    one_line_refusal(proc, f"x{suffix}", kind)
    assert proc.stdout == b""


@pytest.fixture
def doc_id(tmp_path) -> str:
    (tmp_path / "doc.txt").write_text("Syria sent troops to the border.\n", encoding="utf-8")
    proc = annotator(tmp_path, "import", "doc.txt")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.decode().split("\t")[0]


@pytest.mark.timeout(CLI_TIMEOUT * 3)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("suffix", [".json", ".ann"])
def test_annotations_import_refuses_a_fifo_or_a_device(tmp_path, doc_id, kind, suffix):
    hostile(tmp_path, f"x{suffix}", kind)
    one_line_refusal(annotator(tmp_path, "annotations", "import", doc_id, f"x{suffix}"), f"x{suffix}", kind)


@pytest.mark.timeout(CLI_TIMEOUT * 3)
@pytest.mark.parametrize("kind", KINDS)
def test_brat_text_beside_the_ann_is_checked_too(tmp_path, doc_id, kind):
    (tmp_path / "x.ann").write_text("T1\tActor 0 5\tSyria\n", encoding="utf-8")
    hostile(tmp_path, "x.txt", kind)
    one_line_refusal(annotator(tmp_path, "annotations", "import", doc_id, "x.ann"), "x.txt", kind)


# --- read_bytes_limited itself ------------------------------------------------------------


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", KINDS)
def test_read_bytes_limited_refuses_what_is_not_a_regular_file(tmp_path, kind):
    path = hostile(tmp_path, "x.txt", kind)
    with pytest.raises(InputError) as exc:
        read_bytes_limited(path)
    assert str(exc.value) == f"{path}: not a regular file ({KINDS[kind]})"
    from annotator.io.limits import read_text_limited  # (new: imported here so the rest runs on the old code)

    with pytest.raises(InputError, match="not a regular file"):
        read_text_limited(path)


LATIN1 = os.fsdecode(b"caf\xe9")  # a name that is not UTF-8, as Python hands it over
SHOWN = "caf\\xe9"  # ... and as messages show it: valid text, the byte written \xe9


@pytest.mark.timeout(20)
def test_read_bytes_limited_reads_up_to_the_limit_and_no_further(tmp_path):
    path = tmp_path / f"{LATIN1}.txt"
    path.write_bytes(b"a" * 1024)
    assert read_bytes_limited(path, max_bytes=1024) == b"a" * 1024
    with pytest.raises(InputError) as exc:
        read_bytes_limited(path, max_bytes=1023)
    assert str(exc.value) == f"{tmp_path}/{SHOWN}.txt: 0 MB is larger than the 0 MB limit"
    big = tmp_path / f"{LATIN1}.md"
    with open(big, "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    with pytest.raises(InputError) as exc:
        read_bytes_limited(big)
    assert str(exc.value) == f"{tmp_path}/{SHOWN}.md: 200 MB is larger than the 64 MB limit"


def test_read_bytes_limited_keeps_its_messages_and_names_the_file_as_text(tmp_path):
    cases = [(tmp_path / f"{LATIN1} nope.txt", f"{SHOWN} nope.txt: no such file"),
             (tmp_path / LATIN1, f"{SHOWN}: is a folder, not a file"),
             (tmp_path / f"{LATIN1}.json", f"{SHOWN}.json: the file is empty")]  # fmt: skip
    (tmp_path / LATIN1).mkdir()
    (tmp_path / f"{LATIN1}.json").write_bytes(b" \n\t\n")
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / f"{LATIN1}-locked.txt"
        locked.write_bytes(b"secret")
        locked.chmod(0)
        cases.append((locked, f"{SHOWN}-locked.txt: permission denied"))
    for path, message in cases:
        with pytest.raises(InputError) as exc:
            read_bytes_limited(path)
        assert str(exc.value) == f"{tmp_path}/{message}"
        str(exc.value).encode("utf-8")  # no lone surrogate left in it


def test_reading_files_is_no_longer_in_core():
    assert not hasattr(canonical, "read_text_file")  # core decodes; annotator.io reads
