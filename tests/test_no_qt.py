"""core, store, io, export and the CLI must work where Qt cannot even be imported."""

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys

    class NoQt(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                raise ImportError(f"Qt is not allowed here: {name}")
            return None

    sys.meta_path.insert(0, NoQt())
    done = []
    for package in ("annotator.core", "annotator.store", "annotator.io", "annotator.export"):
        pkg = importlib.import_module(package)
        done.append(package)
        for info in pkgutil.walk_packages(pkg.__path__, package + "."):
            importlib.import_module(info.name)
            done.append(info.name)
    import annotator.cli
    done.append("annotator.cli")
    assert not any(m.split(".")[0] in ("PySide6", "shiboken6") for m in sys.modules)
    assert annotator.cli.main(["--version"]) == 0
    print(" ".join(done))
    """
)


def test_non_gui_modules_import_without_qt():
    r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    imported = r.stdout.split()
    for name in ("annotator.core.offsets", "annotator.store.repository", "annotator.io.w3c", "annotator.io.seeds", "annotator.cli"):
        assert name in imported


def test_the_finder_really_blocks_qt():
    blocked = SCRIPT.replace("import annotator.cli", "import PySide6.QtCore")
    r = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "Qt is not allowed here" in r.stderr
