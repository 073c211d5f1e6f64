"""REFI-QDA project export: the zip, the schema, positions, codes, CLI."""

import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from annotator import cli
from annotator.core.claims import Claims
from annotator.core.entities import Entities
from annotator.core.errors import InputError
from annotator.core.model import LabelKind
from annotator.core.services import AnnotationDraft, Desk
from annotator.io.documents import import_files
from annotator.io.qdpx import user_guid, write_qdpx
from annotator.store.database import open_database

DATA = Path(__file__).parent / "data"
XSD = DATA / "refi-qda" / "Project-mrt2019.xsd"
Q = "{urn:QDA-XML:project:1.0}"
ARABIC = "قال مسؤولون سوريون إن القوات انتشرت قرب البوكمال، وأكد مصدر عراقي ذلك.\n"


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


class Corpus:
    """Three documents: CRLF-origin text with emoji and Arabic, an Arabic one, one never exported."""

    def __init__(self, path: Path):
        self.db = open_database(path)
        self.repo = self.db.repo
        self.desk = Desk(self.repo, "ana")
        self.desk.ensure_tagset()
        claims = Claims(self.repo, "ana")
        Entities(self.repo, "ana").create(LabelKind.ACTOR, "Officials", type="official", aliases=["المسؤولون"], country_code="SY")
        [imp] = import_files(self.desk, [DATA / "mixed-crlf.txt"])
        self.doc = imp.document
        self.arabic = self.desk.import_document(ARABIC, "تقرير", source="مصدر").document
        self.secret = self.desk.import_document("Need to know only: Bo met Ana.", "Secret").document
        text = self.doc.text
        self.damascus = self.tag(self.doc, "Location", "Damascus")
        self.officials = self.tag(self.doc, "Actor", "Officials")
        self.claim = self.tag(self.doc, "Claim", "Officials said on Saturday that 3,000 troops moved to the border.")
        self.troops = self.tag(self.doc, "Actor", "3,000 troops moved")  # overlaps the claim
        self.flag = self.tag(self.doc, "Location", "Damascus 🇸🇾")  # overlaps Damascus, ends on a flag
        self.family = self.tag(self.doc, "Actor", "family 👨\u200d👩\u200d👧", note="ZWJ family; who?\nSecond line \x0b")
        self.qaim = self.tag(self.doc, "Location", "Al-Qaim")
        gone = self.tag(self.doc, "Actor", "café")
        self.desk.delete_annotation(gone.id)
        self.deleted = gone
        a, b = text.index("The family"), text.index("fled")
        report = self.desk.import_annotations(self.doc.id, [AnnotationDraft(label="Topic", fragments=[(a, a + 3), (b, b + 4)])])
        self.split = self.repo.get_annotation(report.added[0])
        claims.set_details(self.claim.id, source_entity_id=self.officials.entity_id, source_annotation_id=self.officials.id,
                           reliability="B", credibility="2", stance="reported", likelihood="likely",
                           likelihood_note="Two officials, one outlet.")  # fmt: skip
        claims.set_subjects(self.claim.id, [self.damascus.entity_id])
        self.arabic_claim = self.tag(self.arabic, "Claim", "وأكد مصدر عراقي ذلك")
        self.arabic_place = self.tag(self.arabic, "Location", "البوكمال")
        claims.set_details(self.arabic_claim.id, reliability="C", credibility="3")
        claims.link(self.arabic_claim.id, self.claim.id, "corroborates")
        self.secret_actor = self.tag(self.secret, "Actor", "Bo")

    def tag(self, doc, label, exact, note=""):
        start = doc.text.index(exact)
        ann, _ = self.desk.add_annotation(doc.id, self.desk.label_named(label).id, start, start + len(exact), note=note)
        return ann

    def live(self, doc):
        return list(self.repo.annotations(doc.id))


@pytest.fixture
def corpus(tmp_path):
    c = Corpus(tmp_path / "a.db")
    yield c
    c.db.close()


@pytest.fixture
def exported(corpus, tmp_path):
    out = write_qdpx(corpus.repo, [corpus.doc.id, corpus.arabic.id], tmp_path / "out.qdpx", user="bo")
    with zipfile.ZipFile(out) as zf:
        files = {name: zf.read(name) for name in zf.namelist()}
    return out, files, etree.fromstring(files["project.qde"])


def test_the_zip_holds_the_project_and_each_source_as_utf8(corpus, exported):
    out, files, _root = exported
    assert out.suffix == ".qdpx"
    assert set(files) == {"project.qde", f"sources/{corpus.doc.id}.txt", f"sources/{corpus.arabic.id}.txt"}
    assert files[f"sources/{corpus.doc.id}.txt"] == corpus.doc.text.encode("utf-8")
    assert b"\r" not in files[f"sources/{corpus.doc.id}.txt"]  # the canonical text: CRLF became LF
    assert files[f"sources/{corpus.arabic.id}.txt"].decode("utf-8") == ARABIC
    assert not list(out.parent.glob(".out.qdpx.*"))  # no temporary file left


