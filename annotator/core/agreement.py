"""How far two analysts agree on one document. Pure Python: no Qt, no SQL.

For each label used by either analyst:

* **exact-match span agreement** with analyst A as the reference: a span of
  B matches when A has the very same ``[start, end)`` (and, for a
  discontinuous span, the same pieces) with the same label.
  precision = matched / B's spans, recall = matched / A's spans,
  F1 = 2·matched / (A's spans + B's spans);
* **Cohen's kappa on tokens**: the canonical text is cut into words
  (``[\\w\\p{M}]+`` with the ``regex`` module, so a letter with combining
  marks stays one word); a token is marked with a label by an analyst when
  one of their spans with that label overlaps it. Per label, kappa compares
  the two binary marks (label / not) over all tokens; the overall kappa
  gives each token one category per analyst — the set of labels marking it,
  or none — and compares those. Kappa is ``None`` where it is undefined
  (both analysts mark every token alike, e.g. neither uses the label).

The disagreements list the spans only one analyst has, and the spans both
tagged with different labels. Two annotations of the same span and label by
different analysts are *agreeing*: :func:`agreeing_groups` lists them for
the desk to show.
"""

from __future__ import annotations

import bisect
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from .errors import InputError
from .ports import Repository

TOKEN = regex.compile(r"[\w\p{M}]+")


def tokenize(text: str) -> list[tuple[int, int]]:
    """Word tokens of ``text`` as code point ranges."""
    return [m.span() for m in TOKEN.finditer(text)]


@dataclass(frozen=True)
class Span:
    """One analyst's annotation, as the agreement sees it."""

    id: uuid.UUID
    start: int
    end: int
    label: str
    creator: str = ""
    exact: str = ""
    pieces: tuple[tuple[int, int], ...] = ()  # a discontinuous span's fragments; empty for a plain span

    @property
    def key(self) -> tuple:
        """What an exact match compares: the extent and, if any, the pieces."""
        return (self.start, self.end, self.pieces)


@dataclass
class LabelAgreement:
    label: str
    a_spans: int
    b_spans: int
    matched: int
    precision: float | None  # of B against A; None when B has no span
    recall: float | None  # None when A has no span
    f1: float
    kappa: float | None  # on tokens, label vs not
    a_tokens: int  # tokens A marked with the label
    b_tokens: int


@dataclass
class Disagreement:
    kind: str  # "only_a", "only_b" or "label" (same span, different labels)
    start: int
    end: int
    exact: str
    label_a: str  # the label(s) A gave the span ("" if none)
    label_b: str
    a_ids: tuple[uuid.UUID, ...] = ()
    b_ids: tuple[uuid.UUID, ...] = ()


@dataclass
class AgreementReport:
    document_id: uuid.UUID | None
    analyst_a: str
    analyst_b: str
    tokens: int
    labels: list[LabelAgreement]
    f1: float | None  # over all labels' spans (micro); None when neither has a span
    kappa: float | None  # overall, on tokens
    disagreements: list[Disagreement] = field(default_factory=list)
    agreeing: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)  # (A's id, B's id) of exact matches

    def as_dict(self) -> dict:
        return {
            "document": str(self.document_id) if self.document_id else None,
            "analyst_a": self.analyst_a,
            "analyst_b": self.analyst_b,
            "tokens": self.tokens,
            "f1": self.f1,
            "kappa": self.kappa,
            "labels": [dict(vars(lb)) for lb in self.labels],
            "disagreements": [
                {**vars(d), "a_ids": [str(i) for i in d.a_ids], "b_ids": [str(i) for i in d.b_ids]} for d in self.disagreements
            ],
            "agreeing": [[str(a), str(b)] for a, b in self.agreeing],
        }


def _kappa(po: float, pe: float) -> float | None:
    if pe >= 1.0 - 1e-12:
        return None
    return (po - pe) / (1.0 - pe)


