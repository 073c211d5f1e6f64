"""Colour arithmetic for readable text in light and dark palettes: WCAG
relative luminance and contrast ratio, fills kept readable under the text,
and a secondary ("muted") text colour that still reads at 4.5:1."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel

READABLE = 4.5
"""WCAG AA contrast for body text."""
MUTED = 6.0
"""What secondary text aims for: clearly lighter than the text, never faint."""


def _channel(c: float) -> float:
    c /= 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: QColor) -> float:
    """WCAG relative luminance, 0 (black) to 1 (white)."""
    return 0.2126 * _channel(colour.red()) + 0.7152 * _channel(colour.green()) + 0.0722 * _channel(colour.blue())


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio between two opaque colours, 1 to 21."""
    la, lb = luminance(a), luminance(b)
    if la < lb:
        la, lb = lb, la
    return (la + 0.05) / (lb + 0.05)


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved towards ``b`` by ``t`` (0: a, 1: b), opaque."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def is_dark(palette: QPalette) -> bool:
    """True when the palette draws light text on a dark base (a dark mode)."""
    role = QPalette.ColorRole
    return luminance(palette.color(role.Base)) < luminance(palette.color(role.Text))


def readable_fill(fill: QColor, text: QColor, minimum: float = READABLE) -> QColor:
    """``fill``, moved away from ``text`` (towards black under light text,
    towards white under dark text) just enough that ``text`` reads on it."""
    if contrast(fill, text) >= minimum:
        return fill
    away = QColor(0, 0, 0) if luminance(text) > 0.5 else QColor(255, 255, 255)
    for step in range(1, 21):
        candidate = mix(fill, away, step / 20)
        if contrast(candidate, text) >= minimum:
            return candidate
    return away


def muted_text(palette: QPalette, background: QPalette.ColorRole = QPalette.ColorRole.Window) -> QColor:
    """A secondary text colour: the text colour eased towards the background,
    aiming at 6:1 against it, never below 4.5:1 (``palette(mid)`` is ~1.5:1
    in dark palettes, placeholder text ~4:1 in light ones)."""
    role = QPalette.ColorRole
    text = palette.color(role.WindowText if background == role.Window else role.Text)
    bg = palette.color(background)
    for t in (0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05):
        candidate = mix(text, bg, t)
        if contrast(candidate, bg) >= MUTED:
            return candidate
    return QColor(text.red(), text.green(), text.blue())


def warning_text(palette: QPalette) -> QColor:
    """Amber text for what needs a look, readable on the palette's base (light or dark)."""
    base = palette.color(QPalette.ColorRole.Base)
    return readable_fill(QColor("#f0b040") if is_dark(palette) else QColor("#9a5b00"), base, 4.5)


class MutedLabel(QLabel):
    """A label in the secondary text colour (:func:`muted_text`), kept
    readable when the palette changes (a switch to or from dark mode)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._applying = False
        self._apply()

    def _source_palette(self) -> QPalette:
        parent = self.parentWidget()
        return parent.palette() if parent is not None else QApplication.palette(self)

    def _apply(self) -> None:
        source = self._source_palette()
        colour = muted_text(source)
        pal = QPalette(self.palette())
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive):
            pal.setColor(group, QPalette.ColorRole.WindowText, colour)
        pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText,
                     source.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText))  # fmt: skip
        if pal == self.palette():
            return
        self._applying = True
        try:
            self.setPalette(pal)
        finally:
            self._applying = False

    def changeEvent(self, ev) -> None:  # noqa: N802
        super().changeEvent(ev)
        if ev.type() in (QEvent.Type.PaletteChange, QEvent.Type.ParentChange) and not self._applying:
            self._apply()
