# Two commands: `make run` (set up and serve on :8001 with a Celery worker, beat and a private
# Redis broker) and `make test` (set up and test).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
MARIADB_URL ?= mysql://root@127.0.0.1:3306/test
REDIS_URL ?= redis://127.0.0.1:6379/15
# libportaudio2: livekit-agents' `console` mode talks through the sound card.
# redis-server: `make run` starts a private one (Unix socket in .run/) as the Celery broker.
SYSTEM_PACKAGES := default-libmysqlclient-dev pkg-config gcc libportaudio2 redis-server

# The browser test drives Debian's Chromium through Playwright (never `playwright install`).
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test setup system-packages browser lint test-sqlite test-mariadb bench worker voiceworker clean

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrapadmin
	$(BIN)/python manage.py loadagenttemplate calidad --if-missing
	$(BIN)/python scripts/run_stack.py --port $(PORT)

test: setup browser lint test-sqlite test-mariadb

setup: system-packages $(VENV)/.installed

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "mysqlclient needs system packages. Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium for the browser test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif [ -n "$$CI$$REQUIRE_BROWSER" ]; then \
	    echo "The browser test needs Chromium at $(CHROMIUM). Run: sudo apt-get install -y chromium"; exit 1; \
	  else \
	    echo "*** Chromium is missing: the browser test will be SKIPPED (sudo apt-get install -y chromium). ***"; \
	  fi; \
	fi

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test

test-sqlite: setup
	DATABASE_URL=sqlite:///:memory: TEST_REDIS_URL=$(REDIS_URL) $(BIN)/python -m pytest

test-mariadb: setup
	@if $(BIN)/python scripts/wait_for_service.py mariadb "$(MARIADB_URL)"; then \
	  $(BIN)/python scripts/mariadb_timezones.py "$(MARIADB_URL)" && \
	  DATABASE_URL=$(MARIADB_URL) TEST_REDIS_URL=$(REDIS_URL) $(BIN)/python -m pytest --create-db; \
	elif [ -n "$$REQUIRE_MARIADB" ]; then \
	  echo "MariaDB is not reachable at $(MARIADB_URL) and REQUIRE_MARIADB is set."; exit 1; \
	else \
	  echo "*** MariaDB is not reachable at $(MARIADB_URL): the MariaDB run was SKIPPED (SQLite passed). ***"; \
	fi

# PEER_BRIDGE=/path/to/old/backend/bridge_server.py (and PEER_BRIDGE_PYTHON, an interpreter with
# fastapi, uvicorn, mysql-connector-python, python-dotenv, livekit-api) adds the old bridge beside ours.
bench: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } || \
	  { echo "bench_bridge.py needs wrk: sudo apt-get install -y wrk"; exit 1; }
	$(BIN)/python scripts/mariadb_timezones.py "$(MARIADB_URL)"
	$(BIN)/python benchmarks/bench_bridge.py
	$(BIN)/python benchmarks/bench_calls.py
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_tool_save.py
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_voice_turns.py
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_lead_import.py
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_campaign_tick.py
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_campaign_dialer.py
	$(BIN)/python scripts/mariadb_timezones.py "$(MARIADB_URL)"
	DATABASE_URL=$(MARIADB_URL) $(BIN)/python benchmarks/bench_dashboard.py

worker: setup
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/celery -A config worker -B -l info -P threads -c 16

voiceworker: setup
	$(BIN)/python manage.py runvoiceworker start

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .run
