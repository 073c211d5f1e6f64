"""Bad document files: one clear line naming the file, exit status 2 from the
CLI, and nothing imported (not even the good files given with them)."""

import json
import os
import time
import zipfile

import docx
import pytest

from annotator import cli
from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io import docx_package
from annotator.io.documents import import_files, load_document_file
from annotator.store.database import open_database

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.fixture
def desk(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield Desk(db.repo, "tester")
    db.close()


def _sparse(path, size=200 * 1024 * 1024):
    """A file that says it is ``size`` bytes long without writing them (sparse)."""
    with open(path, "wb") as fh:
        fh.write(b"PK\x03\x04" if path.suffix == ".docx" else b"text")
    os.truncate(path, size)
    return path


def _docx_with(path, document_xml: bytes | str, extra: dict | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx"])
def test_a_200_mb_file_is_refused_at_once(tmp_path, suffix):
    path = _sparse(tmp_path / f"huge{suffix}")
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        load_document_file(path)
    assert time.perf_counter() - started < 1.0  # nothing was read
    assert str(exc.value).startswith(f"{path}: 200 MB is larger than the ")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx"])
def test_empty_files(tmp_path, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.\w+: the file is empty"):
        load_document_file(path)


def test_a_docx_that_is_not_a_zip(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_text("I am plain text pretending to be Word.")
    with pytest.raises(InputError) as exc:
        load_document_file(path)
    assert str(exc.value) == f"{path}: not a Word .docx file (a .docx is a zip archive, and this is not one)"


def test_an_old_doc_renamed_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputError, match=r"old\.docx: an old Word \.doc or a password-protected file"):
        load_document_file(path)


def test_a_zip_that_is_not_word(tmp_path):
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match=r"sheet\.docx: not a Word document \(the zip has no word/document.xml\)"):
        load_document_file(path)


def test_a_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("word/document.xml", f"<w:document {W}><w:body/></w:document>")
        z.writestr("word/media/zeros.bin", b"\0" * (30 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match=r"bomb\.docx: refused as a zip bomb: word/media/zeros\.bin would inflate \d+ times"):
        load_document_file(path)


def test_contents_past_the_total_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(docx_package, "MAX_UNCOMPRESSED", 1000)
    path = _docx_with(tmp_path / "big.docx", f"<w:document {W}><w:body/></w:document>", {"word/a.xml": "x" * 2000})
    with pytest.raises(InputError, match=r"big\.docx: refused as a zip bomb: its contents would inflate past"):
        load_document_file(path)


def test_a_dtd_or_entities_are_refused(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>&c;&ext;</w:t></w:r></w:p></w:body></w:document>"
    )
    path = _docx_with(tmp_path / "laughs.docx", laughs)
    with pytest.raises(InputError, match=r"laughs\.docx: word/document\.xml declares a DTD"):
        load_document_file(path)


def test_malformed_xml(tmp_path):
    path = _docx_with(tmp_path / "broken.docx", f"<w:document {W}><w:body><w:p>")
    with pytest.raises(InputError, match=r"broken\.docx: word/document\.xml is not well-formed XML"):
        load_document_file(path)


def test_a_docx_with_no_text(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    with pytest.raises(InputError, match=r"blank\.docx: the document has no text"):
        load_document_file(path)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), "not UTF-8 text (undecodable byte at offset 3)"),
        ("bad16.md", b"\xff\xfe\x00\xd8", "not valid UTF-16-LE"),
        ("page.html", b"<p>\x00\x01binary\x00</p>" + b"\xff" * 10, "looks like a binary file"),
    ],
)
def test_binary_and_wrong_encodings(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as exc:
        load_document_file(path)
    assert str(exc.value).startswith(f"{path}: ") and message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_nothing_is_imported_when_one_file_is_bad(desk, tmp_path):
    good_txt = tmp_path / "good.txt"
    good_txt.write_text("Good text.\n")
    good_docx = tmp_path / "good.docx"
    d = docx.Document()
    d.add_paragraph("Good Word text.")
    d.save(good_docx)
    bad = tmp_path / "bad.docx"
    bad.write_text("not a zip")
    with pytest.raises(InputError, match=r"bad\.docx"):
        import_files(desk, [good_txt, good_docx, bad])
    assert desk.repo.document_ids() == []


def test_cli_import_exit_status_and_database_unchanged(tmp_path, capsys):
    db = tmp_path / "cli.db"
    good = tmp_path / "good.html"
    good.write_text("<p>Good page.</p>")
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b" " * (20 * 1024 * 1024))
    assert cli.main(["--db", str(db), "import", str(good)]) == 0
    before = capsys.readouterr().out
    assert cli.main(["--db", str(db), "import", str(good), str(bomb)]) == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"annotator: {bomb}: refused as a zip bomb") and err.count("\n") == 1
    assert cli.main(["--db", str(db), "docs", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert before.strip().endswith("\tGood")
