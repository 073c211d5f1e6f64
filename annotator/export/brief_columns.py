"""Column widths for the brief's tables: shared by weight, widened so no
word of a header or a plain cell breaks inside."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import template as T

TABLE_PT = 9.0  # the size of table text (template: TableText, TableHeading)


def fit_widths(total: float, weights: Sequence[float], header: Sequence[str], cells: list[list[str]] | None) -> list[float]:
    """Column widths (cm) sharing ``total`` by ``weights``, each widened to hold
    the longest word of its header (bold) and of its plain ``cells`` (one list
    per column), so no word breaks inside: a narrow column ("Grading",
    "Speculated", "Likelihood") takes the room from columns with room to
    spare. A word longer than a third of the table (a URL) may still break.
    Text wraps at spaces as usual ("Roughly even chance")."""
    wsum = sum(weights)
    widths = [total * w / wsum for w in weights]
    need = []
    for i, head in enumerate(header):
        words = [(wd, True) for wd in head.split(" ")]
        for cell in cells[i] if cells is not None else ():
            words.extend((wd, False) for wd in re.split(r"[ \t\n]+", str(cell)))  # a no-break space holds words together
        longest = max((T.word_width_cm(wd, TABLE_PT, bold) for wd, bold in words), default=0.0)
        need.append(min(total / 3, longest + T.CELL_PADDING_CM))
    short = sum(max(0.0, n - w) for n, w in zip(need, widths, strict=True))
    spare = sum(max(0.0, w - n) for n, w in zip(need, widths, strict=True))
    if short <= 0 or spare <= 0:
        return widths
    take = min(1.0, spare / short)  # when the room is not there, every short column gets its share of it
    give = short * take / spare
    return [w + (n - w) * take if n > w else w - (w - n) * give for n, w in zip(need, widths, strict=True)]
