"""Synthesise a realistic large document with overlapping annotations.

Words are drawn from a news-like vocabulary (with some Arabic and emoji, as
analysts meet them), grouped into sentences and paragraphs; annotations are
short actor/location mentions plus sentence-long claims that contain them.
Deterministic for a given seed, and independent of ../shared.
"""

from __future__ import annotations

import random

WORDS = (
    "the troops border militia officials government forces security source said reported deployment "
    "region crossing ministry army units drone attack statement president minister council conflict "
    "regional coalition infiltration pressure movement stability control area frontline talks agreement "
    "sanctions embassy spokesman commander brigade checkpoint convoy refugees humanitarian aid police "
    "ceasefire negotiations intelligence analysts province district capital village river valley desert "
    "economy oil pipeline airport port highway bridge election parliament opposition protest report"
).split()
NAMES = (
    "Syria Iraq Damascus Baghdad Palmyra Euphrates Iran Israel Turkey Jordan Lebanon Mosul Raqqa Deir "
    "Hasakah Aleppo Homs Kirkuk Erbil Bukamal Qaim Tanf"
).split()
ACTORS = ["Popular Mobilisation Forces", "Syrian Democratic Forces", "Hayat Tahrir Al Sham", "US-led coalition", "Iraqi source"]
EXTRAS = ["الحشد الشعبي", "قوات سوريا الديمقراطية", "🇸🇾", "🇮🇶", "👨‍👩‍👧", "e\u0301te\u0301"]


def synth_document(target_chars: int = 1_000_000, seed: int = 7) -> str:
    rnd = random.Random(seed)
    paragraphs: list[str] = []
    size = 0
    while size < target_chars:
        sentences = []
        for _ in range(rnd.randint(2, 6)):
            words = []
            for _ in range(rnd.randint(8, 28)):
                r = rnd.random()
                if r < 0.08:
                    words.append(rnd.choice(NAMES))
                elif r < 0.1:
                    words.append(rnd.choice(ACTORS))
                elif r < 0.11:
                    words.append(rnd.choice(EXTRAS))
                else:
                    words.append(rnd.choice(WORDS))
            sentence = " ".join(words)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        para = " ".join(sentences)
        paragraphs.append(para)
        size += len(para) + 1
    return "\n".join(paragraphs)[:target_chars].rstrip() + "\n"


def synth_spans(text: str, count: int = 10_000, seed: int = 11) -> list[tuple[str, int, int]]:
    """(label, start, end) in code points: names as actors/locations, and
    about one in five as a claim over the sentence around a mention."""
    import regex

    rnd = random.Random(seed)
    mentions = [m.span() for m in regex.finditer(r"\b(?:" + "|".join(map(regex.escape, NAMES + ACTORS)) + r")\b", text)]
    rnd.shuffle(mentions)
    spans: list[tuple[str, int, int]] = []
    used: set[tuple[int, int]] = set()
    for start, end in mentions:
        if len(spans) >= count:
            break
        if (start, end) in used:
            continue
        used.add((start, end))
        if rnd.random() < 0.2:
            s = text.rfind(". ", 0, start)
            s = 0 if s < 0 else s + 2
            e = text.find(".", end)
            e = len(text) if e < 0 else e + 1
            spans.append(("Claim", s, e))
        spans.append(("Actor" if rnd.random() < 0.6 else "Location", start, end))
    return spans[:count]
