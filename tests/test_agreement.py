"""Agreement between two analysts on one document: span F1, Cohen's kappa on tokens, disagreements."""

from __future__ import annotations

import uuid

import pytest

from annotator.core.agreement import Span, agreeing_groups, analysts, compare, document_agreement, tokenize
from annotator.core.errors import InputError
from tests.merge_helpers import TEXT, Analyst, span


def S(start, end, label, creator="a"):
    return Span(uuid.uuid4(), start, end, label, creator)


def test_tokens_keep_combining_marks_and_scripts():
    text = "e\u0301te\u0301 in الحشد الشعبي, 3,000 troops"
    words = [text[s:e] for s, e in tokenize(text)]
    assert words == ["e\u0301te\u0301", "in", "الحشد", "الشعبي", "3", "000", "troops"]


def test_perfect_agreement():
    text = "Syria sent troops to Iraq."
    a = [S(0, 5, "Actor"), S(21, 25, "Location")]
    b = [S(0, 5, "Actor", "b"), S(21, 25, "Location", "b")]
    r = compare(text, a, b)
    assert r.f1 == 1.0 and r.kappa == 1.0 and r.disagreements == []
    assert [(lb.label, lb.precision, lb.recall, lb.f1, lb.kappa) for lb in r.labels] == [
        ("Actor", 1.0, 1.0, 1.0, 1.0),
        ("Location", 1.0, 1.0, 1.0, 1.0),
    ]
    assert len(r.agreeing) == 2


def test_numbers_worked_by_hand():
    # 10 tokens: t0..t9 = "w0 w1 ... w9", each 2 chars + space
    text = " ".join(f"w{i}" for i in range(10))

    def tok(i, j=None):
        j = i if j is None else j
        return 3 * i, 3 * j + 2

    a = [S(*tok(0), "X"), S(*tok(2, 3), "X"), S(*tok(5), "Y")]
    b = [S(*tok(0), "X"), S(*tok(2), "X"), S(*tok(7), "Y")]
    r = compare(text, a, b, "ana", "bo")
    x = next(lb for lb in r.labels if lb.label == "X")
    # exact spans: one of A's two X spans matched; B has two
    assert (x.a_spans, x.b_spans, x.matched) == (2, 2, 1)
    assert (x.precision, x.recall, x.f1) == (0.5, 0.5, 0.5)
    # tokens for X: A marks t0,t2,t3; B marks t0,t2 -> agree on 9 of 10
    po, pa, pb = 0.9, 0.3, 0.2
    pe = pa * pb + (1 - pa) * (1 - pb)
    assert x.kappa == pytest.approx((po - pe) / (1 - pe))
    y = next(lb for lb in r.labels if lb.label == "Y")
    assert (y.matched, y.f1) == (0, 0.0)
    # Overall: categories per token A = [X,-,X,X,-,Y,-,-,-,-], B = [X,-,X,-,-,-,-,Y,-,-]
    po = 7 / 10
    pe = (3 * 2 + 6 * 7 + 1 * 1) / 100  # {X}: A 3, B 2; none: A 6, B 7; {Y}: 1 and 1
    assert r.kappa == pytest.approx((po - pe) / (1 - pe))
    assert r.f1 == pytest.approx(2 * 1 / (3 + 3))
    kinds = [(d.kind, text[d.start : d.end], d.label_a, d.label_b) for d in r.disagreements]
    assert kinds == [("only_b", "w2", "", "X"), ("only_a", "w2 w3", "X", ""), ("only_a", "w5", "Y", ""), ("only_b", "w7", "", "Y")]


def test_same_span_different_label_is_one_disagreement():
    text = "Syria sent troops."
    r = compare(text, [S(0, 5, "Actor")], [S(0, 5, "Location", "b")])
    [d] = r.disagreements
    assert (d.kind, d.exact, d.label_a, d.label_b) == ("label", "Syria", "Actor", "Location")


def test_kappa_is_undefined_when_nobody_marks_anything():
    r = compare("Nothing here.", [], [])
    assert r.labels == [] and r.kappa is None and r.f1 is None
    r = compare("Only one word", [S(0, 13, "Claim")], [S(0, 13, "Claim", "b")])
    assert r.labels[0].kappa is None and r.labels[0].f1 == 1.0  # every token marked by both: chance explains all


