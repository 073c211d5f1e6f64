"""One paragraph's spans turned into format runs: the painter.

A run is ``(offset, length, key number)`` in UTF-16 units from the start of
the paragraph; the key number stands for a :data:`FormatKey` (the fill
label codes outermost first, the number of claims, the innermost claim's
code), which the highlighter turns into one cached ``QTextCharFormat``.
Pure Python: no Qt object.
"""

from __future__ import annotations

from ..core.offsets import TextMap

Run = tuple[int, int, int]  # UTF-16 offset in the block, UTF-16 length, format key number
FormatKey = tuple[tuple[int, ...], int, int]  # fill codes outermost first, number of claims, innermost claim code
Item = tuple[int, int, int]  # a span cut to the paragraph: start, -end (code points), label code


class FormatRuns:
    """Paints runs for a text (its map) with some label codes drawn as
    claims, numbering the format keys as they first appear."""

    __slots__ = ("map", "claims", "keys", "_key_number", "_lineage_number")

    def __init__(self, text_map: TextMap, claims: frozenset[int] = frozenset()) -> None:
        self.map = text_map
        self.claims = claims
        self.keys: list[FormatKey] = []  # by number
        self._key_number: dict[FormatKey, int] = {}
        self._lineage_number: dict[int | tuple[int, ...], int] = {}

    def paint(self, items: list[Item], cp_start: int, plain: bool) -> list[Run]:
        """Runs from a paragraph's ``(start, -end, label code)`` sorted: outer
        spans before the spans nested in them (by start, then longest first).
        ``plain``: the paragraph holds no astral character (both counts agree)."""
        # Painter's algorithm: each span is painted over its ancestors with the
        # blend of its chain of enclosing spans. Exact while spans nest; a
        # crossing pair (partial overlap) falls back to cutting into pieces.
        ends: list[int] = []  # ends and label codes of the open ancestors
        codes: list[int] = []
        numbers = self._lineage_number
        out: list = []
        add = out.append
        for a, neg_b, c in items:
            b = -neg_b
            if ends:
                while ends and ends[-1] <= a:
                    del ends[-1], codes[-1]
                if ends:
                    if ends[-1] < b:
                        return self._piece_runs(items, cp_start, plain)
                    ends.append(b)
                    codes.append(c)
                    lineage = tuple(codes)
                else:
                    ends.append(b)
                    codes.append(c)
                    lineage = c
            else:
                ends.append(b)
                codes.append(c)
                lineage = c
            k = numbers.get(lineage)
            if k is None:
                k = self._lineage_number_of(lineage)
            add((a - cp_start, b - a, k))
        return out if plain else self._units(out, cp_start)

    def _lineage_number_of(self, lineage: int | tuple[int, ...]) -> int:
        """Format key number for a chain of label codes (an int: a span alone)."""
        chain = lineage if type(lineage) is tuple else (lineage,)
        inner = [x for x in chain if x in self.claims]
        key = tuple(x for x in chain if x not in self.claims), len(inner), inner[-1] if inner else -1
        k = self._lineage_number[lineage] = self._key(key)
        return k

    def _key(self, key: FormatKey) -> int:
        number = self._key_number.get(key)
        if number is None:
            number = self._key_number[key] = len(self.keys)
            self.keys.append(key)
        return number

    def _units(self, out: list[Run], cp_start: int) -> list[Run]:
        """Runs in code points from ``cp_start`` converted to UTF-16 units, through the text's map."""
        to_u16 = self.map.to_utf16
        u_start = to_u16(cp_start)
        converted = []
        for a, n, k in out:
            ua = to_u16(cp_start + a)
            converted.append((ua - u_start, to_u16(cp_start + a + n) - ua, k))
        return converted

    def _piece_runs(self, items: list[Item], cp_start: int, plain: bool) -> list[Run]:
        """Cut the text at every span boundary and give each piece the blend
        of the spans covering it (outer spans first, so inner ones show)."""
        claims = self.claims
        spans = sorted((a + neg_b, a, -neg_b, c) for a, neg_b, c in items)
        cuts = sorted({p for _n, a, b, _c in spans for p in (a, b)})
        pieces: list[tuple[int, int, FormatKey]] = []
        run_start, run_key = -1, None
        for a, b in zip(cuts, cuts[1:]):
            fills = []
            n_claims = 0
            claim_code = -1
            for _n, s, e, c in spans:
                if s <= a and e >= b:
                    if c in claims:
                        n_claims += 1
                        claim_code = c
                    else:
                        fills.append(c)
            key = (tuple(fills), n_claims, claim_code) if (fills or n_claims) else None
            if key != run_key:  # flush the previous run of identical pieces
                if run_key is not None:
                    pieces.append((run_start, a, run_key))
                run_start, run_key = a, key
        if run_key is not None:
            pieces.append((run_start, cuts[-1], run_key))
        if plain:
            return [(a - cp_start, b - a, self._key(key)) for a, b, key in pieces]
        to_u16 = self.map.to_utf16
        u_start = to_u16(cp_start)
        return [(to_u16(a) - u_start, to_u16(b) - to_u16(a), self._key(key)) for a, b, key in pieces]
