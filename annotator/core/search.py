"""Searching the corpus: the query, its filters, the hits, and the rule that
decides what a hit is.

A query is words, ``"quoted phrases"`` and prefixes (``milit*``); every part
must match (AND), and ``OR`` (in capitals) separates alternatives:
``troops border OR militia`` is "troops and border", or "militia". A word is a run of letters, digits and marks; anything
else separates words, so ``al-Shaabi`` is the phrase "al shaabi". Matching
follows the tag-all rules of :mod:`.matching`: full case folding (``STRASSE``
finds ``Straße``), Arabic harakat and tatweel ignored, one alif, one ya, one
kaf, and the one-letter proclitics before an Arabic word (``الحشد`` finds
``والحشد`` and ``للحشد``); whole words only, except that a prefix matches the
start of a word.

The store's full-text index (:mod:`annotator.store.sqlite.search_index`)
only proposes candidates: each entry it holds is :func:`fold`-ed text and it
may propose too many (its words are a little looser than a regex's), never
too few. :func:`find_terms` decides, on the original text, and gives the
code point offsets of each hit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import lru_cache

import regex

from .matching import Normalised, normalise

TOKEN_CHAR = r"[\p{L}\p{N}\p{M}\p{Co}]"
"""What the index counts as part of a word (SQLite's unicode61 tokenizer
with the categories ``L* N* M* Co``): the verifier uses the same class, so
the two agree on where words start and end."""
_WORD = regex.compile(rf"{TOKEN_CHAR}+")
_SEPARATOR = r"[^\p{L}\p{N}\p{M}\p{Co}]+"
_ARABIC = regex.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF]")
_FLAGS = regex.IGNORECASE | regex.FULLCASE | regex.UNICODE
CONJUNCTIONS, PREPOSITIONS = "وف", "بلك"
CONTEXT = 60  # characters each side of a hit
MAX_HITS_PER_ENTRY = 20


def fold(text: str) -> str:
    """The form the index holds and queries are asked in: Arabic normalised
    (:func:`.matching.normalise`), then Unicode full case folding."""
    return normalise(text).casefold()


@dataclass(frozen=True)
class Term:
    """One part of a query: a word or a phrase; ``prefix``: its last word may go on."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def arabic(self) -> bool:
        return bool(_ARABIC.match(self.words[0]))


