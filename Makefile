# Two commands on a fresh machine: `make build` and `make test`. Every target sets up what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SOURCE ?= .
OUT    ?= site
ARGS   ?=
PIP    := $(BIN)/python -m pip --quiet --disable-pip-version-check

# Installs come from the lock files, so a fresh clone gets the versions the suite passed on:
# requirements.lock (what `portfolio` needs, with the pdf extra: WeasyPrint for `export --pdf`) and
# requirements-test.lock (that and the test tools). WeasyPrint also needs Pango: tools/ensure-pdf.sh.
# pyproject.toml keeps the ranges the generator supports; `make lock` re-pins after changing them, and
# `make test-latest` runs the suite on the newest releases those ranges allow.
LOCK      := requirements.lock
TEST_LOCK := requirements-test.lock
PIP_PIN   := pip==26.3
UV_PIN    := uv==0.13.8
UV_COMPILE = $(BIN)/python -m uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
             --custom-compile-command 'make lock'

.PHONY: build check test fuzz test-latest test-fork lock lock-upgrade sync-example clean setup serve new-entry \
        new-contact export bench bench-caseload screenshots docs init

# The venv is (re)installed only when pyproject.toml, a lock file or the version changes: the stamp files remember.
$(VENV)/.installed: pyproject.toml $(LOCK) generator/__init__.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install '$(PIP_PIN)'
	$(PIP) install -r $(LOCK)
	$(PIP) install --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed $(TEST_LOCK)
	$(PIP) install -r $(TEST_LOCK)
	touch $@

setup: $(VENV)/.installed

build: $(VENV)/.installed
	$(BIN)/portfolio build --source $(SOURCE) --out $(OUT) $(ARGS)

# Only the report reaches stdout (`make check ARGS="--format json" > report.json`): setup talks on stderr
# and make does not echo the command.
check:
	@$(MAKE) --no-print-directory -s setup >&2
	@$(BIN)/portfolio check --source $(SOURCE) $(ARGS)

# pyproject.toml adds -rs: the reasons of skipped tests are printed at the end.
test: $(VENV)/.installed-test
	bash tools/ensure-chromium.sh
	bash tools/ensure-pdf.sh
	$(BIN)/python -m pytest $(ARGS)

# The suite on the newest releases that pyproject.toml allows, in a venv of its own (made afresh each time).
test-latest:
	rm -rf $(VENV)-latest
	$(PYTHON) -m venv $(VENV)-latest
	$(VENV)-latest/bin/python -m pip --quiet --disable-pip-version-check install --upgrade pip
	$(VENV)-latest/bin/python -m pip --quiet --disable-pip-version-check install --upgrade --upgrade-strategy eager -e '.[test]'
	bash tools/ensure-chromium.sh
	$(VENV)-latest/bin/python -m pip list --format freeze --disable-pip-version-check
	$(VENV)-latest/bin/python -m pytest $(ARGS)

# The whole suite in a copy of the repository made a learner's own by `portfolio init --force` (the
# example's records at the root replaced): the suite must never read the root's records.
FORK ?= /tmp/portfolio-fork
test-fork: $(VENV)/.installed-test
	$(BIN)/python tests/repo_copy.py $(FORK)
	cd $(FORK) && PYTHONPATH=$(FORK) $(abspath $(BIN))/python -m generator init . --name "Sam Learner" \
	  --registered 2026-01-15 --force
	cd $(FORK) && PYTHONPATH=$(FORK) $(abspath $(BIN))/python -m pytest -p no:cacheprovider $(ARGS)

# Re-pin after changing the dependencies in pyproject.toml: versions already pinned are kept where they
# still fit (`make lock-upgrade` moves every pin to the newest release). Commit both lock files.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install '$(UV_PIN)'
	$(UV_COMPILE) --extra test --extra pdf -o $(TEST_LOCK) $(UV_FLAGS)
	$(UV_COMPILE) --extra pdf -c $(TEST_LOCK) -o $(LOCK) $(UV_FLAGS)

lock-upgrade:
	$(MAKE) lock UV_FLAGS=--upgrade

# After changing the example at the root, copy it to the suite's copy (tests/test_example_copy.py checks it).
sync-example:
	rm -rf tests/fixtures/example
	mkdir -p tests/fixtures/example
	for f in portfolio.yaml contacts entries evidence assessments iqa evidence-refs.yaml; do \
	  if [ -e "$$f" ]; then cp -R "$$f" tests/fixtures/example/; fi; done

serve: $(VENV)/.installed
	$(BIN)/portfolio serve --source $(SOURCE) $(ARGS)

# Start your own portfolio: asks for what NAME and ARGS do not say (in a fork it first replaces the example
# records, after asking). make init NAME="Sam Learner" ARGS="--units J/506/1949,L/506/1953 --registered 2026-01-15"
init: $(VENV)/.installed
	$(BIN)/portfolio init $(SOURCE) $(if $(NAME),--name "$(NAME)") $(ARGS)

# make new-entry TITLE="Coffee with Jordan"   /   make new-contact NAME="Jordan Ellis"
new-entry: $(VENV)/.installed
	@test -n "$(TITLE)" || { echo 'usage: make new-entry TITLE="What happened"'; exit 2; }
	$(BIN)/portfolio new entry "$(TITLE)" --source $(SOURCE) $(ARGS)

new-contact: $(VENV)/.installed
	@test -n "$(NAME)" || { echo 'usage: make new-contact NAME="Their name"'; exit 2; }
	$(BIN)/portfolio new contact "$(NAME)" --source $(SOURCE) $(ARGS)

# The archive, matrix.csv and the submission document as a PDF (docs/submission.md). Without Pango (and no
# way to install it) the export stops and says why: make export PDF= exports without the PDF.
PDF ?= --pdf
export: $(VENV)/.installed
	bash tools/ensure-pdf.sh
	$(BIN)/portfolio export --source $(SOURCE) $(PDF) $(ARGS)

# Long (minutes): installs Hugo (Debian) and MkDocs + Pelican (benchmarks/.venv) itself. Not part of `make test`.
# The package is byte-compiled first, as pip does when it installs a wheel: an editable install is not, and
# where PYTHONDONTWRITEBYTECODE is set (this project's CI machines) Python would compile every module it
# imports on every run, ~25 ms of a warm build's ~100 (docs/performance.md).
bench: $(VENV)/.installed-test
	bash tools/ensure-chromium.sh
	$(BIN)/python -m compileall -q generator
	$(BIN)/python benchmarks/bench.py $(ARGS)

# `portfolio caseload` over 100, 1,000 and 3,000 generated learners' portfolio.json (target: 1,000 under 5 s,
# linear). A minute or two; make bench-caseload ARGS="--sizes 1000 --repeat 5"
# Random edits of the example, each cached build compared with a clean one (tools/fuzz_stale_pages.py): a page
# kept with a fact its key misses fails it. Not in `make test` (two builds a step); e.g. make fuzz SEEDS="4 5"
SEEDS ?= 1 2 3
STEPS ?= 20
fuzz: $(VENV)/.installed-test
	for s in $(SEEDS); do $(BIN)/python tools/fuzz_stale_pages.py $$s $(STEPS) || exit 1; \
	  $(BIN)/python tools/fuzz_stale_pages.py $$s $(STEPS) --live || exit 1; done

bench-caseload: $(VENV)/.installed
	$(BIN)/python benchmarks/caseload.py $(ARGS)

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
	rm -rf $(OUT) .cache .pytest_cache $(VENV)-latest
