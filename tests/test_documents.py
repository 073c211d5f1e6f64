"""Document files and seeds: loading, titles, all-or-nothing imports."""

import json
import shutil
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io.documents import import_files, load_document_file, title_from_stem
from annotator.io.seeds import import_seeds, load_seeds, seed_if_empty, seeds_dir
from annotator.store.database import open_database

DATA = Path(__file__).parent / "data"


@pytest.fixture
def desk(tmp_path):
    db = open_database(tmp_path / "a.db")
    yield Desk(db.repo, "tester")
    db.close()


def test_txt_title_from_file_name_and_text_verbatim(tmp_path):
    path = tmp_path / "syria-troops_border.txt"
    path.write_bytes(b"\xef\xbb\xbf  First line\r\n\r\nlast  ")
    doc = load_document_file(path)
    assert doc.title == "Syria troops border" and doc.filename == "syria-troops_border.txt"
    assert doc.text == "  First line\n\nlast  "  # BOM dropped, CRLF -> LF, nothing trimmed


def test_md_title_from_first_heading(tmp_path):
    path = tmp_path / "brief.MD"
    path.write_text("Some intro\n## Not this\n#   Syria and Iraq: the border   ##\n# Later\n", encoding="utf-8")
    doc = load_document_file(path)
    assert doc.title == "Syria and Iraq: the border"
    assert doc.text.startswith("Some intro\n")
    plain = tmp_path / "no-heading.md"
    plain.write_text("#hashtag is not a heading\n", encoding="utf-8")
    assert load_document_file(plain).title == "No heading"


@pytest.mark.parametrize("stem, title", [("report", "Report"), ("UN-report_2025", "UN report 2025"), ("---", "Untitled")])
def test_title_from_stem(stem, title):
    assert title_from_stem(stem) == title


def test_unsupported_suffix(tmp_path):
    for name, kind in (("scan.pdf", ".pdf"), ("old.doc", ".doc"), ("README", "(no suffix)")):
        path = tmp_path / name
        path.write_text("x")
        with pytest.raises(InputError) as exc:
            load_document_file(path)
        assert str(exc.value) == f"{path}: unsupported file type {kind} (supported: .txt, .md, .docx, .html, .htm)"


def test_import_files_is_all_or_nothing(desk, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Good text.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 not UTF-8")
    with pytest.raises(InputError, match="bad.txt"):
        import_files(desk, [good, bad])
    assert desk.repo.document_ids() == []
    imports = import_files(desk, [good, DATA / "mixed-crlf.txt", good])
    assert [i.created for i in imports] == [True, True, False]
    assert imports[0].document.id == imports[2].document.id


def test_import_files_rolls_back_when_a_write_fails(desk, tmp_path, monkeypatch):
    files = []
    for i in range(3):
        files.append(tmp_path / f"d{i}.txt")
        files[-1].write_text(f"Document {i}.\n")
    real, calls = desk.repo.add_document, []

    def fail_on_third(doc):
        calls.append(doc)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(doc)

    monkeypatch.setattr(desk.repo, "add_document", fail_on_third)
    with pytest.raises(OSError):
        import_files(desk, files)
    assert desk.repo.document_ids() == []


def test_seed_if_empty_imports_the_manifest_once(desk):
    manifest = json.loads((seeds_dir() / "manifest.json").read_text("utf-8"))
    imports = seed_if_empty(desk)
    assert [i.document.title for i in imports] == [e["title"] for e in manifest["documents"]]
    doc = imports[0].document
    entry = manifest["documents"][0]
    assert (doc.source, doc.published, doc.language, doc.description) == (
        entry["source"], entry["published"], entry["language"], entry["description"]
    )
    assert [lb.name for lb in desk.repo.labels()] == ["Actor", "Claim", "Location"]
    assert seed_if_empty(desk) == []
    assert len(desk.repo.document_ids()) == len(manifest["documents"])


def _seed_folder(tmp_path, annotations):
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(DATA / "mixed-crlf.txt", folder / "doc.txt")
    (folder / "doc.w3c.json").write_text(json.dumps(annotations), encoding="utf-8")
    entry = {"file": "doc.txt", "title": "Mixed", "source": "Tests", "annotations": "doc.w3c.json"}
    (folder / "manifest.json").write_text(json.dumps({"documents": [entry]}), encoding="utf-8")
    return folder


def test_seed_annotations_key(desk, tmp_path):
    annos = json.loads((DATA / "mixed-crlf.w3c.json").read_text("utf-8"))
    folder = _seed_folder(tmp_path, annos)
    [imp] = import_seeds(desk, folder)
    assert imp.created and imp.document.title == "Mixed" and imp.document.source == "Tests"
    assert len(list(desk.repo.annotations(imp.document.id))) == len(annos)
    assert import_seeds(desk, folder)[0].created is False  # seeding again adds nothing
    assert len(list(desk.repo.annotations(imp.document.id))) == len(annos)


def test_seed_with_an_unanchorable_annotation_writes_nothing(desk, tmp_path):
    bad = [{"type": "Annotation", "target": {"selector": {"type": "TextQuoteSelector", "exact": "not there"}}}]
    folder = _seed_folder(tmp_path, bad)
    assert len(load_seeds(folder)[0][1]) == 1
    with pytest.raises(InputError, match="cannot be anchored"):
        import_seeds(desk, folder)
    assert desk.repo.document_ids() == [] and desk.repo.labels() == []


def test_bad_manifest(desk, tmp_path):
    (tmp_path / "manifest.json").write_text('{"documents": [{"title": "no file"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="manifest.json: expected"):
        import_seeds(desk, tmp_path)