def _token_marks(tokens: list[tuple[int, int]], spans: Iterable[Span]) -> list[set[str]]:
    """For each token, the labels of the spans overlapping it."""
    starts = [s for s, _ in tokens]
    ends = [e for _, e in tokens]
    marks: list[set[str]] = [set() for _ in tokens]
    for span in spans:
        for start, end in span.pieces or ((span.start, span.end),):
            first = bisect.bisect_right(ends, start)  # first token ending after the piece starts
            last = bisect.bisect_left(starts, end)  # tokens from here start at or after the piece's end
            for i in range(first, last):
                marks[i].add(span.label)
    return marks


def compare(
    text: str,
    spans_a: Sequence[Span],
    spans_b: Sequence[Span],
    analyst_a: str = "A",
    analyst_b: str = "B",
    document_id: uuid.UUID | None = None,
) -> AgreementReport:
    """The agreement of B with A (the reference) on ``text``."""
    tokens = tokenize(text)
    n = len(tokens)
    marks_a = _token_marks(tokens, spans_a)
    marks_b = _token_marks(tokens, spans_b)
    by_label_a: dict[str, set[tuple]] = defaultdict(set)
    by_label_b: dict[str, set[tuple]] = defaultdict(set)
    for s in spans_a:
        by_label_a[s.label].add(s.key)
    for s in spans_b:
        by_label_b[s.label].add(s.key)
    rows = []
    total_matched = total_a = total_b = 0
    for label in sorted(set(by_label_a) | set(by_label_b), key=str.casefold):
        a, b = by_label_a.get(label, set()), by_label_b.get(label, set())
        matched = len(a & b)
        total_matched += matched
        total_a += len(a)
        total_b += len(b)
        ta = [label in m for m in marks_a]
        tb = [label in m for m in marks_b]
        a1, b1 = sum(ta), sum(tb)
        kappa = None
        if n:
            po = sum(x == y for x, y in zip(ta, tb, strict=True)) / n
            pa, pb = a1 / n, b1 / n
            kappa = _kappa(po, pa * pb + (1 - pa) * (1 - pb))
        rows.append(
            LabelAgreement(
                label=label,
                a_spans=len(a),
                b_spans=len(b),
                matched=matched,
                precision=matched / len(b) if b else None,
                recall=matched / len(a) if a else None,
                f1=2 * matched / (len(a) + len(b)),
                kappa=kappa,
                a_tokens=a1,
                b_tokens=b1,
            )
        )
    overall = None
    if n:
        cat_a = [frozenset(m) for m in marks_a]
        cat_b = [frozenset(m) for m in marks_b]
        po = sum(x == y for x, y in zip(cat_a, cat_b, strict=True)) / n
        ca, cb = Counter(cat_a), Counter(cat_b)
        overall = _kappa(po, sum(ca[c] * cb[c] for c in ca) / (n * n))
    f1 = 2 * total_matched / (total_a + total_b) if total_a + total_b else None
    return AgreementReport(
        document_id=document_id,
        analyst_a=analyst_a,
        analyst_b=analyst_b,
        tokens=n,
        labels=rows,
        f1=f1,
        kappa=overall,
        disagreements=_disagreements(text, spans_a, spans_b),
        agreeing=_agreeing(spans_a, spans_b),
    )


def _disagreements(text: str, spans_a: Sequence[Span], spans_b: Sequence[Span]) -> list[Disagreement]:
    at: dict[tuple, tuple[dict[str, list[uuid.UUID]], dict[str, list[uuid.UUID]]]] = {}
    for side, spans in ((0, spans_a), (1, spans_b)):
        for s in spans:
            at.setdefault(s.key, ({}, {}))[side].setdefault(s.label, []).append(s.id)
    out = []
    for (start, end, _pieces), (la, lb) in sorted(at.items()):
        only_a = sorted(set(la) - set(lb), key=str.casefold)
        only_b = sorted(set(lb) - set(la), key=str.casefold)
        exact = text[start:end]
        if only_a and only_b:
            out.append(
                Disagreement("label", start, end, exact, ", ".join(only_a), ", ".join(only_b),
                             tuple(i for lab in only_a for i in la[lab]), tuple(i for lab in only_b for i in lb[lab]))
            )  # fmt: skip
            continue
        for lab in only_a:
            out.append(Disagreement("only_a", start, end, exact, lab, "", tuple(la[lab]), ()))
        for lab in only_b:
            out.append(Disagreement("only_b", start, end, exact, "", lab, (), tuple(lb[lab])))
    return out


