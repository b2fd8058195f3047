# Two commands do everything on a fresh machine:
#   make run   - install, create/upgrade the embedded database, seed the demo data when it is empty, serve on 127.0.0.1:8501
#   make test  - install and run the whole suite (unit, AppTest, PostgreSQL when reachable, browser)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# Loopback only unless told otherwise (make run ADDRESS=0.0.0.0): outside users come through the
# reverse proxy in deploy/nginx/, which adds the upload limits and security headers.
ADDRESS ?= 127.0.0.1

.PHONY: install run test lint format test-e2e test-security audit bootstrap demo rollups clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The keyed hashes' compiled loop (loaders/native/hmac_many.c, loaders.pseudonym): a C compiler and
# the OpenSSL library Python's hashlib already uses (no headers needed). Without it the hashes are
# made in Python, ~5 times the CPU (issue 25: 4M NIKs 5-6 CPU-s against ~1.2 with their layout).
NATIVE := loaders/native/hmac_many.so
$(NATIVE): loaders/native/hmac_many.c
	$(CC) -O2 -shared -fPIC -Wall -Werror -o $@ $< \
	  -l:$$($(PYTHON) -c "import ctypes.util; print(ctypes.util.find_library('crypto') or 'libcrypto.so')")

install: $(VENV)/.installed $(NATIVE)

bootstrap: install
	$(PY) -m services.bootstrap

run: bootstrap
	@echo "Serving the dashboard on http://$(ADDRESS):$(PORT) (Ctrl-C stops it)"
	@# MALLOC_ARENA_MAX=2: glibc otherwise gives each of the many script threads its own heap and
	@# keeps them; with 50 sessions at once the process grew by ~280 MB it never gave back.
	@# ui.serve: production checks before anything listens (exit 2), the upload guard, then streamlit run.
	MALLOC_ARENA_MAX=2 $(PY) -m ui.serve --server.headless true --server.port $(PORT) --server.address $(ADDRESS)

# Two pytest-xdist workers, one per core. `--dist loadfile` keeps a test file on one worker and
# tests/conftest.py starts the longest files first (LONGEST_FIRST). Full suite on this shared
# 2-core machine (issue 22 item 7; README, "The test suite's own time"): 303.5 s wall, 351 CPU-s,
# 582 s of test durations at load 0.6-5.0 before the browser tests waited for Streamlit's real
# state and the import command ran in-process; 245.8 s, 280 CPU-s, 466 s at load 3.0-5.4 after.
# Earlier: 765 s at the issue's start; 3 workers 380 s and 4 workers 445 s in an earlier round,
# where a run with three lost one browser sign-in of unknown cause, so CI keeps two;
# `make test TEST_WORKERS=3` on a machine of your own.
TEST_WORKERS ?= 2

test: install lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# ruff (rules and reasons in ruff.toml): lint and format are checks here; `make format` rewrites.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test-e2e: install
	$(PY) -m pytest -m e2e

# Upload flood, nginx front, production refusal (real Streamlit server and Debian nginx).
test-security: install
	$(PY) -m pytest tests/security

# Known-vulnerability check of the pinned requirements. --strict: a package that cannot be
# checked fails the run (a check that cannot fail is no check).
audit: install
	$(VENV)/bin/pip-audit -r requirements.txt --no-deps --disable-pip --strict --progress-spinner off

demo: install
	$(PY) -m loaders.demo

rollups: install
	$(PY) -m storage.rollups

clean:
	rm -rf $(VENV) .pytest_cache
