"""The first start fits the screen: a laptop's 1366×768 (here, the test
screen) gets a window it can see whole, not 1400×860 with its right column
and status bar off the edge."""

from __future__ import annotations

from annotator.ui.app import start_window
from annotator.ui.main_window import FRAME_ROOM


def test_the_first_window_fits_the_screen(qtbot, tmp_path):
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    room = win.screen().availableGeometry()
    assert room.width() < 1400  # the test screen is smaller than the desk's first size
    # Within the screen, with room for a frame where the panes' minimum widths
    # allow it (they follow the font an earlier test may have set).
    assert win.width() <= room.width() and win.height() <= room.height()
    assert win.width() >= room.width() - FRAME_ROOM[0] - 8  # and it takes the room
