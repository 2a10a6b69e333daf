# spotify-etl: every target installs what it needs (uv from PyPI if missing, then the locked env).
SHELL := /bin/bash
.DEFAULT_GOAL := help
# uv: the one on PATH, else one installed under .cache/uv-tool (`make uv`). Never `python3 -m
# pip` on whatever python3 comes first: with .venv activated that is the venv's interpreter,
# which uv made without pip ("No module named pip").
UV_BOOTSTRAP := $(CURDIR)/.cache/uv-tool
UV := $(or $(shell command -v uv 2>/dev/null),$(UV_BOOTSTRAP)/bin/uv)
PY_SOURCES = libs services tools tests bench
CHECKOV_VERSION = 3.3.30

.PHONY: help uv install lint checkov typecheck pytest test run down bench bench-worker bench-extractor bench-transform bench-load bench-history bench-zip-bomb bench-counts bench-lake bench-report deploy pin-images clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# The first python3 (or python3.x) on PATH, or the system's, that has pip installs uv into
# .cache/uv-tool (`pip install --target` touches no environment, so PEP 668 does not apply);
# without any pip, the first python3 that can make a venv (ensurepip) makes one there.
# A python3 without pip (an activated .venv) is skipped, whichever comes first. UV_PYTHONS
# names the interpreters to try instead.
UV_PYTHONS ?=
uv: ## install uv (from PyPI, under .cache/uv-tool) if it is not on PATH
	@set -u; [ -x "$(UV)" ] && exit 0; \
	candidates="$(UV_PYTHONS)"; [ -n "$$candidates" ] || \
	  candidates="$$(type -ap python3 python3.13 python3.12 python3.11 2>/dev/null) /usr/bin/python3 /usr/local/bin/python3"; \
	for py in $$candidates; do \
	  [ -x "$$py" ] && "$$py" -m pip --version >/dev/null 2>&1 || continue; \
	  echo "make: installing uv into .cache/uv-tool with $$py -m pip" >&2; \
	  "$$py" -m pip install --quiet --disable-pip-version-check --target "$(UV_BOOTSTRAP)" uv \
	    && [ -x "$(UV_BOOTSTRAP)/bin/uv" ] && exit 0; \
	done; \
	for py in $$candidates; do \
	  [ -x "$$py" ] && "$$py" -m venv "$(UV_BOOTSTRAP)/venv" >/dev/null 2>&1 || continue; \
	  echo "make: installing uv into .cache/uv-tool with a venv of $$py" >&2; \
	  "$(UV_BOOTSTRAP)/venv/bin/python" -m pip install --quiet --disable-pip-version-check uv \
	    && mkdir -p "$(UV_BOOTSTRAP)/bin" && ln -sf "$(UV_BOOTSTRAP)/venv/bin/uv" "$(UV_BOOTSTRAP)/bin/uv" && exit 0; \
	done; \
	echo "make: no uv on PATH and no python3 with pip or venv to install it: install uv (pipx install uv) or python3-pip" >&2; \
	exit 1

install: uv .venv/.bytecode-compiled ## create .venv from uv.lock (every package, dev tools included)
	$(UV) sync --frozen --all-packages

# Bytecode is compiled once per lock file, not on every command: with
# PYTHONDONTWRITEBYTECODE set (or a read-only venv) each command would otherwise
# compile every module it imports again (`spotify-etl --help`: 2.4 s of CPU, 0.9 s compiled).
.venv/.bytecode-compiled: uv.lock | uv
	$(UV) sync --frozen --all-packages --compile-bytecode
	@touch $@

lint: install checkov ## ruff lint and format check, checkov on the CloudFormation template
	$(UV) run ruff check .
	$(UV) run ruff format --check .

# checkov pins packaging<24, which the dev group's pytest cannot share: it runs from its own
# tool environment (uv caches it after the first run). Findings are fixed in the template or
# skipped in the resource's own Metadata with the reason (deploy/README.md, "checkov").
checkov: uv ## checkov (pinned, isolated tool env) on deploy/template.yaml
	$(UV) tool run --from checkov==$(CHECKOV_VERSION) checkov --skip-download \
	  -f deploy/template.yaml --compact --quiet

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

down: install ## stop the local stack left running by `make run` (the lake stays on disk)
	$(UV) run spotify-etl local down

bench: bench-worker bench-extractor bench-transform bench-load bench-history bench-zip-bomb bench-counts bench-lake bench-report ## every benchmark (figures on stdout)

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

bench-zip-bomb: install ## import-history on a 1 MB zip of 1 GiB of zeros: one-line error, peak RSS
	$(UV) run python -m bench.zip_bomb_bench

bench-report: install ## spotify-etl report over make run's data plus an imported export of 250,000 plays (PLAYS=N)
	$(UV) run python -m bench.report_bench --plays $(or $(PLAYS),250000)

bench-counts: install ## extractor request/object counts: quota cut + resume, short tokens, library
	$(UV) run python -m bench.extractor_counts

bench-lake: install ## a year of runs in Iceberg: files and query times before/after maintain (DAYS, RUNS_PER_DAY)
	$(UV) run python -m bench.lake_bench --days $(or $(DAYS),365) --runs-per-day $(or $(RUNS_PER_DAY),1)

deploy: ## build + push images to ECR, deploy the stack (VPC_ID, SUBNET_IDS, AWS_REGION; ARGS="Key=Value ...")
	deploy/deploy.sh $(ARGS)

# The Dockerfiles pin python:3.11-slim by digest and uv by version and wheel hashes: this
# resolves the tag's current digest (docker buildx imagetools inspect) and the hashes (PyPI),
# rewrites the Dockerfiles, and shows the diff to review and commit.
pin-images: ## re-pin the Dockerfiles' base image digest and uv wheel hashes (needs docker buildx)
	deploy/pin-images.sh

clean: ## remove caches and the virtual environment
	rm -rf .venv .cache .mypy_cache .ruff_cache .pytest_cache bench/out
