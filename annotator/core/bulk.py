"""Bulk work: reading a large file, importing thousands of rows.

Such work makes hundreds of thousands of small objects (a JSON file's dicts
and lists, a draft per annotation, a row per draft) that form no reference
cycles and mostly stay alive until it ends. Python's cyclic garbage collector
is triggered by that many allocations and, each time, walks every object
alive, including all it has just made: for a 10,000-annotation import it
was about a third of the time and found nothing to free. :func:`paused_gc`
holds it off for the duration; reference counting frees everything as
usual, and a collection runs as normal once it is back on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector inside the block (nested use,
    or a collector already off, leaves it as it was found)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
