# Civic: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-postgres lint bench translations extract reset audit

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -l $*

translations: $(MO)

run: $(VENV)/.installed translations
	$(BIN)/flask db upgrade
	$(BIN)/flask civic territory load
	$(BIN)/flask civic demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# The whole suite on SQLite; again on PostgreSQL when CIVIC_TEST_DATABASE_URL is set.
test: lint translations
	$(BIN)/pytest
	@if [ -n "$$CIVIC_TEST_DATABASE_URL" ]; then \
		echo "--- again on PostgreSQL ($$CIVIC_TEST_DATABASE_URL)"; \
		$(BIN)/pytest -m "not e2e" --database-url "$$CIVIC_TEST_DATABASE_URL"; \
	fi

bench: $(VENV)/.installed translations
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench

extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --omit-header --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

# Start again from an empty demo database (new demo passwords are printed by `make run`).
reset:
	rm -f instance/civic.sqlite instance/civic.sqlite-wal instance/civic.sqlite-shm

# Known vulnerabilities of the installed dependencies (pip-audit, which asks PyPI's JSON API
# about each package; the local civic package is skipped), then risky code in civic/ (bandit,
# configured in bandit.yaml). Every finding is fixed or acknowledged where it is; the target
# fails otherwise, and also when the vulnerability service cannot be reached.
AUDIT_PROBE := https://pypi.org/pypi/pip/24.0/json
# `make audit AUDIT_UNREACHABLE=warn`: an unreachable service is reported, not a failure.
AUDIT_UNREACHABLE ?= fail

audit: $(VENV)/.installed
	@status=0; \
	if $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=20)' \
		'$(AUDIT_PROBE)' >/dev/null 2>&1; then \
		$(BIN)/pip-audit --strict --skip-editable --progress-spinner off || status=1; \
	else \
		echo "make audit: pip-audit cannot reach its vulnerability service from this machine" >&2; \
		echo "  ($(AUDIT_PROBE) gives no answer): the dependencies were NOT audited." >&2; \
		[ "$(AUDIT_UNREACHABLE)" = warn ] || status=1; \
	fi; \
	$(BIN)/bandit -r civic -c bandit.yaml -q || status=1; \
	exit $$status
