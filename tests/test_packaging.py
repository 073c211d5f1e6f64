"""What an installed (not editable) package carries."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "annotator").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert config["package-dir"] == {"annotator._resources": "resources", "annotator._seeds": "seeds"}


def test_the_data_files_an_installed_package_needs_are_included():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for package, folder, needed in (("annotator._resources", "resources", ["tagset.json"]),
                                    ("annotator._seeds", "seeds", ["manifest.json", "syria-troops-iraq-border.txt",
                                                                   "syria-troops-iraq-border.w3c.json"])):  # fmt: skip
        for name in needed:
            assert (ROOT / folder / name).exists()
            assert any(Path(name).match(pattern) for pattern in config[package]), (package, name)
