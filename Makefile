# Two commands on a fresh machine: `make build` and `make test`. Every target sets up what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCE ?= .
OUT    ?= site
ARGS   ?=

.PHONY: build check test clean setup serve new-entry new-contact export bench screenshots docs

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

# Only the report reaches stdout (`make check ARGS="--format json" > report.json`): setup talks on stderr
# and make does not echo the command.
check:
	@$(MAKE) --no-print-directory -s setup >&2
	@$(BIN)/portfolio check --source $(SOURCE) $(ARGS)

test: $(VENV)/.installed-test
	bash tools/ensure-chromium.sh
	$(BIN)/python -m pytest $(ARGS)

serve: $(VENV)/.installed
	$(BIN)/portfolio serve --source $(SOURCE) $(ARGS)

# make new-entry TITLE="Coffee with Priya"   /   make new-contact NAME="Priya Shah"
new-entry: $(VENV)/.installed
	@test -n "$(TITLE)" || { echo 'usage: make new-entry TITLE="What happened"'; exit 2; }
	$(BIN)/portfolio new entry "$(TITLE)" --source $(SOURCE) $(ARGS)

new-contact: $(VENV)/.installed
	@test -n "$(NAME)" || { echo 'usage: make new-contact NAME="Their name"'; exit 2; }
	$(BIN)/portfolio new contact "$(NAME)" --source $(SOURCE) $(ARGS)

export: $(VENV)/.installed
	$(BIN)/portfolio export --source $(SOURCE) $(ARGS)

# Long (minutes): installs Hugo (Debian) and MkDocs + Pelican (benchmarks/.venv) itself. Not part of `make test`.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py $(ARGS)

# Refresh the README's screenshots (docs/img/) from the example portfolio.
screenshots: $(VENV)/.installed-test
	bash tools/ensure-chromium.sh
	$(BIN)/python tools/screenshots.py

# Regenerate what is generated from the code: the schemas (their `checks` settings come from the rule
# registry), docs/records.md and docs/checks.md. Tests fail while any of them is stale.
docs: $(VENV)/.installed
	$(BIN)/python tools/make_schemas.py
	$(BIN)/python -m generator.schemadoc
	$(BIN)/python -m generator.docs

clean:
	rm -rf $(OUT) .cache .pytest_cache
