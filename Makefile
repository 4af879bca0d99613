# One-command entry points (see README). Everything installs into .venv from the pinned requirements.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
YEAR   ?= 2026
INBOX  ?= .edu_quality/inbox
OUTPUT ?= .edu_quality/output

.PHONY: setup demo test test-fast bench airflow celery-demo db-start db-stop lock clean

setup: $(STAMP)

# Reinstalls only when the pins change: a second `make demo` installs nothing.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3 setuptools==84.2.1 wheel==0.48.0
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

demo: setup
	$(BIN)/edu-quality sample --year $(YEAR) --out $(INBOX)
	$(BIN)/edu-quality run --year $(YEAR) --inbox $(INBOX) --output $(OUTPUT)

# Lint first (ruff, configured in pyproject.toml: pycodestyle, pyflakes, isort, bugbear, pyupgrade, Airflow's AIR
# rules), then the configuration people edit (each problem with its file and line), then the whole suite. This is
# what CI runs (.ci/run).
test: setup
	$(BIN)/ruff check . && $(BIN)/edu-quality check && $(BIN)/python -m pytest

# For development: the same, without the runs through Airflow (marker e2e), the CeleryExecutor and the
# reliability crashes (tests/reliability). Any test also runs alone: .venv/bin/python -m pytest tests/…::name.
test-fast: setup
	$(BIN)/ruff check . && $(BIN)/edu-quality check && \
	  $(BIN)/python -m pytest -m "not e2e and not celery" --ignore=tests/reliability

# Every stage of a year vs raw COPY and pandas.to_sql; writes docs/benchmarks.md. SCALE=national: ~40M rows.
SCALE ?= region
bench: setup
	$(BIN)/python -m bench.run --scale $(SCALE)

airflow: setup
	$(BIN)/edu-quality airflow standalone

# The annual DAG on the CeleryExecutor (local redis-server, a Celery worker) in a temporary home; ~4 min.
celery-demo: setup
	scripts/celery_demo.sh

db-start: setup
	$(BIN)/edu-quality db start

db-stop: setup
	$(BIN)/edu-quality db stop

# Re-resolve the direct dependencies (pyproject.toml, through requirements.in) and pin the whole set again.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -r requirements.in
	{ echo "# Generated from requirements.in (pyproject.toml's dependencies and dev extra) by: make lock (Python 3.11)."; \
	  echo "# The whole resolved set, installed and tested together."; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > requirements.txt
	rm -rf .venv-lock

clean:
	-$(BIN)/edu-quality db stop
	rm -rf .edu_quality
