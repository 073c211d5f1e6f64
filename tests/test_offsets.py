"""Offsets: code points <-> UTF-16, quotes, grapheme and word snapping."""

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.offsets import (
    Anchoring,
    Quote,
    TextMap,
    grapheme_bounds,
    is_grapheme_aligned,
    make_quote,
    resolve_quote,
    utf16_length,
    word_bounds,
)

FRAGMENTS = [
    "a", "b", "x", " ", ".", "\n", "\r\n", "\r",
    "e\u0301", "\u0301", "é",  # combining acute; precomposed é
    "🇸🇾", "🇮🇶", "🇸", "👨\u200d👩\u200d👧", "\u200d", "👍🏽",  # flags, a lone regional indicator, ZWJ family
    "می\u200cخواهم", "قال", "\u200c", "ـ",  # Persian with ZWNJ, Arabic, tatweel
    "𝐀𝐁", "𝐀",  # math alphanumerics (astral)
]

texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=2)), max_size=40).map("".join)
FAST = settings(max_examples=150, deadline=None)


def utf16_units(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def cluster_bounds(text: str) -> set[int]:
    return {m.start() for m in regex.finditer(r"\X", text)} | {len(text)}


@st.composite
def text_and_span(draw, min_len=0):
    text = draw(texts.filter(lambda t: len(t) >= max(1, min_len)))
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(0, len(text)))
    return text, min(a, b), max(a, b)


# --- TextMap -------------------------------------------------------------------------------


@FAST
@given(texts)
def test_textmap_round_trips_every_code_point(text):
    tm = TextMap(text)
    assert tm.length == len(text)
    assert tm.length_u16 == utf16_length(text) == utf16_units(text)
    for cp in range(len(text) + 1):
        u = tm.to_utf16(cp)
        assert u == utf16_units(text[:cp])
        assert tm.from_utf16(u) == cp


@FAST
@given(texts)
def test_from_utf16_rounds_a_low_surrogate_down(text):
    tm = TextMap(text)
    for u in range(tm.length_u16 + 1):
        cp = tm.from_utf16(u)
        back = tm.to_utf16(cp)
        assert back == u or (back == u - 1 and ord(text[cp]) > 0xFFFF)


@FAST
@given(texts, st.data())
def test_span_from_utf16_never_splits_a_pair(text, data):
    tm = TextMap(text)
    a = data.draw(st.integers(0, tm.length_u16))
    b = data.draw(st.integers(a, tm.length_u16))
    s, e = tm.span_from_utf16(a, b)
    assert 0 <= s <= e <= len(text)
    # the code point span covers the UTF-16 range, widened by at most half a pair each side
    assert a - 1 <= tm.to_utf16(s) <= a
    assert b <= tm.to_utf16(e) <= b + 1
    assert tm.span_to_utf16(s, e) == (tm.to_utf16(s), tm.to_utf16(e))


def test_textmap_rejects_out_of_range():
    tm = TextMap("a🇸🇾")
    for bad in (-1, 4):
        try:
            tm.to_utf16(bad)
        except ValueError:
            pass
        else:
            raise AssertionError(bad)
    assert tm.from_utf16(2) == 1 and tm.from_utf16(3) == 2 and tm.from_utf16(5) == 3


# --- quotes -------------------------------------------------------------------------------


@FAST
@given(text_and_span(min_len=1))
def test_every_quote_resolves_to_its_text(case):
    text, start, end = case
    if start == end:
        end = start + 1 if start < len(text) else end
        start = end - 1
    quote = make_quote(text, start, end)
    assert quote.exact == text[start:end]
    at = resolve_quote(text, quote, hint=start)
    assert (at.start, at.end, at.how) == (start, end, Anchoring.POSITION)
    anywhere = resolve_quote(text, quote)
    assert anywhere.found and text[anywhere.start : anywhere.end] == quote.exact
    # without a position, an occurrence whose context agrees (its own, or an identical one) wins
    assert anywhere.how is Anchoring.CONTEXT and _context_holds(text, anywhere.start, anywhere.end, quote)


