# Every target sets itself up on a fresh machine: it creates .venv and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml setup.py | sha1sum | cut -c1-12)

.PHONY: demo test bench fuzz clean system-deps backend-check

# setup.py lists the packages (installed as kfmigrate.migrate, kfmigrate.compare, kfmigrate.kubeflow_ops)
$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(STAMP)

# The main job on the embedded default: convert the hello-world sample DAG and run it on kfp.local.
demo: $(STAMP)
	$(BIN)/kfmigrate convert samples/dags/hello_world.py -o demo-out --force
	$(BIN)/kfmigrate run demo-out/hello_world.yaml --pipeline-root demo-out/runs

# Headless Chromium renders the compare report in a test; PostgreSQL backs the Airflow scheduler
# deployment of `compare --airflow-mode scheduler` and its test. Installed from Debian when missing and root.
system-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    else echo "chromium is missing: install it (e.g. apt-get install chromium) for the report rendering test" >&2; fi; }
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	    else echo "PostgreSQL is missing: install it (e.g. apt-get install postgresql) for the Airflow scheduler test" >&2; fi; }

# The KFP backend's own compiler and Argo's validation, built once per tests/kfp_backend/go.sum (a cold build
# takes minutes). Without Go the conformance tests skip, except under CI=true where they fail.
backend-check:
	@sh tests/kfp_backend/build.sh >/dev/null || { rc=$$?; [ $$rc = 4 ] || { [ $$rc = 3 ] && [ "$${CI:-}" != true ]; }; }

# The test suite: real Airflow (SQLite, temporary AIRFLOW_HOME), real kfp.local, real MLflow, the KFP backend check.
test: $(STAMP) system-deps backend-check
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15

# Benchmarks print figures measured in one run (see docs/benchmarks.md); the fuzz run is separate (20-50 min).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_overhead.py
	$(BIN)/python benchmarks/bench_convert.py
	$(BIN)/python benchmarks/bench_output_size.py

fuzz: $(STAMP)
	$(BIN)/python benchmarks/fuzz_convert.py --examples 10000

clean:
	rm -rf $(VENV) demo-out .pytest_cache
