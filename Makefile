# The two commands a newcomer needs are `make run` and `make test`; both start with
# `make setup`, which installs whatever is missing and is safe to run again.

PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# System packages WeasyPrint needs for the PDF: Pango, HarfBuzz's subsetter (without it
# Chinese PDFs take ten times longer), Simplified-Chinese fonts; gettext compiles messages;
# Chromium and its driver run the browser tests of the pages' JavaScript; python-ldap (the
# directory sign-in) is built against OpenLDAP's and SASL's headers, and its tests run a
# throwaway OpenLDAP server (slapd, with ldap-utils to fill it).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk gettext \
	chromium chromium-driver libldap2-dev libsasl2-dev slapd ldap-utils
# The Nu Html Checker of the browser tests runs on Java: any the machine has will do.
ifeq ($(shell command -v java),)
APT_PACKAGES += default-jre-headless
endif
# The browser tests' checkers from npm (axe-core, vnu-jar), pinned by the lock file.
BROWSER_TOOLS := tests/browser/tools

export DJANGO_SETTINGS_MODULE := bankplan.settings
# The make targets are for development machines; production sets DEBUG and SECRET_KEY itself.
export DEBUG ?= 1

.PHONY: setup system-packages run test lint format messages clean

setup: system-packages $(VENV)/.installed $(BROWSER_TOOLS)/node_modules/.installed \
	locale/zh_Hans/LC_MESSAGES/django.mo
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing system packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
		echo "Missing system packages: $$missing"; \
		echo "Install them with: sudo apt-get install $$missing"; exit 1; \
	fi

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		{ echo "Python 3.12 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

# --ignore-scripts: vnu-jar's install script would download a Java from GitHub; we use the
# machine's.
$(BROWSER_TOOLS)/node_modules/.installed: $(BROWSER_TOOLS)/package.json $(BROWSER_TOOLS)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the browser tests' checkers (Node.js 20)"; exit 1; }
	npm ci --prefix $(BROWSER_TOOLS) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore '.venv' >/dev/null

# The server and two task workers run side by side: one renders the PDFs of submitted
# versions, the other builds PDF packs (a queue of its own, so that a big pack never delays
# a plan's PDF); Ctrl-C, or the server ending, stops all three.
run: setup
	$(PY) manage.py load_demo
	@$(PY) manage.py db_worker --queue-name default & worker=$$!; \
	$(PY) manage.py db_worker --queue-name packs & packs=$$!; \
	trap 'kill $$worker $$packs 2>/dev/null; wait $$worker $$packs 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Two test processes side by side (pytest-xdist): the browser tests spend most of their time
# waiting on the browser, so two halve the suite's time even on a two-core machine.
TEST_PROCESSES ?= 2
test: setup
	$(VENV)/bin/pytest -n $(TEST_PROCESSES)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Refresh the Chinese catalogue after changing user-facing strings, then translate the new entries.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv' --ignore 'static'

clean:
	rm -rf $(VENV) $(BROWSER_TOOLS)/node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
