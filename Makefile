# The two commands of the README. Both set everything up themselves (scripts/setup.sh).
PY ?= .venv/bin/python

.PHONY: setup demo test check lint bench clean i18n

setup:
	bash scripts/setup.sh

demo:  ## set up the virtualenv, then serve the sample workshop on the embedded SQLite store
	bash scripts/setup.sh demo
	.venv/bin/pdkit serve $(ARGS)

test:  ## set up everything, then every check: ruff, mypy, unit, widget, notebook, browser tests
	bash scripts/test.sh $(ARGS)

check: setup  ## the fast loop: lint, types, then unit, widgets and notebooks without the slow ones (PostgreSQL, nbclient, servers and timeouts: make test runs them): under a minute
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/mypy
	.venv/bin/python -m pytest -q -n 2 tests/unit tests/widgets tests/notebooks -m "not postgres and not notebook and not slow" $(ARGS)

lint: setup
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/mypy

i18n: setup  ## for maintainers: extract pdkit's words, update every language's catalog, compile
	bash scripts/i18n.sh

bench: setup
	$(PY) benchmarks/import_time.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache build dist
