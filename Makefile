# The two commands of the README. Both create .venv when it is missing, and install only when
# pyproject.toml or constraints.txt changed since the last install (a second run installs nothing).
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT  ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install run demo test browser lint bench quality train

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# Load the bundled demo (offline) and open the dashboard on it.
run: install
	$(VENV)/bin/wetcement demo
	$(VENV)/bin/wetcement serve --port $(PORT)

demo: install
	$(VENV)/bin/wetcement demo

# Chromium for the end-to-end browser test (Debian's package; Playwright cannot download one).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser test" >&2; \
	  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }

test: install browser
	$(PY) -m pytest -q

lint: install
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: install
	$(PY) bench/run.py

# Out-of-sample quality of the judgements (needs ../shared/realdata); rewrites bench/QUALITY.md.
quality: install
	$(PY) bench/quality.py --md bench/QUALITY.md

# Refit the shipped judgement models from bench/data/ and ../shared/realdata (deterministic).
train: install
	$(PY) bench/train.py
