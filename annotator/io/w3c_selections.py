"""Anchoring a W3C annotation's target: its selectors (position, quote,
refinements within one another, sets of targets) read into one
:class:`Selection` of the text, or the reason it is an orphan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.canonical import normalise_newlines
from ..core.offsets import CONTEXT, Quote
from ..core.services import AnnotationDraft
from .w3c_rules import SETS, SURROGATE, TEXT_OR_CHOICE, show, types_of


class TargetSelections:
    """The target reading of :class:`~.w3c_reader._Reader`."""


    def target(self, raw: Any, draft: AnnotationDraft) -> None:
        """Anchor on the first target that selects text; otherwise say why not (the orphan reason)."""
        if raw is None:
            draft.problem = "the annotation has no target"
            return
        found = self.first_selection(raw)
        if isinstance(found, str):
            draft.problem = found
        elif found.problem:  # half a surrogate pair in the quote: neither it nor the position can be trusted
            draft.problem = found.problem
        else:
            draft.start, draft.end, draft.quote = found.start, found.end, found.quote

    def first_selection(self, target: Any) -> Selection | str:
        """The first text selection among targets (a list, or a Choice/List/Composite/
        Independents set, opened in order; their depth is checked), or why there is none."""
        if isinstance(target, list):
            reasons = []
            for t in target:
                found = self.first_selection(t)
                if isinstance(found, Selection):
                    return found
                reasons.append(found)
            return reasons[0] if reasons else "the target is an empty list"
        if isinstance(target, str):
            return f"the target {target} is a whole resource, not a selection of its text (no selector)"
        assert isinstance(target, dict)
        types = types_of(target)
        kind = next((t for t in SETS if t in types), None)
        if kind is not None:
            found = self.first_selection(target["items"])
            if isinstance(found, Selection) or not found.endswith("(no selector)"):
                return found
            return f"the target is a set ({kind}) of {len(target['items'])} whole resources, not a selection of text (no selector)"
        selectors = target.get("selector")
        if selectors is None:
            source = target.get("source", target.get("id"))
            source = source.get("id") if isinstance(source, dict) else source
            shown = f" {source}" if isinstance(source, str) else ""
            what = "/".join(sorted(types - {"SpecificResource"}))
            shown += f" ({what})" if what else ""
            return f"the target{shown} is a whole resource, not a selection of its text (no selector)"
        selectors = selectors if isinstance(selectors, list) else [selectors]
        if not selectors:
            return "its selector is an empty list"
        return self.selection(selectors, 0)

    def selection(self, selectors: list, depth: int) -> Selection | str:
        """Combine alternative selectors of one segment: a position and a quote (the quote wins later)."""
        position: Selection | None = None
        quote: Selection | None = None
        reasons: list[str] = []
        others: set[str] = set()  # selectors that do not select text, with nothing refining them
        for sel in selectors:
            if isinstance(sel, dict) and not sel.get("refinedBy") and not types_of(sel) & TEXT_OR_CHOICE:
                others |= types_of(sel) or {"an untyped selector"}
                continue
            if isinstance(sel, str):
                reasons.append(f"its selector {sel} is a link to a selector elsewhere, which Annotator does not follow")
                continue
            found = self.selector(sel, depth)
            if isinstance(found, str):
                reasons.append(found)
            elif found.quote is not None and quote is None:
                quote = found
                if found.start is not None and position is None:
                    position = found
            elif found.start is not None and position is None:
                position = found
        if position is None and quote is None:
            if reasons:
                return reasons[0]
            return f"no TextPositionSelector or TextQuoteSelector (only {', '.join(sorted(others))})"
        self.texty = True
        start = position.start if position else None
        end = position.end if position else None
        return Selection(start, end, quote.quote if quote else None, (quote.problem if quote else "") or "")

    def selector(self, sel: dict, depth: int) -> Selection | str:
        """One selector (and what refines it) as a selection, or why it is not one.

        A refinement selects within the selection it refines: a position
        inside a position adds up; a position or quote inside a quote becomes
        a narrower quote with the outer text as its context; a quote inside a
        position keeps the position as the place to look. A position inside a
        selector plain text cannot resolve (a FragmentSelector, an XPath) has
        nothing to count from; a quote inside one is looked for in the whole text.
        """
        types = types_of(sel)
        refined = sel.get("refinedBy")
        inner_list = (refined if isinstance(refined, list) else [refined]) if refined is not None else []
        if "TextPositionSelector" in types:
            self.texty = True
            outer: Selection | str = Selection(sel["start"], sel["end"], None)
        elif "TextQuoteSelector" in types:
            self.texty = True
            outer = self.quote(sel)
        elif "Choice" in types:
            return self.selection(sel["items"], depth + 1)
        else:
            if not inner_list:  # (selection() sets these aside before asking)
                return f"no TextPositionSelector or TextQuoteSelector (only {', '.join(sorted(types)) or 'an untyped selector'})"
            inner = self.selection(inner_list, depth + 1)
            if isinstance(inner, str):
                return inner
            if inner.quote is not None:
                return Selection(None, None, inner.quote, inner.problem)
            what = "/".join(sorted(types)) or "an untyped selector"
            value = sel.get("value")
            shown = f" {show(value)}" if isinstance(value, str) else ""
            return (
                f"its TextPositionSelector {inner.start}..{inner.end} counts from the start of the {what}{shown}, "
                "which plain text cannot resolve"
            )
        if isinstance(outer, str) or not inner_list:
            return outer
        inner = self.selection(inner_list, depth + 1)
        if isinstance(inner, str):
            return f"its refinement cannot be applied to text: {inner}"
        return refine(outer, inner)

    def quote(self, sel: dict) -> Selection:
        exact, prefix, suffix = (normalise_newlines(sel.get(k, "")) for k in ("exact", "prefix", "suffix"))
        problem = ""
        if self.surrogates:
            # A tool counting UTF-16 units may cut the context in the middle of
            # an emoji: the half character at the outer edge is dropped. Half a
            # character anywhere else cannot match any text: an orphan.
            prefix = prefix[1:] if prefix[:1] and SURROGATE.match(prefix[0]) else prefix
            suffix = suffix[:-1] if suffix[-1:] and SURROGATE.match(suffix[-1]) else suffix
            for part, text in (("exact text", exact), ("prefix", prefix), ("suffix", suffix)):
                half = SURROGATE.search(text)
                if half:
                    problem = (
                        f"the quote's {part} holds half of a UTF-16 surrogate pair (\\u{ord(half.group()):04x}): "
                        "the tool that wrote it split a character beyond U+FFFF, so neither quote nor position can be trusted"
                    )
                    break
        return Selection(None, None, Quote(exact, prefix, suffix), problem)




@dataclass(frozen=True, slots=True)
class Selection:
    """What a target selects: a position and/or a quote; ``problem`` makes it an orphan."""

    start: int | None
    end: int | None
    quote: Quote | None
    problem: str = ""


def refine(outer: Selection, inner: Selection) -> Selection | str:
    """``inner`` taken within ``outer`` (see :meth:`_Reader.selector`)."""
    problem = outer.problem or inner.problem
    if outer.quote is None:  # a position
        assert outer.start is not None and outer.end is not None
        if inner.start is not None and inner.end is not None:
            start, end = outer.start + inner.start, outer.start + inner.end
            if end > outer.end:
                return (
                    f"its refining TextPositionSelector {inner.start}..{inner.end} runs past the end of the "
                    f"TextPositionSelector {outer.start}..{outer.end} it refines"
                )
            return Selection(start, end, inner.quote, problem)
        return Selection(outer.start, outer.end, inner.quote, problem)  # look for the quote there first
    q = outer.quote
    full = q.prefix + q.exact + q.suffix
    lo = len(q.prefix)
    if inner.start is not None and inner.end is not None:
        if inner.end > len(q.exact):
            return (
                f"its refining TextPositionSelector {inner.start}..{inner.end} runs past the end of the "
                f"quote it refines ({len(q.exact)} characters)"
            )
        at, n = lo + inner.start, inner.end - inner.start
    else:
        assert inner.quote is not None
        sub = inner.quote
        n = len(sub.exact)
        hits = [i for i in find_all(full, sub.exact) if lo <= i and i + n <= lo + len(q.exact)]
        if not hits:
            return f"its refining quote {sub.exact[:40]!r} is not inside the quote it refines ({q.exact[:40]!r})"
        agreeing = [i for i in hits if full[:i].endswith(sub.prefix) and full[i + n :].startswith(sub.suffix)]
        at = (agreeing or hits)[0]
    if n == 0:
        return "its refinement selects nothing (an empty span)"
    return Selection(None, None, Quote(full[at : at + n], full[max(0, at - CONTEXT * 2) : at], full[at + n : at + n + CONTEXT * 2]), problem)


def find_all(text: str, sub: str) -> list[int]:
    hits: list[int] = []
    i = text.find(sub)
    while i != -1:
        hits.append(i)
        i = text.find(sub, i + 1)
    return hits
