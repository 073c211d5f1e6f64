"""The first start fits the screen: a laptop's 1366×768 (here, the test
screen) gets a window it can see whole, not 1400×860 with its right column
and status bar off the edge."""

from __future__ import annotations

from annotator.ui.app import start_window


def test_the_first_window_fits_the_screen(qtbot, tmp_path):
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    room = win.screen().availableGeometry()
    assert win.width() <= room.width() and win.height() <= room.height()  # 1400×860 does not fit the test screen
    assert win.width() >= min(1400, room.width()) - 40 and win.height() >= min(860, room.height()) - 40  # and it takes the room
    assert room.contains(win.frameGeometry().topLeft())
