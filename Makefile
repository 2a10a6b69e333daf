# spotify-etl: every target installs what it needs (uv from PyPI if missing, then the locked env).
SHELL := /bin/bash
.DEFAULT_GOAL := help
UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
PY_SOURCES = libs services tools tests bench

.PHONY: help uv install lint typecheck pytest test run down bench bench-worker bench-extractor bench-transform bench-load bench-history bench-counts bench-lake deploy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

uv: ## install uv (from PyPI) if it is not on PATH
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

install: uv .venv/.bytecode-compiled ## create .venv from uv.lock (every package, dev tools included)
	$(UV) sync --frozen --all-packages

# Bytecode is compiled once per lock file, not on every command: with
# PYTHONDONTWRITEBYTECODE set (or a read-only venv) each command would otherwise
# compile every module it imports again (`spotify-etl --help`: 2.4 s of CPU, 0.9 s compiled).
.venv/.bytecode-compiled: uv.lock | uv
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

lint: install ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: install ## mypy (strict on libs/common)
	$(UV) run mypy

# Four pytest workers on two cores: most tests wait on moto, SQS polls and child processes,
# so the suite takes about 2 minutes instead of 5. One file stays on one worker (--dist
# loadfile): a module's moto server and processes are never shared across workers.
PYTEST_WORKERS ?= 4
pytest: install ## the test suite: unit, integration (moto server), deploy checks, end to end
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadfile

test: lint typecheck pytest ## everything CI runs

run: install ## the main job: local stack + fake Spotify, extract, transform, catalog, top tracks
	$(UV) run spotify-etl run-local

down: install ## stop the local stack left running by `make run`
	$(UV) run spotify-etl local down

bench: bench-worker bench-extractor bench-transform bench-load bench-history bench-counts bench-lake ## every benchmark (figures on stdout)

bench-worker: install ## worker throughput with a no-op handler vs in-flight bound
	$(UV) run python -m bench.worker_bench

bench-extractor: install ## extractor against the rate-limited fake Spotify
	$(UV) run python -m bench.extractor_bench

bench-transform: install ## transform-files vs the pandas baseline over a ~1 GB corpus
	$(UV) run python -m bench.transform_bench

bench-load: install ## 5,000 raw objects through 1, 2 and 4 transformer processes
	$(UV) run python -m bench.load_test

bench-history: install ## import a generated export of 250,000 plays end to end (PLAYS=N to change)
	$(UV) run python -m bench.history_import_bench --plays $(or $(PLAYS),250000)

bench-counts: install ## extractor request/object counts: quota cut + resume, short tokens, library
	$(UV) run python -m bench.extractor_counts

bench-lake: install ## a year of runs in Iceberg: files and query times before/after maintain (DAYS, RUNS_PER_DAY)
	$(UV) run python -m bench.lake_bench --days $(or $(DAYS),365) --runs-per-day $(or $(RUNS_PER_DAY),1)

deploy: ## build + push images to ECR, deploy the stack (VPC_ID, SUBNET_IDS, AWS_REGION; ARGS="Key=Value ...")
	deploy/deploy.sh $(ARGS)

clean: ## remove caches and the virtual environment
	rm -rf .venv .mypy_cache .ruff_cache .pytest_cache bench/out