def _agreeing(spans_a: Sequence[Span], spans_b: Sequence[Span]) -> list[tuple[uuid.UUID, uuid.UUID]]:
    first_b: dict[tuple, uuid.UUID] = {}
    for s in spans_b:
        first_b.setdefault((s.key, s.label), s.id)
    pairs = []
    for s in sorted(spans_a, key=lambda s: (s.key, s.label)):
        other = first_b.get((s.key, s.label))
        if other is not None:
            pairs.append((s.id, other))
    return pairs


# --- over a repository -----------------------------------------------------------------------


def _document_spans(repo: Repository, doc_id: uuid.UUID) -> tuple[str, list[Span]]:
    doc = repo.get_document(doc_id)
    names = {lb.id: lb.name for lb in repo.labels(include_deleted=True)}
    pieces = repo.annotation_fragments(doc_id)
    spans = [
        Span(r.id, r.start, r.end, names.get(r.label_id, str(r.label_id)), r.creator, r.exact, tuple(pieces.get(r.id, ())))
        for r in repo.annotation_spans(doc_id)
    ]
    return doc.text, spans


def analysts(repo: Repository, doc_id: uuid.UUID) -> list[tuple[str, int]]:
    """Who annotated the document, with their live annotations, most first."""
    counts = Counter(r.creator for r in repo.annotation_spans(doc_id))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def document_agreement(repo: Repository, doc_id: uuid.UUID, between: tuple[str, str] | None = None) -> AgreementReport:
    """The agreement report for a document: between the two analysts named,
    or else the two with the most live annotations on it (the first is the
    reference)."""
    text, spans = _document_spans(repo, doc_id)
    counts = Counter(s.creator for s in spans)
    if between is not None:
        a, b = between
        if a == b:
            raise InputError("compare two different analysts")
        unknown = [x for x in (a, b) if x not in counts]
        if unknown:
            who = ", ".join(sorted(counts)) or "nobody"
            raise InputError(f"{unknown[0]!r} has no annotations on this document (annotated by: {who})")
    else:
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(ranked) < 2:
            who = ranked[0][0] if ranked else "nobody"
            raise InputError(f"only one analyst annotated this document ({who}); agreement needs two")
        (a, _), (b, _) = ranked[:2]
    return compare(text, [s for s in spans if s.creator == a], [s for s in spans if s.creator == b], a, b, doc_id)


@dataclass(frozen=True)
class AgreeingGroup:
    """Annotations of the same span and label by two or more analysts."""

    start: int
    end: int
    label_id: uuid.UUID
    annotation_ids: tuple[uuid.UUID, ...]
    creators: tuple[str, ...]


def agreeing_groups(repo: Repository, doc_id: uuid.UUID) -> list[AgreeingGroup]:
    """Live annotations that agree across analysts, in text order (the desk
    marks them as agreeing; they are separate rows, kept by every merge)."""
    pieces = repo.annotation_fragments(doc_id)
    groups: dict[tuple, list] = {}
    for r in repo.annotation_spans(doc_id):
        groups.setdefault((r.start, r.end, tuple(pieces.get(r.id, ())), r.label_id), []).append(r)
    out = []
    for (start, end, _pieces, label_id), rows in sorted(groups.items(), key=lambda kv: (kv[0][:3], str(kv[0][3]))):
        creators = tuple(sorted({r.creator for r in rows}))
        if len(creators) >= 2:
            out.append(AgreeingGroup(start, end, label_id, tuple(r.id for r in rows), creators))
    return out


__all__ = [
    "AgreeingGroup",
    "AgreementReport",
    "Disagreement",
    "LabelAgreement",
    "Span",
    "agreeing_groups",
    "analysts",
    "compare",
    "document_agreement",
    "tokenize",
]
