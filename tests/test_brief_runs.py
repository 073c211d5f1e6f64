"""Cutting a text with overlapping spans into marked runs (annotator.export.runs)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.export.runs import END, RUN, START, Mark, Span, is_rtl_paragraph, segment


def flatten(text, paragraphs):
    """(offset of each piece, mark), plus where each key starts and ends, from the paragraphs."""
    pieces, starts, ends = [], {}, {}
    rebuilt = []
    for i, para in enumerate(paragraphs):
        if i:
            rebuilt.append("\n")
        pos = para.start
        for item in para.items:
            if item[0] == RUN:
                assert item[1] == pos, "runs are contiguous"
                pieces.append(item)
                rebuilt.append(text[item[1] : item[2]])
                pos = item[2]
            elif item[0] == START:
                starts[item[1]] = pos
            else:
                ends[item[1]] = pos
        assert pos == para.end
    return "".join(rebuilt), pieces, starts, ends


def test_overlap_and_nesting_marks():
    text = "The Iraqi source said Syria moved.\nالحشد الشعبي 🇸🇾 قال"
    #       0   4     10     17   22
    spans = [
        Span(0, 34, "claim", "C", True),
        Span(4, 16, "actor", "A", False),
        Span(10, 16, "inner", "A", False),
        Span(22, 27, "loc", "L", False),
        Span(17, 28, "claim2", "C", True),
        Span(35, 47, "arabic", "A", False),
        Span(48, 50, "flag", "L", False),
    ]
    paras = segment(text, spans)
    assert [(p.start, p.end) for p in paras] == [(0, 34), (35, len(text))]
    rebuilt, pieces, starts, ends = flatten(text, paras)
    assert rebuilt == text
    marks = {text[s:e]: m for _t, s, e, m in pieces}
    assert marks["The "] == Mark(None, None, "C", 1)
    assert marks["Iraqi "] == Mark("A", None, "C", 1)
    assert marks["source"] == Mark("A", "A", "C", 1)  # nested in a span of the same label
    assert marks["Syria"] == Mark("L", None, "C", 2)  # two claims overlap here
    assert marks["moved."] == Mark(None, None, "C", 1)
    assert marks["🇸🇾"] == Mark("L", None, None, 0)
    assert marks[" "] is None
    for sp in spans:
        assert (starts[sp.key], ends[sp.key]) == (sp.start, sp.end)


def test_ends_come_before_starts_and_outer_opens_first():
    text = "abcdef"
    paras = segment(text, [Span(0, 3, "x", 1, False), Span(3, 6, "y", 1, False), Span(3, 5, "z", 2, False)])
    events = [it for it in paras[0].items if it[0] != RUN]
    assert events == [(START, "x"), (END, "x"), (START, "y"), (START, "z"), (END, "z"), (END, "y")]


def test_span_across_a_line_break_and_trailing_newline():
    text = "one\ntwo\n"
    paras = segment(text, [Span(2, 6, "k", 1, True), Span(7, 8, "nl", 1, False)])
    assert [(p.start, p.end) for p in paras] == [(0, 3), (4, 7), (8, 8)]
    rebuilt, _pieces, starts, ends = flatten(text, paras)
    assert rebuilt == text
    assert starts["k"] == 2 and ends["k"] == 6
    # a span ending at a line start is closed at the start of the next paragraph
    assert paras[2].items == [(END, "nl")]
    assert segment("x\n", [])[-1] == segment("x\n", [])[0] and len(segment("x\n", [])) == 1


def test_bad_span_is_refused():
    import pytest

    with pytest.raises(ValueError):
        segment("abc", [Span(2, 5, "k", 1, False)])


def test_rtl_paragraph_detection():
    assert is_rtl_paragraph("قال مسؤول إن Syria")
    assert not is_rtl_paragraph("Syria قال")
    assert not is_rtl_paragraph("🇸🇾 123")
    assert is_rtl_paragraph("« شالوم »")


@st.composite
def texts_and_spans(draw):
    alphabet = st.sampled_from(list("ab \n") + ["ق", "🇸🇾"[0], "🇸🇾"[1], "é", "\t"])
    text = "".join(draw(st.lists(alphabet, min_size=1, max_size=40)))
    n = len(text)
    spans = []
    for i in range(draw(st.integers(0, 12))):
        s = draw(st.integers(0, n - 1))
        e = draw(st.integers(s + 1, n))
        spans.append(Span(s, e, i, draw(st.sampled_from("ALC")), draw(st.booleans())))
    return text, spans


@settings(max_examples=300, deadline=None)
@given(texts_and_spans())
def test_every_span_is_covered_by_marked_runs_at_its_place(case):
    text, spans = case
    paras = segment(text, spans)
    rebuilt, pieces, starts, ends = flatten(text, paras)
    # the text comes back exactly (a trailing empty line is dropped only when nothing happens in it)
    assert rebuilt == text or (rebuilt + "\n" == text)
    for sp in spans:
        assert (starts[sp.key], ends[sp.key]) == (sp.start, sp.end)
        inside = [p for p in pieces if sp.start <= p[1] and p[2] <= sp.end]
        covered = sum(p[2] - p[1] for p in inside) + text.count("\n", sp.start, sp.end)
        assert covered == sp.end - sp.start  # piece boundaries fall on the span's ends
        for _t, s, e, mark in inside:
            assert mark is not None
            if sp.claim:
                assert mark.claim is not None and mark.claims >= 1
            else:
                assert mark.fill is not None
    for _t, s, e, mark in pieces:
        over = [sp for sp in spans if sp.start <= s and e <= sp.end]
        assert (mark is None) == (not over)
        if mark is not None:
            assert mark.claims == sum(sp.claim for sp in over)
            assert (mark.outer is not None) == (sum(not sp.claim for sp in over) >= 2)


def test_render_paragraph_numbers_before_the_ends_and_emoji_runs():
    """``before_ends`` runs once per place where annotations end, before their
    END markers (claim numbers go inside the comment ranges); emoji get runs of
    their own in the emoji font and keep their mark."""
    from annotator.export.runs import render_paragraph

    text = "Damascus 🇸🇾 said"
    spans = [Span(0, 11, "claim", "C", True), Span(9, 11, "flag", "L", False), Span(12, 16, "said", "C", True)]
    [para] = segment(text, spans)
    calls = []

    def before(keys, first):
        calls.append((tuple(keys), first))
        return "<NUM/>"

    xml = render_paragraph(text, para, style="S", mark_style=lambda m: "M", on_end=lambda k: f"<END {k}/>",
                           before_ends=before, emoji_fonts='<w:rFonts w:ascii="E"/>')  # fmt: skip
    assert calls == [(("claim", "flag"), False), (("said",), False)]
    assert "🇸🇾</w:t>" in xml and xml.index("<NUM/>") < xml.index("<END claim/>") < xml.index("<END flag/>")
    flag_run = xml[xml.rindex("<w:r>", 0, xml.index("🇸🇾")) : xml.index("🇸🇾")]
    assert '<w:rStyle w:val="M"/><w:rFonts w:ascii="E"/>' in flag_run
    assert xml.count('w:ascii="E"') == 1  # only the flag
