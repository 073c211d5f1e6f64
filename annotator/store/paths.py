"""Where data lives: ``--db PATH`` or ``$ANNOTATOR_DB``, else ``annotator.db``
in the user's data folder (platformdirs: ``~/.local/share/Annotator`` on
Linux, ``~/Library/Application Support/Annotator`` on macOS,
``%LOCALAPPDATA%\\Annotator`` on Windows).

Light on purpose (no SQLAlchemy): the desk draws the last document before
the store is loaded (see :mod:`.sqlite.first_look`)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Annotator"
APPLICATION = "annotator"
"""What ``schema_info`` names as the application (see :mod:`.migrations`)."""
SCHEMA_VERSION = 8
"""The schema the last migration makes: :mod:`.migrations` refuses to load if they differ."""


def default_db_path() -> Path:
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "annotator.db"