@dataclass(frozen=True)
class Query:
    """A parsed query: alternatives (``a b OR c``: "a and b", or "c"), each
    terms that must all match. False when it has no word."""

    alternatives: tuple[tuple[Term, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.alternatives)

    def find(self, text: str, limit: int = 0) -> list[tuple[int, int]]:
        """The spans of the first alternative ``text`` holds (see :func:`find_terms`); [] when none."""
        for terms in self.alternatives:
            spans = find_terms(text, list(terms), limit or MAX_HITS_PER_ENTRY)
            if spans:
                return spans
        return []

    def hits(self, text: str) -> list[tuple[int, int]]:
        """Where a paragraph's hits are: the first term's matches, of the first alternative it holds."""
        for terms in self.alternatives:
            if find_terms(text, list(terms), limit=1):
                return find_terms(text, list(terms[:1]))
        return []


def parse_query(text: str) -> Query:
    """The query's alternatives and terms (see the module docstring). ``OR``
    in capitals, outside quotes, separates alternatives."""
    alternatives: list[tuple[Term, ...]] = []
    terms: list[Term] = []
    for quoted, bare in [*_chunks(text), ("", "OR")]:
        if bare == "OR":
            if terms:
                alternatives.append(tuple(terms))
            terms = []
            continue
        prefix = (quoted or bare).endswith("*")
        words = tuple(_WORD.findall(fold(quoted or bare)))
        if words:
            terms.append(Term(words, prefix))
    return Query(tuple(alternatives))


def _chunks(text: str) -> list[tuple[str, str]]:
    """``(phrase, "")`` for each quoted part (with a ``*`` after it kept), ``("", chunk)`` for each bare one."""
    out: list[tuple[str, str]] = []
    for m in regex.finditer(r'"([^"]*)"?(\*?)|([^\s"]+)', text):
        if m.group(3) is not None:
            out.append(("", m.group(3)))
        else:
            out.append((m.group(1) + m.group(2), ""))
    return out


@lru_cache(maxsize=256)
def term_pattern(term: Term) -> regex.Pattern:
    """The verifier for one term, over :class:`~.matching.Normalised` text."""
    body = _SEPARATOR.join(regex.escape(w) for w in term.words)
    end = rf"{TOKEN_CHAR}*" if term.prefix else rf"(?!{TOKEN_CHAR})"  # a prefix's hit is the whole word
    start = rf"(?<!{TOKEN_CHAR})"
    if term.arabic:
        clitics = rf"(?<=(?<!{TOKEN_CHAR})[{CONJUNCTIONS}]?[{PREPOSITIONS}]?)"
        first = term.words[0]
        if first.startswith("ال") and len(first) > 2:  # after ل the article's alif is not written: للحشد
            rest = _SEPARATOR.join(regex.escape(w) for w in (first[1:], *term.words[1:]))
            lam = rf"(?<=(?<!{TOKEN_CHAR})[{CONJUNCTIONS}]?ل)"
            return regex.compile(rf"(?:{clitics}{body}|{lam}{rest}){end}", _FLAGS)
        return regex.compile(rf"{clitics}{body}{end}", _FLAGS)
    return regex.compile(rf"{start}{body}{end}", _FLAGS)


def clitic_forms(word: str) -> list[str]:
    """An Arabic word as it may be written with proclitics joined (``الحشد``:
    ``والحشد``, ``بالحشد``, ``للحشد``…), the word itself first: the index
    holds whole written words, so a query asks for each form."""
    forms = [word]
    for conj in ("", *CONJUNCTIONS):
        for prep in ("", *PREPOSITIONS):
            if not conj and not prep:
                continue
            if prep == "ل" and word.startswith("ال") and len(word) > 2:
                forms.append(conj + "ل" + word[1:])
            forms.append(conj + prep + word)
    return list(dict.fromkeys(forms))


def _needle(word: str) -> str:
    """What any match of ``word`` contains: after ل the article's alif is not written (للحشد)."""
    return word[1:] if word.startswith("ال") and len(word) > 2 else word


def find_terms(text: str, terms: list[Term], limit: int = MAX_HITS_PER_ENTRY) -> list[tuple[int, int]]:
    """Where ``text`` has the query: every term must occur in it; the spans
    (code points, in text order, at most ``limit``) of all the terms'
    matches. [] when a term is missing."""
    if not terms:
        return []
    folded = fold(text)
    if any(_needle(word) not in folded for term in terms for word in term.words):  # most candidates fail here, cheaply
        return []
    norm = Normalised(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = [(norm.start(m.start()), norm.end(m.end())) for m in term_pattern(term).finditer(norm.text)]
        if not found:
            return []
        spans.extend(found)
    spans.sort()
    return spans[:limit]


def context(text: str, start: int, end: int, side: int = CONTEXT) -> tuple[str, str, str]:
    """The words before a hit, the hit, the words after, each on one line;
    ``before`` ends with a space and ``after`` starts with one where the text
    has white space there, so the three read as the text does when joined."""
    before, hit, after = text[max(0, start - side) : start], text[start:end], text[end : end + side]
    if start - side > 0:
        before = before.partition(" ")[2] or before
    if end + side < len(text):
        after = after.rpartition(" ")[0] or after

    def line(part: str) -> str:
        words = " ".join(part.split())
        lead = " " if words and part[:1].isspace() else ""
        trail = " " if words and part[-1:].isspace() else ""
        return lead + words + trail

    return line(before), " ".join(hit.split()), line(after)


# --- filters and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search. Any annotation filter (label to likelihood)
    limits the hits to annotations that pass it; the document filters apply
    to every hit. Empty means no filter."""

    labels: tuple[str, ...] = ()  # label names, any case
    kinds: tuple[str, ...] = ()  # actor, claim, location…
    entity: str = ""  # an entity's name or alias: annotations linked to it
    source: str = ""  # a claim source's name or alias: its claims
    reliability: str = ""  # grades allowed, e.g. "ABC"
    credibility: str = ""  # e.g. "123"
    stances: tuple[str, ...] = ()
    likelihoods: tuple[str, ...] = ()
    analysts: tuple[str, ...] = ()  # who made the annotation
    date_from: str = ""  # the document's date (ISO, may be partial), inclusive
    date_to: str = ""
    documents: tuple[uuid.UUID, ...] = ()

    @property
    def on_annotations(self) -> bool:
        return bool(self.labels or self.kinds or self.entity or self.source or self.reliability or self.credibility
                    or self.stances or self.likelihoods or self.analysts)  # fmt: skip


WHERE = {
    "text": "text", "title": "title", "source": "source", "published": "date", "description": "description",
    "filename": "file name", "quote": "quote", "note": "note", "rationale": "rationale", "name": "name", "alias": "alias",
}  # fmt: skip
"""What matched, as the results name it."""


@dataclass(frozen=True)
class SearchHit:
    """One hit: in a document's text (``start``/``end`` its code points), in a
    document's details, an annotation (its span) or an entity (no document)."""

    where: str  # a key of WHERE
    before: str
    match: str
    after: str
    document_id: uuid.UUID | None = None
    document_title: str = ""
    start: int | None = None  # where to open the document: the hit, or the annotation
    end: int | None = None
    annotation_id: uuid.UUID | None = None
    entity_id: uuid.UUID | None = None
    label: str = ""  # the annotation's label
    name: str = ""  # the entity's name (an entity's hit)


@dataclass
class SearchResult:
    query: Query
    hits: list[SearchHit] = field(default_factory=list)
    truncated: bool = False  # more hits than asked for

    def by_document(self) -> list[tuple[uuid.UUID | None, str, list[SearchHit]]]:
        """The hits grouped by document in the order found (entities last, as ``None``)."""
        groups: dict[uuid.UUID | None, list[SearchHit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.document_id, []).append(hit)
        ordered = [k for k in groups if k is not None] + ([None] if None in groups else [])
        return [(k, groups[k][0].document_title if k else "Entities", groups[k]) for k in ordered]