def _context_holds(text, s, e, q):
    return text[max(0, s - len(q.prefix)) : s] == q.prefix and text[e : e + len(q.suffix)] == q.suffix


def test_resolve_quote_at_position():
    text = "the cat sat on the cat mat"
    q = make_quote(text, 19, 22)
    assert resolve_quote(text, q, hint=19) == resolve_quote(text, q, hint=19)
    a = resolve_quote(text, q, hint=19)
    assert (a.start, a.end, a.how) == (19, 22, Anchoring.POSITION)


def test_resolve_quote_by_context_when_text_moved():
    old = "the cat sat on the cat mat"
    q = make_quote(old, 19, 22)  # the second "cat", prefix "...on the "
    new = "PREFACE. " + old
    a = resolve_quote(new, q, hint=19)  # stale position
    assert (a.start, a.end, a.how) == (28, 31, Anchoring.CONTEXT)


def test_resolve_quote_nearest_when_context_changed():
    q = Quote("cat", prefix="zzz ", suffix=" yyy")
    text = "cat dog cat dog cat"
    a = resolve_quote(text, q, hint=9)
    assert (a.start, a.end, a.how) == (8, 11, Anchoring.NEAREST)
    b = resolve_quote(text, q, hint=18)
    assert (b.start, b.how) == (16, Anchoring.NEAREST)


def test_resolve_quote_prefers_context_over_nearness():
    text = "x cat y ... a cat b"
    q = Quote("cat", prefix="a ", suffix=" b")
    a = resolve_quote(text, q, hint=0)
    assert (a.start, a.how) == (14, Anchoring.CONTEXT)


def test_resolve_quote_orphan():
    a = resolve_quote("no felines here", Quote("cat"), hint=3)
    assert a.how is Anchoring.ORPHAN and not a.found
    assert not resolve_quote("anything", Quote("")).found


def test_quote_context_is_32_code_points_of_astral_text():
    text = "𝐀" * 40 + "HIT" + "🇸🇾" * 20
    q = make_quote(text, 40, 43)
    assert q.prefix == "𝐀" * 32 and q.suffix == "🇸🇾" * 16


# --- grapheme and word snapping ---------------------------------------------------------------


@settings(max_examples=250, deadline=None)
@given(text_and_span())
def test_grapheme_bounds_never_split_a_cluster(case):
    text, start, end = case
    bounds = cluster_bounds(text)
    s, e = grapheme_bounds(text, start, end)
    assert s in bounds and e in bounds
    assert s <= start and e >= end
    # the smallest such widening
    assert s == max(b for b in bounds if b <= start)
    assert e == min(b for b in bounds if b >= end)
    assert is_grapheme_aligned(text, s, e)


@settings(max_examples=250, deadline=None)
@given(text_and_span())
def test_word_bounds_never_split_a_cluster(case):
    text, start, end = case
    bounds = cluster_bounds(text)
    s, e = word_bounds(text, start, end)
    assert 0 <= s <= e <= len(text)
    assert s in bounds and e in bounds


def test_long_clusters_stay_whole():
    stacked = "a" + "\u0301" * 40 + "b"
    assert grapheme_bounds(stacked, 30, 31) == (0, 41)
    assert grapheme_bounds(stacked, 1, 2) == (0, 41)
    flags = "🇸🇾" * 12
    assert grapheme_bounds(flags, 17, 18) == (16, 18)
    assert grapheme_bounds(flags, 18, 19) == (18, 20)


def test_word_bounds_keep_persian_zwnj_and_marks_whole():
    text = "او می\u200cخواهم برود"
    i = text.index("خ")
    s, e = word_bounds(text, i, i + 1)
    assert text[s:e] == "می\u200cخواهم"
    text = "un cafe\u0301 noir"
    s, e = word_bounds(text, 4, 5)
    assert text[s:e] == "cafe\u0301"
    s, e = word_bounds(text, 2, 9)  # leading and trailing spaces are dropped
    assert text[s:e] == "cafe\u0301"
