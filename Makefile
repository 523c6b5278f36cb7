# The two commands of the README:  make demo  and  make test.
# Everything else here is what they need, installed by them on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test bench install chromium pdftools axe plotly-bundle lint sqllint format messages clean

## demo: install, generate the national-size demo country, run the pipeline, serve http://127.0.0.1:8050
##       (make demo SCALE=0.1 for the tenth-size country)
demo: install
	$(BIN)/cpmonitor demo $(if $(SCALE),--scale $(SCALE))

## test: install with test tools and Chromium, lint, run the whole test suite
##       (on TEST_WORKERS processes, a test file whole to one of them; make test TEST_WORKERS=1 for one)
TEST_WORKERS ?= 2
test: install chromium pdftools axe
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory sqllint
	$(BIN)/lint-imports
	$(BIN)/pytest $(if $(filter-out 1,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile)

## bench: the benchmark (benchmarks/bench.py): the national country by default (make bench SCALE=0.1);
##        results in benchmarks/results/ (latest.md is the README's table)
bench: install chromium
	$(BIN)/python -m benchmarks.bench $(if $(SCALE),--scale $(SCALE)) $(BENCH_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

# Debian's Chromium for the headless-browser tests (never a browser download of a test tool's own).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium; \
	fi

# Debian's poppler-utils: the report tests turn PDF pages into PNGs (pdftoppm) and read their text.
pdftools:
	@if ! command -v pdftoppm >/dev/null || ! command -v pdftotext >/dev/null; then \
		echo "Installing Debian's poppler-utils for the report tests"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends poppler-utils; \
	fi

# The dashboard's plotly.js (dashboards/assets/plotly-dashboard.min.js, committed): rebuilt from
# the npm registry with the pinned plotly.js and esbuild of dashboards/plotly_bundle/package-lock.json
# after plotly (the Python package) moves to another plotly.js, or a figure needs another trace type.
plotly-bundle:
	cd dashboards/plotly_bundle && npm ci --ignore-scripts --no-audit --no-fund && node build.js

# axe-core from the npm registry for the accessibility checks of the browser tests
# (tests/integration/test_dashboard_screens.py injects its axe.min.js into each page); once, pinned.
AXE_VERSION := 4.10.2
AXE_DIR     := $(VENV)/axe
AXE_STAMP   := $(AXE_DIR)/.installed-$(AXE_VERSION)

axe: $(AXE_STAMP)

$(AXE_STAMP):
	@if ! command -v npm >/dev/null; then \
		echo "Installing Debian's npm for axe-core"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends npm; \
	fi
	@mkdir -p $(AXE_DIR)
	npm install --silent --no-audit --no-fund --prefix $(AXE_DIR) axe-core@$(AXE_VERSION)
	@touch $(AXE_STAMP)

lint: sqllint
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/ruff format --check .

# SQL of the dbt project through dbt's own templater (a throwaway build file: nothing is built)
sqllint: install
	@mkdir -p target/sqllint
	CPMONITOR_BUILD_DB=$(CURDIR)/target/sqllint/lint.duckdb CPMONITOR_DATA_DIR=$(CURDIR)/target/sqllint \
		$(BIN)/sqlfluff lint models data-tests --processes 2

# The interface's text for translators: re-extract every _()/ngettext()/N_() of dashboards/ into
# the template and carry it into each language's catalogue (new entries come with an empty msgstr,
# changed ones marked fuzzy: tests/unit/test_i18n.py fails until a translator has done them).
# The dashboard reads the .po files as they are: nothing to compile.
TRANSLATIONS := dashboards/translations
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --sort-by-file --no-wrap \
		--project cpmonitor --copyright-holder "cpmonitor contributors" \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-wrap

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) target logs .pytest_cache .ruff_cache
