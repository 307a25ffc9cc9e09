# The two commands of the README:
#   make serve   set everything up, build the site and serve it on http://127.0.0.1:8000
#   make test    set everything up (Chromium too), then lint and run every test,
#                the strict documentation build and the browser checks included
.PHONY: setup serve build deploy test test-fast lint format bench linkcheck clean

VENV ?= .venv
PY := $(VENV)/bin/python
# One thread: on a busy 2-core machine two torch threads made small training loops 20-50x slower.
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
# Data sets: a directory named by ZERO_TO_HERO_DATA, else the user cache, else a download.
ifneq ($(wildcard ../shared/data/names.txt),)
export ZERO_TO_HERO_DATA ?= $(abspath ../shared/data)
endif

setup:
	scripts/setup.sh

serve: setup
	scripts/build_docs.sh serve

build: setup
	scripts/build_docs.sh build

# Publish to the gh-pages branch (what .github/workflows/pages.yml runs on main).
deploy: setup
	scripts/build_docs.sh deploy

test:
	scripts/setup.sh --browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# Everything but the site build and the browser: a quick loop while coding.
test-fast: setup
	$(PY) -m pytest -m "not docs and not browser"

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: setup
	$(PY) -m benchmarks

# Every link of the built site, external ones included: needs the network, so not in `make test`.
linkcheck: build
	scripts/linkcheck.sh site

clean:
	rm -rf site .cache .pytest_cache .hypothesis
