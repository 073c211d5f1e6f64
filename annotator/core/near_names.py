"""Names close to another: a new entity that may be a duplicate of one the
analyst already has ("two security officials" beside "two security
officials in Damascus", "An Iraqi source" beside "Iraqi security source").

Scored by rapidfuzz's token-set ratio over :func:`.matching.match_key`
(case, spacing, hyphens and Arabic harakat already do not count): word order
does not matter, and a name whose words are all in the other's scores 100.
It runs when the analyst is about to make an entity, never per key press.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

from .matching import match_key

NEAR_SCORE = 88  # of 100: below it, two names are not pointed out as alike
SHORTEST = 4  # characters of a match key: shorter names ("US") are alike to too many

# Names are asked about again and again (every new actor is checked against
# every actor); their keys are most of a check's cost (0.2 s of 0.26 s for
# 50,000 names), so they are kept.
_key = lru_cache(maxsize=1 << 17)(match_key)


def near_names(name: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """Up to ``limit`` of ``names`` close to ``name`` but not the same name
    (same match key), best first."""
    key = match_key(name)
    if len(key) < SHORTEST:
        return []
    choices = {n: k for n in dict.fromkeys(names) if (k := _key(n)) != key and len(k) >= SHORTEST}
    found = process.extract(key, choices, scorer=fuzz.token_set_ratio, limit=limit, score_cutoff=NEAR_SCORE)
    return [n for _key, _score, n in found]