def test_nested_and_overlapping_spans_mark_each_token_with_both_labels():
    text = "officials in Damascus said"
    claim = (0, len(text))
    place = span(text, "Damascus")
    a = [S(*claim, "Claim"), S(*place, "Location")]
    b = [S(*claim, "Claim", "b")]
    r = compare(text, a, b)
    assert r.labels[0].kappa is None  # Claim on every token, both
    loc = r.labels[1]
    assert (loc.a_tokens, loc.b_tokens) == (1, 0)
    assert r.kappa == pytest.approx(0.0)  # the only token category that varies is A's {Claim, Location}


def test_a_discontinuous_span_marks_only_its_pieces():
    text = "w0 w1 w2 w3"
    gap = Span(uuid.uuid4(), 0, 11, "Claim", "a", text, ((0, 2), (9, 11)))
    whole = Span(uuid.uuid4(), 0, 11, "Claim", "b", text)
    r = compare(text, [gap], [whole])
    claim = r.labels[0]
    assert (claim.a_tokens, claim.b_tokens, claim.matched) == (2, 4, 0)  # same extent, other pieces: no exact match
    same = Span(uuid.uuid4(), 0, 11, "Claim", "b", text, ((0, 2), (9, 11)))
    assert compare(text, [gap], [same]).labels[0].matched == 1


@pytest.fixture
def two(tmp_path):
    ana = Analyst(tmp_path / "a.db", "ana")
    ana.desk.ensure_tagset()
    doc = ana.doc()
    bo = Analyst.__new__(Analyst)
    bo.__dict__.update(ana.__dict__)
    from annotator.core.services import Desk

    bo.desk, bo.user = Desk(ana.repo, "bo"), "bo"
    carol_desk = Desk(ana.repo, "carol")
    yield ana, bo, carol_desk, doc
    ana.close()


def test_document_agreement_picks_the_two_busiest_analysts(two):
    ana, bo, carol, doc = two
    for word in ("Syria", "Damascus", "Baghdad"):
        ana.tag(doc.id, "Actor" if word == "Syria" else "Location", *span(TEXT, word))
    for word in ("Syria", "Damascus"):
        bo.tag(doc.id, "Actor", *span(TEXT, word))
    carol.add_annotation(doc.id, ana.label("Actor").id, *span(TEXT, "Iraq"))
    assert analysts(ana.repo, doc.id) == [("ana", 3), ("bo", 2), ("carol", 1)]
    r = document_agreement(ana.repo, doc.id)
    assert (r.analyst_a, r.analyst_b, r.document_id) == ("ana", "bo", doc.id)
    actor = next(lb for lb in r.labels if lb.label == "Actor")
    assert (actor.a_spans, actor.b_spans, actor.matched) == (1, 2, 1)
    kinds = sorted((d.kind, d.exact) for d in r.disagreements)
    assert kinds == [("label", "Damascus"), ("only_a", "Baghdad")]
    r2 = document_agreement(ana.repo, doc.id, between=("carol", "ana"))
    assert (r2.analyst_a, r2.analyst_b) == ("carol", "ana")
    data = r.as_dict()
    assert data["analyst_a"] == "ana" and data["labels"][0]["label"] == "Actor"


def test_agreement_needs_two_analysts(two):
    ana, _bo, _carol, doc = two
    with pytest.raises(InputError, match="only one analyst"):
        document_agreement(ana.repo, doc.id)
    ana.tag(doc.id, "Actor", *span(TEXT, "Syria"))
    with pytest.raises(InputError, match=r"only one analyst annotated this document \(ana\)"):
        document_agreement(ana.repo, doc.id)
    with pytest.raises(InputError, match="'zed' has no annotations"):
        document_agreement(ana.repo, doc.id, between=("ana", "zed"))
    with pytest.raises(InputError, match="two different"):
        document_agreement(ana.repo, doc.id, between=("ana", "ana"))


def test_agreeing_groups(two):
    ana, bo, carol, doc = two
    a = ana.tag(doc.id, "Actor", *span(TEXT, "Syria"))
    b = bo.tag(doc.id, "Actor", *span(TEXT, "Syria"))
    bo.tag(doc.id, "Location", *span(TEXT, "Syria"))  # other label: not agreeing
    ana.tag(doc.id, "Location", *span(TEXT, "Damascus"))
    [g] = agreeing_groups(ana.repo, doc.id)
    assert set(g.annotation_ids) == {a.id, b.id} and g.creators == ("ana", "bo")
    assert (g.start, g.end, g.label_id) == (*span(TEXT, "Syria"), ana.label("Actor").id)
