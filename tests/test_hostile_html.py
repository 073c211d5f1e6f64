"""Hostile HTML (issue 17): markup that made the importer quadratic, leaked
a comment into the text, or a ``<meta charset>`` that was not a character
set; a page at the size limit under a memory limit. Every input is
generated here."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.io.html_import import html_to_text, read_html
from annotator.io.limits import MAX_TEXT_BYTES
from tests.memory_limit import LIMIT_ADDRESS_SPACE


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as exc:
        read_html(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < len(str(path)) + 200, message
    return message[len(str(path)) + 2 :]


# --- linear parsing -------------------------------------------------------------------------------


@pytest.mark.timeout(60)  # html.parser took 47 s for a fifth of this, and grows with the square
def test_many_unclosed_start_tags_are_linear(tmp_path):
    assert html_to_text("<p>Before.</p>" + "<a " * 100_000).text == "Before."  # a tag cut off by the end: not shown
    path = tmp_path / "tags.html"
    path.write_text("<a " * 100_000)
    assert _refusal(path) == "the page has no visible text"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("open_tag, close_tag", [("<div>", "</div>"), ("<b><i>", ""), ("<table><tr><td>", "</td></tr></table>")])
def test_deep_nesting_neither_crashes_nor_is_quadratic(open_tag, close_tag):
    assert html_to_text(open_tag * 100_000 + "deep" + close_tag * 100_000).text == "deep"
    hidden = "<p>shown</p><div hidden>" + open_tag * 100_000 + "deep" + close_tag * 100_000 + "</div><p>after</p>"
    assert html_to_text(hidden).text == "shown\n\nafter"


# --- what a browser hides -------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["<!--", '<p title="', "<![CDATA[x]]><!--"])
def test_an_unclosed_comment_or_tag_hides_the_rest_of_the_file(tmp_path, opening):
    """A browser ends an unclosed comment (or tag) at the end of the file: none of it is text."""
    path = tmp_path / "unclosed.html"
    path.write_text("<p>Before.</p>" + opening + "secret words <p>and tags</p> " * 12_000)  # 350 KB
    assert read_html(path).text == "Before."
    path.write_text(opening + "secret " * 50_000)
    assert _refusal(path) == "the page has no visible text"


def test_entities_are_not_expanded_nor_anything_fetched(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY fetched "FETCHED">')
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "ha"}">' for i in range(10))
    page = (
        f'<!DOCTYPE html SYSTEM "{dtd.as_uri()}" [{laughs}<!ENTITY ext SYSTEM "{dtd.as_uri()}">]>'
        "<p>&l9; &ext; &fetched; &amp;</p>"
    )
    got = html_to_text(page).text
    assert "ha" not in got and "FETCHED" not in got and len(got) < 100
    assert got.endswith("&l9; &ext; &fetched; &")  # unknown entities stay as written, as in a browser


# --- <meta charset> -------------------------------------------------------------------------------

LATIN1_PAGE = "<p>caf\u00e9</p>".encode("latin-1")  # not UTF-8: the declared character set is used


@pytest.mark.parametrize(
    "charset", ["base64", "rot13", "zlib", "hex", "uu", "bz2", "quopri", "base64_codec", "undefined", "unicode_escape"]
)
def test_a_charset_that_is_not_a_text_encoding_is_refused(tmp_path, charset):
    path = tmp_path / "codec.html"
    path.write_bytes(b'<meta charset="' + charset.encode() + b'">' + LATIN1_PAGE)
    assert _refusal(path) == f"declares {charset!r} as its character set, which is not a text encoding"


@pytest.mark.parametrize("charset", ["x" * 3000, "utf-8" + "-" * 3000, "..", ":", "__init__", "aliases", "mbcs"])
def test_a_huge_or_odd_charset_name_is_one_short_line(tmp_path, charset):
    path = tmp_path / "odd.html"
    path.write_bytes(b"<meta charset=" + charset.encode() + b">" + LATIN1_PAGE)
    assert _refusal(path).startswith("declares an unknown character set ")


@pytest.mark.parametrize("charset", ["utf-16", "utf-16be", "utf-32", "cp037"])
def test_a_charset_that_cannot_be_declared_in_ascii_means_utf8(tmp_path, charset):
    """As in browsers: a ``<meta>`` readable as ASCII cannot be in UTF-16, UTF-32 or EBCDIC."""
    path = tmp_path / "ascii-incompatible.html"
    path.write_bytes(b'<meta charset="' + charset.encode() + b'">' + LATIN1_PAGE + b"!")
    assert _refusal(path).startswith("not UTF-8 text")


def test_a_declared_charset_does_not_redecode_text_already_decoded(tmp_path):
    text = "caf\u00e9 \u201cquoted\u201d \u0633\u0648\u0631\u064a\u0627 \U0001f600 \u65e5\u672c"
    for charset in ["latin-1", "windows-1252", "utf-16", "shift_jis", "ascii", "base64"]:
        for form in ['<meta charset="%s">', '<meta http-equiv="Content-Type" content="text/html; charset=%s">']:
            page = "x" * 5000 + form % charset + f"<p>{text}</p>"
            assert html_to_text(page).text == "x" * 5000 + "\n\n" + text
            path = tmp_path / "utf8.html"
            path.write_text(page, encoding="utf-8")  # UTF-8 whatever it declares: read as UTF-8
            assert read_html(path).text == "x" * 5000 + "\n\n" + text


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("annotator")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "annotator"]


@pytest.mark.parametrize(
    "meta, message",
    [
        (b'<meta charset="base64">', "declares 'base64' as its character set, which is not a text encoding"),
        (b'<meta charset="' + b"z" * 5000 + b'">', "declares an unknown character set 'zzzz"),
    ],
)
def test_the_cli_refuses_a_bad_charset_in_one_line(tmp_path, meta, message):
    page = tmp_path / "page.html"
    page.write_bytes(meta + LATIN1_PAGE)
    environ = {**os.environ, "ANNOTATOR_USER": "tester", "HOME": str(tmp_path)}
    r = subprocess.run([*_cli(), "--db", str(tmp_path / "x.db"), "import", str(page)],
                       capture_output=True, text=True, encoding="utf-8", env=environ, timeout=120)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"annotator: {page}: {message}") and len(r.stderr) < 300


# --- memory ---------------------------------------------------------------------------------------

_UNDER_A_LIMIT = LIMIT_ADDRESS_SPACE + textwrap.dedent(
    """
    import sys
    from annotator.core.errors import InputError
    from annotator.io.html_import import read_html

    limit_address_space(int(sys.argv[2]) * int(sys.argv[3]))  # what is mapped now, and so many times the page
    try:
        found = read_html(sys.argv[1])
    except InputError as exc:
        print("refused:", exc)
    else:
        print("read", len(found.text))
    """
)


def _write_page(path: Path, head: bytes, units, tail: bytes = b"") -> Path:
    """A page of exactly the size limit, written a piece at a time."""
    room = MAX_TEXT_BYTES - len(head) - len(tail)
    with path.open("wb") as fh:
        fh.write(head)
        for unit in units:
            if len(unit) > room:
                break
            fh.write(unit)
            room -= len(unit)
        fh.write(b" " * room + tail)
    assert path.stat().st_size == MAX_TEXT_BYTES
    return path


def _attributes():
    i = 0
    while True:
        yield b"".join(b" a%d" % n for n in range(i, i + 4096))
        i += 4096


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    "page, times, outcome",
    [
        ("comment", 12, "read 6"),  # libxml2 holds an unclosed comment twice over: it fits in 12x the page
        ("comment", 3, "refused: "),  # libxml2 stops silently when a malloc fails: refused, not cut short
        ("attributes", 12, ""),  # millions of attributes on one tag cost ~21x: refused in one line, or read
    ],
)
def test_a_page_at_the_size_limit_under_a_memory_limit(tmp_path, page, times, outcome):
    path = tmp_path / f"{page}.html"
    if page == "comment":
        _write_page(path, b"<p>Shown.</p><!--", iter(lambda: b"hidden " * 4096, None))
    else:
        _write_page(path, b"<p>Shown.</p><p", _attributes(), b">")
    r = subprocess.run([sys.executable, "-c", _UNDER_A_LIMIT, str(path), str(times), str(MAX_TEXT_BYTES)],
                       capture_output=True, text=True, timeout=280)  # fmt: skip
    assert r.returncode == 0 and not r.stderr, r.stderr[-2000:]
    assert r.stdout.count("\n") == 1 and r.stdout.startswith(("read ", f"refused: {path}: ")), r.stdout
    assert r.stdout.startswith(outcome), r.stdout
