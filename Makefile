# Annotator — the two front-door commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Debian packages Qt needs offscreen and on screen, plus fonts for Arabic and emoji.
# fonts-symbola (1.3 MB, 3.1 MB installed): monochrome emoji the brief names for its emoji
# runs, because LibreOffice's PDF export draws no colour-bitmap glyphs (Noto Color Emoji).
QT_DEBS := libegl1 libgl1 libfontconfig1 libglib2.0-0 libxkbcommon0 libdbus-1-3 \
           fonts-dejavu-core fonts-noto-color-emoji fonts-noto-core fonts-symbola
# The tests also convert a brief to PDF through LibreOffice, as a reader's word processor would.
TEST_DEBS := libreoffice-writer-nogui
XCB_DEBS := libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
            libxcb-render-util0 libxcb-shape0 libxkbcommon-x11-0 libxcb-xinerama0

.PHONY: venv run test bench system-deps clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

# Installs missing Debian packages when running as root; otherwise lists them.
system-deps:
	@bash .ci/system-deps $(QT_DEBS) $(if $(DISPLAY),$(XCB_DEBS),)

run: system-deps venv
	@$(VENV)/bin/annotator run-default

test: system-deps venv
	@bash .ci/system-deps $(TEST_DEBS)
	$(VENV)/bin/lint-imports --no-cache --no-logo
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: system-deps venv
	QT_QPA_PLATFORM=offscreen $(PY) tests/bench/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis bench-results.json
