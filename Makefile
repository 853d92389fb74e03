# Civic: `make run` serves the demo on http://127.0.0.1:5000 (`make run PORT=8000` elsewhere),
# `make test` runs every test.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
MO := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/*.po))
# Installs come from the lock files in requirements/ (exact versions and hashes), one per set:
# run.txt serves the site, test.txt adds the test tools, bench.txt the benchmarks' tools.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes

.PHONY: model run test test-postgres lint bench translations extract reset audit lock screenshots

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run: requirements/run.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/run.txt
	@touch $@

$(VENV)/.test: requirements/test.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/test.txt
	@touch $@ $(VENV)/.run

$(VENV)/.bench: requirements/bench.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements/bench.txt
	@touch $@ $(VENV)/.test $(VENV)/.run

# French gets its no-break spaces before ":", ";", "!", "?" at compile time (civic/core/catalogues.py).
translations/%.mo: translations/%.po civic/core/catalogues.py | $(VENV)/.run
	$(BIN)/python -m civic.core.catalogues $< $@

translations: $(MO)

# The assistant's intent classifier, trained on the repository's examples (a few seconds).
MODEL := civic/assistant/data/intent_model.joblib
$(MODEL): civic/assistant/data/training.csv civic/assistant/classifier.py civic/assistant/recognition.py | $(VENV)/.run
	$(BIN)/python -m civic.assistant.classifier

model: $(MODEL)

# Development mode: e-mails are printed here, login limits are relaxed (see README).
run: export CIVIC_ENV := development
run: export CIVIC_BASE_URL := http://127.0.0.1:$(PORT)
run: $(VENV)/.run translations $(MODEL)
	$(BIN)/flask db upgrade
	$(BIN)/flask civic territory load
	$(BIN)/flask civic demo --if-empty
	@echo "Civic (développement) sur http://127.0.0.1:$(PORT)/ : chaque courriel envoyé, liens"
	@echo "compris, s'affiche ici ; les limites de connexion sont relâchées. Ctrl-C pour arrêter."
	@$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.test
	$(BIN)/ruff check .

# The whole suite on SQLite; again on PostgreSQL when CIVIC_TEST_DATABASE_URL is set.
test: lint translations $(MODEL)
	$(BIN)/pytest
	@if [ -n "$$CIVIC_TEST_DATABASE_URL" ]; then \
		echo "--- again on PostgreSQL ($$CIVIC_TEST_DATABASE_URL)"; \
		$(BIN)/pytest -m "not e2e" --database-url "$$CIVIC_TEST_DATABASE_URL"; \
	fi

bench: $(VENV)/.bench translations $(MODEL)
	$(BIN)/python -m bench

# `make lock` writes the lock files again after pyproject.toml changed, keeping every pin it can;
# `make lock UPGRADE=1` moves every pin to the newest release that the ranges allow. Both lock
# for every platform and Python 3.11+. Commit an upgrade on its own so that its CI run proves it.
UV_VERSION := 0.13.10
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes $(if $(UPGRADE),--upgrade)
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV_COMPILE) --all-extras -o requirements/bench.txt
	$(UV_COMPILE) --extra test -c requirements/bench.txt -o requirements/test.txt
	$(UV_COMPILE) -c requirements/bench.txt -o requirements/run.txt

extract: $(VENV)/.run
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -k _c -k _cn:1,2 -k step -o translations/messages.pot --no-location --omit-header --sort-output .
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

audit: $(VENV)/.test
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

# Screenshots of the demo (home, a consultation, a proposal, a service, the synthesis) at
# 1280 px and 390 px in docs/screenshots/, for reviewers; fails if a page is wider than the
# screen. Needs Debian's Chromium (/usr/bin/chromium).
screenshots: $(VENV)/.test translations
	$(BIN)/python -m scripts.screenshots
