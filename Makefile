# The set-up commands from the README:
#   make demo          create .venv, install tinynet with plotting, train the seed's network
#   make test          create .venv, install tinynet with its test extras, run the whole suite
#   make docs          create .venv, install the docs extras, build the site into site/ (strict, offline)
#   make docs-images   create .venv, install plotting, redraw the tutorials' figures in docs/images/
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HYPOTHESIS_PROFILE ?= ci
export HYPOTHESIS_PROFILE

.PHONY: test demo docs docs-images venv clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-plot: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[plot]'
	touch $@

$(VENV)/.installed-docs: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $@

venv: $(VENV)/.installed-test

test: $(VENV)/.installed-test
	$(PY) -m pytest

demo: $(VENV)/.installed-plot
	$(PY) examples/seed_moons.py

# NO_MKDOCS_2_WARNING silences mkdocs-material's banner about its successor (not a build warning).
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir site

docs-images: $(VENV)/.installed-plot
	$(PY) docs/scripts/tutorial_figures.py
	$(PY) docs/scripts/transformer_figures.py

clean:
	rm -rf $(VENV) build site *.egg-info .hypothesis
