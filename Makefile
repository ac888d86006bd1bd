# The README's two commands are `make run` and `make test`; both set up what is missing first.
.PHONY: setup setup-test run test lint fuzz bench load clean-db

VENV := .venv/bin

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

run: setup
	@$(VENV)/parkgeo serve

test: setup-test
	@$(VENV)/ruff check . && $(VENV)/ruff format --check --quiet .
	@$(VENV)/pytest -q

lint: setup
	$(VENV)/ruff check . && $(VENV)/ruff format --check . && $(VENV)/mypy

fuzz: setup-test
	$(VENV)/python scripts/fuzz.py --examples 2000

bench: setup-test
	@UV_SYNC_GROUPS="--group bench" scripts/setup.sh --test
	$(VENV)/python benchmarks/run_all.py

load: setup
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null)
	$(VENV)/python benchmarks/load_test.py

clean-db:
	-$(VENV)/parkgeo db down
	rm -rf .parkgeo
