"""Where a draft lands in a document's canonical text: its position when
that holds, else its quote (which wins where the two disagree), read as
UTF-16 units when a tool counted those; or why it cannot be anchored."""

from __future__ import annotations

from . import offsets
from .drafts import AnnotationDraft


def anchor_draft(text: str, draft: AnnotationDraft) -> tuple[int, int] | str:
    """Code point span for a draft, or the reason it cannot be anchored."""
    n = len(text)
    has_pos = draft.start is not None and draft.end is not None
    if has_pos and not (0 <= draft.start < draft.end <= n):  # type: ignore[operator]
        if draft.quote is None:
            return f"position {draft.start}..{draft.end} is outside the text (0..{n}) or empty"
        has_pos = False
    if draft.quote is not None and draft.quote.exact:
        q = draft.quote
        if has_pos and text[draft.start : draft.end] == q.exact:  # type: ignore[misc]
            return draft.start, draft.end  # type: ignore[return-value]
        if draft.start is not None and draft.end is not None:  # a tool counting UTF-16 units?
            span = offsets.utf16_reading(text, draft.start, draft.end, q.exact)
            if span is not None:
                return span
        anchor = offsets.resolve_quote(text, q, draft.start if has_pos else None)
        if not anchor.found:
            return f"quote {q.exact[:40]!r} is not in the document"
        return anchor.start, anchor.end
    if has_pos:
        start, end = draft.start, draft.end
        if not offsets.is_grapheme_aligned(text, start, end):  # type: ignore[arg-type]
            return f"position {start}..{end} splits a character"
        return start, end  # type: ignore[return-value]
    return draft.problem or "neither a position nor a quote"


def anchor_fragments(text: str, draft: AnnotationDraft) -> list[tuple[int, int]] | str:
    """Code point spans of a discontinuous draft's pieces, in text order, or
    the reason it cannot be anchored (a piece that cannot, or two that overlap)."""
    assert draft.fragments
    quotes = draft.fragment_quotes or []
    pieces: list[tuple[int, int]] = []
    for i, (start, end) in enumerate(draft.fragments):
        quote = quotes[i] if i < len(quotes) else None
        span = anchor_draft(text, AnnotationDraft(label=draft.label, start=start, end=end, quote=quote))
        if isinstance(span, str):
            return f"fragment {i + 1} of {len(draft.fragments)}: {span}"
        pieces.append(span)
    pieces.sort()
    for (s1, e1), (s2, e2) in zip(pieces, pieces[1:], strict=False):
        if s2 < e1:
            return f"fragments {s1}..{e1} and {s2}..{e2} overlap"
    return pieces
