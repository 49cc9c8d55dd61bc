# Two commands on a fresh machine: `make build` and `make test`. Every target sets up what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCE ?= .
OUT    ?= site
ARGS   ?=

.PHONY: build check test clean setup

# The venv is (re)installed only when pyproject.toml changes: the stamp files remember.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(VENV)/.installed

build: $(VENV)/.installed
	$(BIN)/portfolio build --source $(SOURCE) --out $(OUT) $(ARGS)

check: $(VENV)/.installed
	$(BIN)/portfolio check --source $(SOURCE) $(ARGS)

test: $(VENV)/.installed-test
	bash tools/ensure-chromium.sh
	$(BIN)/python -m pytest $(ARGS)

clean:
	rm -rf $(OUT) .cache .pytest_cache
