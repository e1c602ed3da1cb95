# Every target creates and reuses .venv, so on a machine with only Python `make test` is the whole
# set-up. PYTHON may point at another interpreter (>= 3.11).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
GEN    := $(BIN)/openapi-python-client generate --path openapi.yaml --config generator-config.yml --meta none --overwrite --fail-on-warning
PKG    := aionvision_cloud_api

.PHONY: install regen regen-check contract-diff test lint format emulator clean

install: $(STAMP)

# Re-install whenever the dependency list changes. Debian's own python3 ships without venv until
# python3-venv is installed, hence the apt-get fallback.
define make_venv
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "aionvision-cloud-storage needs Python 3.11 or newer: make PYTHON=python3.12 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV) \
	  && apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
endef

$(STAMP): pyproject.toml
	$(make_venv)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# What `make demo` and `make emulator` run needs only the `cli` and `emulator` extras, not the
# development tools (mypy, selenium, schemathesis...): a fresh clone's demo installs just those.
# A venv that `make install` set up already has them.
DEMO_STAMP := $(VENV)/.demo-stamp
$(DEMO_STAMP): pyproject.toml
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then touch $@; \
	  else $(MAKE) --no-print-directory demo-install; fi

.PHONY: demo-install
demo-install:
	$(make_venv)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[cli,emulator]'
	touch $(DEMO_STAMP)

# The generator overwrites but never deletes, so it writes a fresh tree into a scratch folder (a
# removed operation goes too); only once it succeeds does that tree replace the committed one, so a
# broken openapi.yaml leaves generated_client/ as it was.
regen: $(STAMP)
	rm -rf .regen-new
	PATH="$(CURDIR)/$(BIN):$$PATH" $(GEN) --output-path .regen-new/$(PKG) \
	  || { rm -rf .regen-new; echo "make regen failed: generated_client/ left as it was"; exit 1; }
	rm -rf generated_client/$(PKG)
	mv .regen-new/$(PKG) generated_client/$(PKG)
	rm -rf .regen-new

# Regenerate into a scratch folder and compare with what is committed.
regen-check: $(STAMP)
	rm -rf .regen-check
	PATH="$(CURDIR)/$(BIN):$$PATH" $(GEN) --output-path .regen-check/$(PKG) >/dev/null
	diff -r --exclude=__pycache__ generated_client/$(PKG) .regen-check/$(PKG) \
	  || { echo "generated_client/ differs from 'make regen' output: run 'make regen' and commit"; rm -rf .regen-check; exit 1; }
	rm -rf .regen-check
	@echo "generated client is up to date"

# openapi.yaml against the service's published OpenAPI: the vendored copy in tests/data/, or the
# live one with URL=, e.g. `make contract-diff URL=https://api.aionvision.tech/openapi.json`.
# Differences made on purpose are listed in tests/contract/deliberate-differences.yaml.
contract-diff: $(STAMP)
	$(BIN)/python tests/contract/contract_diff.py $(if $(URL),--url '$(URL)')

# pytest-xdist, a file per worker at a time (see tests/conftest.py), one worker more than there
# are cores: the slowest files spend 30 to 45% of their time waiting (on subprocesses, a browser, a job's
# pace), and the extra worker runs while the others wait. A single file or test runs serially
# as usual: `.venv/bin/python -m pytest tests/unit/test_overlay_status.py`. TEST_WORKERS=N
# overrides the count.
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
#
# PYTHONDONTWRITEBYTECODE is cleared for the run: pytest keeps the assertion-rewritten form of
# every test module, and of every module of each pytest plugin's distribution (hypothesis,
# schemathesis, ours), only where it may write bytecode. Without that cache each worker and each
# nested pytest rewrites some 480 modules afresh: 7 s of CPU each. It writes to __pycache__/
# folders (ignored by git) in the checkout and the venv only.
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/ruff check --isolated --no-cache generated_client
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The local stand-in service on 127.0.0.1:8765 (Ctrl-C stops it), profile `service` unless
# ARGS says otherwise: make emulator ARGS="--profile document --port 9000" (later options win);
# ARGS="--consent auto" approves OAuth at once instead of showing a consent page to click;
# ARGS=--help lists every option (the same as `aionvision-cloud-emulator --help`).
emulator: $(DEMO_STAMP)
	$(BIN)/python -m aionvision_cloud_emulator --port 8765 $(ARGS)

# The whole flow through the CLI against a local emulator on a free port; under a minute.
.PHONY: demo
demo: $(DEMO_STAMP)
	$(BIN)/python examples/demo.py

# The documentation site from docs/ and the docstrings; --strict: a broken link or reference fails.
# To read it: make docs-serve (search works there); .site/index.html opened from the disk works
# too, without search.
.PHONY: docs docs-serve
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet
	@echo "Built .site/. Read it with 'make docs-serve' (http://127.0.0.1:8000, with search), or open .site/index.html (no search from a file)."

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --strict --dev-addr 127.0.0.1:8000

# The wheel and the sdist in dist/, built with the backend `make install` put in the venv (no
# download at build time), then checked as PyPI checks an upload.
.PHONY: dist
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

clean:
	rm -rf $(VENV) .site .regen-check .regen-new .pytest_cache .mypy_cache .ruff_cache build dist

# Benchmarks (minutes; not part of `make test`): prints every figure and writes bench/results.md.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -c 'import matplotlib' 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,bench]'
	$(BIN)/python bench/run.py

# The OAuth pages in headless Chromium (tests/browser/): Debian's chromium and chromium-driver,
# installed on first use (root, or sudo where there is one); nothing downloads a browser.
# `make test` runs the same tests too whenever the browser is there, and skips them otherwise.
.PHONY: browser-test
browser-test: $(STAMP)
	@test -x /usr/bin/chromium && test -x /usr/bin/chromedriver || { \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo); \
	  echo "installing chromium and chromium-driver (apt-get)"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends chromium chromium-driver fonts-liberation >/dev/null; }
	AIONVISION_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/browser

# Re-record every cassette in tests/cassettes/: against an emulator started in-process (seeded,
# on virtual time), or, with AIONVISION_BASE_URL and AIONVISION_API_KEY set, against that service
# (a person signs in on the consent page; emulator-only workflows are skipped, saying why).
.PHONY: record
record: $(STAMP)
	@if [ -n "$$AIONVISION_BASE_URL" ] && [ -n "$$AIONVISION_API_KEY" ]; then \
	  echo "recording against $$AIONVISION_BASE_URL: you will be asked to sign in on a consent page"; \
	  $(BIN)/python -m pytest tests/integration/test_workflows.py tests/integration/test_workflows_service.py --record-mode=rewrite \
	    -p no:cacheprovider -rs --timeout=1800 -q -s; \
	else \
	  env -u AIONVISION_BASE_URL -u AIONVISION_API_KEY $(BIN)/python -m pytest \
	    tests/integration/test_workflows.py tests/integration/test_workflows_service.py --record-mode=rewrite -p no:cacheprovider -q; \
	fi

.PHONY: faults
# 200 complete workflows under 20% injected faults plus 20 SIGKILLed runs resumed from their
# journals; prints one table from the emulator's own counters (a few minutes).
faults: $(STAMP)
	$(BIN)/python bench/faults.py