def test_project_validates_against_the_refi_qda_schema(exported, schema):
    _out, files, _root = exported
    doc = etree.ElementTree(etree.fromstring(files["project.qde"]))
    assert schema.validate(doc), schema.error_log
    assert doc.getroot().tag == f"{Q}Project"


def test_schema_catches_what_it_should(exported, schema):
    """The check is real: the same file with its elements out of order fails."""
    _out, files, _root = exported
    root = etree.fromstring(files["project.qde"])
    users = root.find(f"{Q}Users")
    root.remove(users)
    root.append(users)
    assert not schema.validate(etree.ElementTree(root))


def _selections(root, files):
    """(selection element, source text, start, end) for every selection."""
    out = []
    for src in root.iter(f"{Q}TextSource"):
        path = src.get("plainTextPath")
        assert path == f"internal://{src.get('guid')}.txt"
        text = files["sources/" + path.removeprefix("internal://")].decode("utf-8")
        for sel in src.iter(f"{Q}PlainTextSelection"):
            out.append((sel, text, int(sel.get("startPosition")), int(sel.get("endPosition"))))
    return out


def test_every_selection_gives_back_its_annotations_exact_text(corpus, exported):
    _out, files, root = exported
    sels = {uuid.UUID(sel.get("guid")): (text, s, e) for sel, text, s, e in _selections(root, files)}
    live = corpus.live(corpus.doc) + corpus.live(corpus.arabic)
    for ann in live:
        text, s, e = sels[ann.id]
        if ann.fragments:
            assert (s, e) == ann.fragments[0]
        else:
            assert text[s:e] == ann.exact and (s, e) == (ann.start, ann.end)
    # the emoji spans are counted in code points
    text, s, e = sels[corpus.family.id]
    assert text[s:e] == "family 👨\u200d👩\u200d👧" and e - s == 12
    assert len(sels) == len(live) + 1  # one extra selection: the second piece of the discontinuous annotation


def test_a_discontinuous_annotation_is_one_selection_per_piece(corpus, exported):
    _out, files, root = exported
    pieces = [(sel, text[s:e]) for sel, text, s, e in _selections(root, files) if "discontinuous" in sel.findtext(f"{Q}Description", "")]
    assert [t for _sel, t in pieces] == ["The", "fled"]
    assert pieces[0][0].get("guid") == str(corpus.split.id)
    topic = corpus.desk.label_named("Topic").id
    for sel, _t in pieces:
        assert [c.find(f"{Q}CodeRef").get("targetGUID") for c in sel.iter(f"{Q}Coding")] == [str(topic)]


def test_codes_are_the_labels_with_entities_nested(corpus, exported):
    _out, _files, root = exported
    top = root.find(f"{Q}CodeBook/{Q}Codes").findall(f"{Q}Code")
    labels = corpus.repo.labels()
    assert [(c.get("guid"), c.get("name"), c.get("color"), c.get("isCodable")) for c in top] == [
        (str(lb.id), lb.name, lb.color.upper(), "true") for lb in labels
    ]
    children = {c.get("name"): [g.get("name") for g in c.findall(f"{Q}Code")] for c in top}
    assert sorted(children["Actor"]) == sorted(["Officials", "3,000 troops moved", "family 👨\u200d👩\u200d👧"])
    assert sorted(children["Location"]) == sorted(["Al-Qaim", "Damascus", "Damascus 🇸🇾", "البوكمال"])
    assert children["Claim"] == [] and children["Topic"] == []
    officials = next(c for c in root.iter(f"{Q}Code") if c.get("guid") == str(corpus.officials.entity_id))
    assert officials.findtext(f"{Q}Description") == "Type: Official / role\nAlso: المسؤولون\nCountry: SY"
    assert "Bo" not in str(children)  # the document not exported brings no entity
    codes = {c.get("guid") for c in root.iter(f"{Q}Code")}
    for ref in root.iter(f"{Q}CodeRef"):
        assert ref.get("targetGUID") in codes
    sel = next(s for s in root.iter(f"{Q}PlainTextSelection") if s.get("guid") == str(corpus.officials.id))
    assert [c.find(f"{Q}CodeRef").get("targetGUID") for c in sel.iter(f"{Q}Coding")] == [
        str(corpus.officials.label_id), str(corpus.officials.entity_id)
    ]


def test_notes_claims_and_links(corpus, exported):
    _out, _files, root = exported
    sels = {s.get("guid"): s for s in root.iter(f"{Q}PlainTextSelection")}
    notes = {n.get("guid"): n for n in root.iter(f"{Q}Note")}
    [ref] = sels[str(corpus.family.id)].findall(f"{Q}NoteRef")
    assert notes[ref.get("targetGUID")].findtext(f"{Q}PlainTextContent") == "ZWJ family; who?\nSecond line \ufffd"
    described = sels[str(corpus.claim.id)].findtext(f"{Q}Description")
    assert described.splitlines()[0] == "Source: Officials · B2 · reported · likely"
    assert "About: Damascus" in described and "Likelihood: likely (55–80%)" in described
    assert "Why: Two officials, one outlet." in described
    assert "Corroborated by “وأكد مصدر عراقي ذلك”" in described
    assert "Corroborates “Officials said on Saturday" in sels[str(corpus.arabic_claim.id)].findtext(f"{Q}Description")
    [link] = root.iter(f"{Q}Link")
    assert (link.get("originGUID"), link.get("targetGUID"), link.get("name"), link.get("direction")) == (
        str(corpus.arabic_claim.id), str(corpus.claim.id), "corroborates", "OneWay"
    )


