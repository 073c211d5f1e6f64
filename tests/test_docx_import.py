"""Word .docx files as canonical text (annotator.io.docx_import)."""

import zipfile

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

from annotator.core.services import Desk
from annotator.io.docx_import import read_docx
from annotator.io.documents import import_files, load_document_file
from annotator.store.database import open_database

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W}"'
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _footnotes_part(document, notes: dict[int, str]) -> None:
    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {text}</w:t></w:r></w:p></w:footnote>'
        for i, text in notes.items()
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {NS}>'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
        f"{body}</w:footnotes>"
    ).encode()
    part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, xml, document.part.package)
    document.part.relate_to(part, RT.FOOTNOTES)


def _ref(paragraph, note_id: int) -> None:
    paragraph._p.append(parse_xml(f'<w:r {NS}><w:footnoteReference w:id="{note_id}"/></w:r>'))


def make_report(path, *, title: str | None = "Border report") -> None:
    """A report with a heading, paragraphs, a table with a merged cell, a
    list and two footnotes (referenced out of id order)."""
    d = docx.Document()
    if title is not None:
        d.core_properties.title = title
    d.core_properties.language = "en-GB"
    d.add_heading("Troops at the border", level=1)
    p = d.add_paragraph("Syria has sent 3,000 troops")
    _ref(p, 2)
    p.add_run(" to the border with Iraq.")
    p = d.add_paragraph("Officials in Damascus said so")
    _ref(p, 1)
    table = d.add_table(rows=3, cols=3)
    for r, row in enumerate([["Unit", "Men", "Place"], ["1st", "2,000", "Abu Kamal"], ["2nd", "1,000", ""]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2))
    d.add_paragraph("")  # an empty paragraph is spacing, not text
    d.add_paragraph("first point", style="List Bullet")
    d.add_paragraph("second point", style="List Bullet")
    d.add_paragraph("Tab\there and a")
    d.paragraphs[-1].runs[-1].add_break()
    d.paragraphs[-1].add_run("line break.")
    _footnotes_part(d, {1: "Reuters, 2 June.", 2: "SANA, 1 June."})
    d.save(path)


def test_body_order_tables_lists_and_footnotes(tmp_path):
    path = tmp_path / "report.docx"
    make_report(path)
    got = read_docx(path)
    assert got.text == (
        "Troops at the border\n\n"
        "Syria has sent 3,000 troops[1] to the border with Iraq.\n\n"
        "Officials in Damascus said so[2]\n\n"
        "Unit | Men | Place\n"
        "1st | 2,000 | Abu Kamal\n"
        "2nd | 1,000\n\n"
        "first point\n"
        "second point\n\n"
        "Tab\there and a\nline break.\n\n"
        "Footnotes\n\n"
        "[1] SANA, 1 June.\n"
        "[2] Reuters, 2 June."
    )
    assert (got.title, got.language) == ("Border report", "en-GB")


def test_title_falls_back_to_the_first_heading_then_the_file_name(tmp_path):
    path = tmp_path / "syria-report.docx"
    make_report(path, title=None)
    assert read_docx(path).title == "Troops at the border"
    loaded = load_document_file(path)
    assert loaded.title == "Troops at the border" and loaded.filename == "syria-report.docx"
    d = docx.Document()
    d.add_paragraph("Just text.")
    d.save(tmp_path / "plain-words.docx")
    assert load_document_file(tmp_path / "plain-words.docx").title == "Plain words"


def _with_body(tmp_path, body_xml: str, name="raw.docx"):
    d = docx.Document()
    body = d.element.body
    for el in parse_xml(f'<w:body {NS} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
                        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
                        f'xmlns:v="urn:schemas-microsoft-com:vml">{body_xml}</w:body>'):  # fmt: skip
        body.insert(len(body) - 1, el)  # before sectPr
    path = tmp_path / name
    d.save(path)
    return path


def test_tracked_changes_fields_and_text_boxes(tmp_path):
    body = (
        "<w:p><w:r><w:t>Kept </w:t></w:r><w:del><w:r><w:delText>gone </w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>added</w:t></w:r></w:ins>"
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> 7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        "<w:p><w:r><w:t>Anchor</w:t></w:r><w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>"
        "<wps:txbx><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r></w:p></w:txbxContent></wps:txbx>"
        "</w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent><w:p><w:r><w:t>Box text</w:t></w:r>"
        "</w:p></w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
    )
    assert read_docx(_with_body(tmp_path, body)).text == "Kept added 7\n\nAnchor\n\nBox text"


def test_strict_ooxml_namespaces_are_read(tmp_path):
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    path = tmp_path / "strict.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "_rels/.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        z.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{strict}"><w:body><w:p><w:r><w:t>Strict text</w:t></w:r></w:p></w:body></w:document>',
        )
    assert read_docx(path).text == "Strict text"


def test_bom_in_the_main_part_is_fine(tmp_path):
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            "word/document.xml",
            b"\xef\xbb\xbf" + f'<w:document {NS}><w:body><w:p><w:r><w:t>caf\u00e9</w:t></w:r></w:p></w:body></w:document>'.encode(),
        )
    assert read_docx(path).text == "café"


def test_import_files_stores_the_docx_text(tmp_path):
    path = tmp_path / "report.docx"
    make_report(path)
    db = open_database(tmp_path / "a.db")
    try:
        [imp] = import_files(Desk(db.repo, "ana"), [path])
        doc = db.repo.get_document(imp.document.id)
        assert doc.text == read_docx(path).text and doc.title == "Border report" and doc.language == "en-GB"
        assert doc.filename == "report.docx"
    finally:
        db.close()


def test_output_is_canonical(tmp_path):
    body = "<w:p><w:r><w:t>a\r\nb\rc</w:t></w:r></w:p>"
    text = read_docx(_with_body(tmp_path, body)).text
    assert "\r" not in text and text == "a\nb\nc"
