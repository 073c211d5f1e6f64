"""HTML files as canonical text: visible text only (annotator.io.html_import)."""

import pytest

from annotator.core.errors import InputError
from annotator.io.documents import load_document_file
from annotator.io.html_import import html_to_text, read_html

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>  Border
     report </title>
  <style>p { color: red }</style>
  <script>document.write("<p>not text</p>");</script>
</head>
<body>
  <nav hidden><a href="/">Home</a></nav>
  <h1>Troops   at the border</h1>
  <p>Syria has sent <b>3,000</b>
     troops&nbsp;to the border.<br>New line.</p>
  <!-- a comment -->
  <div>One block</div><div>Another</div>
  <ul><li>first</li><li>second</li></ul>
  <table>
    <tr><th>Unit</th><th>Men</th></tr>
    <tr><td><p>1st</p><p>brigade</p></td><td>2,000</td></tr>
  </table>
  <pre>
  kept   as
    it is</pre>
  <noscript>Enable JavaScript</noscript>
  <template><p>a template</p></template>
  <span style="display: none">hidden span</span>
  <p>&lt;tag&gt; &amp; &#x1F600; &eacute;</p>
</body>
</html>
"""


def test_visible_text_layout():
    got = html_to_text(PAGE)
    assert got.text == (
        "Troops at the border\n\n"
        "Syria has sent 3,000 troops\u00a0to the border.\nNew line.\n\n"
        "One block\nAnother\n\n"
        "first\nsecond\n\n"
        "Unit | Men\n"
        "1st brigade | 2,000\n\n"
        "  kept   as\n    it is\n\n"
        "<tag> & 😀 é"
    )
    assert (got.title, got.language) == ("Border report", "en")


def test_title_falls_back_to_h1_then_file_name(tmp_path):
    path = tmp_path / "un-report.html"
    path.write_text("<h1>The <i>real</i> title</h1><p>Text.</p>", encoding="utf-8")
    assert load_document_file(path).title == "The real title"
    path = tmp_path / "un-report.htm"
    path.write_text("<p>Text only.</p>", encoding="utf-8")
    doc = load_document_file(path)
    assert (doc.title, doc.text, doc.filename) == ("Un report", "Text only.", "un-report.htm")


def test_broken_markup_is_read_forgivingly():
    got = html_to_text("<head><title>T</title><p>no </head> or </body>, <div>unclosed <b>bold")
    # libxml2 closes the open <p> at the stray </body> (a browser would carry on in it), so the text after it
    # starts a paragraph of its own: the same words, one break more.
    assert got.text == "no or\n\n,\nunclosed bold"
    assert got.title == "T"
    assert html_to_text("<script>never closed <p>x</p>").text == ""


def test_declared_charset_is_used_when_not_utf8(tmp_path):
    path = tmp_path / "latin.html"
    path.write_bytes(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252"></head>'
                     b"<body><p>caf\xe9 \x93quoted\x94</p></body></html>")  # fmt: skip
    assert read_html(path).text == "café “quoted”"
    path.write_bytes(b"<p>caf\xe9 without a charset</p>")
    with pytest.raises(InputError, match=r"latin\.html: not UTF-8 text"):
        read_html(path)
    path.write_bytes(b'<meta charset="klingon"><p>caf\xe9</p>')
    with pytest.raises(InputError, match="unknown character set 'klingon'"):
        read_html(path)


def test_utf16_with_bom_and_crlf(tmp_path):
    path = tmp_path / "u16.html"
    path.write_bytes("\ufeff<pre>a\r\nb</pre>".encode("utf-16-le"))
    assert read_html(path).text == "a\nb"


def test_a_page_without_visible_text_is_refused(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>Only a title</title><script>x()</script></head><body> </body></html>")
    with pytest.raises(InputError, match=r"blank\.html: the page has no visible text"):
        read_html(path)


def test_deep_nesting_is_fine():
    got = html_to_text("<div>" * 50_000 + "deep" + "</div>" * 50_000)
    assert got.text == "deep"