def test_users_sources_and_dates(corpus, exported):
    _out, _files, root = exported
    users = {u.get("name"): u.get("guid") for u in root.iter(f"{Q}User")}
    assert users == {"bo": str(user_guid("bo")), "ana": str(user_guid("ana"))}
    assert root.get("creatingUserGUID") == users["bo"]
    src = {s.get("guid"): s for s in root.iter(f"{Q}TextSource")}
    arabic = src[str(corpus.arabic.id)]
    assert (arabic.get("name"), arabic.get("creatingUser")) == ("تقرير", users["ana"])
    assert arabic.findtext(f"{Q}Description") == "Source: مصدر"
    assert arabic.get("creationDateTime") == corpus.arabic.created.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_deleted_rows_and_other_documents_stay_out(corpus, exported):
    _out, files, root = exported
    qde = files["project.qde"].decode("utf-8")
    for absent in (corpus.deleted.id, corpus.secret.id, corpus.secret_actor.id, corpus.secret_actor.entity_id):
        assert str(absent) not in qde
    assert "café" not in {s.get("name") for s in root.iter(f"{Q}PlainTextSelection")}


def test_nothing_to_export_and_a_failure_leaves_the_old_file(corpus, tmp_path):
    with pytest.raises(InputError, match="no documents to export"):
        write_qdpx(corpus.repo, [], tmp_path / "x.qdpx", user="bo")
    out = tmp_path / "old.qdpx"
    out.write_bytes(b"old")

    def stop(done, total, what=""):
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_qdpx(corpus.repo, [corpus.doc.id], out, user="bo", progress=stop)
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir() if "old.qdpx" in p.name) == ["old.qdpx"]


def test_cli_writes_every_live_document_by_default(corpus, tmp_path, capsys, schema):
    corpus.db.close()
    out = tmp_path / "all.qdpx"
    code = cli.main(["--db", str(tmp_path / "a.db"), "qdpx", "-o", str(out)])
    printed, err = capsys.readouterr()
    assert (code, printed, err) == (0, f"{out}\n", "")
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        root = etree.fromstring(zf.read("project.qde"))
    assert names == {"project.qde"} | {f"sources/{d.id}.txt" for d in (corpus.doc, corpus.arabic, corpus.secret)}
    assert schema.validate(etree.ElementTree(root)), schema.error_log
    code = cli.main(["--db", str(tmp_path / "a.db"), "qdpx", str(corpus.arabic.id)[:8], "-o", str(out)])
    printed, _err = capsys.readouterr()
    assert (code, printed) == (0, f"{out}\n")
    with zipfile.ZipFile(out) as zf:
        assert set(zf.namelist()) == {"project.qde", f"sources/{corpus.arabic.id}.txt"}
        assert etree.fromstring(zf.read("project.qde")).get("name") == "تقرير"


def test_cli_unknown_document_is_one_line_and_exit_2(corpus, tmp_path, capsys):
    corpus.db.close()
    out = tmp_path / "none.qdpx"
    code = cli.main(["--db", str(tmp_path / "a.db"), "qdpx", "ffffffff", "-o", str(out)])
    printed, err = capsys.readouterr()
    assert code == 2 and printed == ""
    assert err.count("\n") == 1 and "no document matches 'ffffffff'" in err
    assert not out.exists()


def test_the_file_menu_exports_every_document(qtbot, tmp_path, monkeypatch, schema):
    from annotator.ui.app import start_window

    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    for name, text in (("one.txt", "Ana met Bo in Damascus.\r\n"), ("two.txt", "مرحبا 😀 بالعالم\n")):
        (tmp_path / name).write_text(text, "utf-8", newline="")
    win.files.import_files([tmp_path / "one.txt", tmp_path / "two.txt"], wait=True)
    qtbot.waitUntil(lambda: len(win.ctl.document_summaries()) == 2)
    out = tmp_path / "desk"
    win.prompter.paths = [out]
    written = []
    win.written.connect(written.append)
    assert win.act_qdpx in win.menuBar().actions()[0].menu().actions()
    win.act_qdpx.trigger()
    qtbot.waitUntil(lambda: written == [[out.with_suffix(".qdpx")]], timeout=30_000)
    with zipfile.ZipFile(out.with_suffix(".qdpx")) as zf:
        assert len([n for n in zf.namelist() if n.startswith("sources/")]) == 2
        assert schema.validate(etree.ElementTree(etree.fromstring(zf.read("project.qde"))))
