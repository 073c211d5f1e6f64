"""Who is annotating: recorded as the creator of every row."""

import getpass
import os


def current_user() -> str:
    name = os.environ.get("ANNOTATOR_USER", "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "analyst"
