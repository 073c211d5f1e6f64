"""The key to the brief's markings: the marked samples at the top of each
text, and the closing key to the colours and the grading scales."""

from __future__ import annotations

from ..core import grading
from ..core.model import LabelKind
from . import ooxml as X
from . import template as T
from .brief_wording import cap
from .brief_writer import BriefWriter
from .runs import Mark


def legend_runs(w: BriefWriter) -> str:
    """'Actor  Location  Claim' as marked samples, for the top of each text."""
    out = [w.r("Key: ")]
    for lb in w.data.labels:
        mark = Mark(None, None, lb.id, 1) if lb.kind is LabelKind.CLAIM else Mark(lb.id, None, None, 0)
        out.append(w.r(f" {lb.name} ", w.marks(mark)))
        out.append(w.r("  "))
    if w.opt.include_comments:
        out.append(w.r("· comments carry notes and claim gradings"))
    return "".join(out)


def legend(w: BriefWriter) -> None:
    d = w.data
    w.add(w.p("Key to markings and gradings", T.H1))
    w.add(w.p("Colours", T.H2))
    fills = [lb for lb in d.labels if lb.kind is not LabelKind.CLAIM]
    claims = [lb for lb in d.labels if lb.kind is LabelKind.CLAIM]
    rows = []
    for lb in fills:
        rows.append([w.r(f" {lb.name} ", w.marks(Mark(lb.id, None, None, 0))), w.r(lb.description or lb.kind.value)])
    if len(fills) >= 1:
        inner = fills[0]
        outer = fills[1] if len(fills) > 1 else fills[0]
        rows.append([
            w.r(f" {inner.name} in {outer.name} ", w.marks(Mark(inner.id, outer.id, None, 0))),
            w.r("A span inside another: the inner colour, stronger, boxed in the colour of the span around it."),
        ])  # fmt: skip
    for lb in claims:
        rows.append([w.r(f" {lb.name} ", w.marks(Mark(None, None, lb.id, 1))), w.r(lb.description or "Claim")])
        if w.opt.include_text and w.data.claims:
            where = "; it links to the claim's entry under Key claims" if w.entries else ""
            rows.append([
                w.r(f" {lb.name}", w.marks(Mark(None, None, lb.id, 1))) + X.run("4", w.number_style(lb.id)),
                w.r(f"In the annotated text a claim's number follows its last word, in superscript{where}."),
            ])  # fmt: skip
        rows.append([
            w.r(" two claims ", w.marks(Mark(None, None, lb.id, 2))),
            w.r("Where claims overlap the underline doubles (two claims) or waves (three or more)."),
        ])  # fmt: skip
    if rows:
        w.table(["Mark", "Meaning"], rows, [4.0, 13.0], raw=True)
    w.add(w.p("Admiralty grading", T.H2))
    w.add(w.p("Each claim is graded for the reliability of its source (letter) and the credibility of the information (digit): B2 is a usually reliable source reporting information that is probably true.", T.META))
    rel = list(grading.RELIABILITY.items())
    cred = list(grading.CREDIBILITY.items())
    rows = []
    for i in range(max(len(rel), len(cred))):
        a = rel[i] if i < len(rel) else ("", "")
        b = cred[i] if i < len(cred) else ("", "")
        rows.append([a[0], a[1], b[0], b[1]])
    w.table(["", "Source reliability", "", "Information credibility"], rows, [0.9, 7.6, 0.9, 7.6])
    w.add(w.p("Likelihood (ICD 203)", T.H2))
    w.add(w.p("The analyst's judgement of how likely a claim is to be true, in the words of Intelligence Community Directive 203.", T.META))
    w.table(["Term", "Probability"], [[cap(term), rng] for term, rng in grading.LIKELIHOOD], [8.0, 9.0])

