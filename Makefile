# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi:app

.PHONY: setup run test test-fast bench chromium fonts speech speech-audio translations lint clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (looked for $(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

translations:
	$(BIN)/flask translate compile

# Debian packages the portal itself needs, installed where missing: the Noto fonts that cover Arabic and
# Ethiopic scripts for the letter's PDF (WeasyPrint uses the system's fonts). Without root or sudo it says
# what to install and carries on (the PDF then falls back to whatever fonts the machine has).
NOTO_FONTS := /usr/share/fonts/truetype/noto/NotoSansEthiopic-Regular.ttf
# WeasyPrint also wants HarfBuzz's subsetting library (it warns without it, and the tests treat warnings as errors).
fonts:
	@{ test -f $(NOTO_FONTS) && /sbin/ldconfig -p | grep -q libharfbuzz-subset; } || { \
	  echo "Installing Debian's Noto fonts (Arabic and Ethiopic scripts) and HarfBuzz-Subset for the letter's PDF"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq fonts-noto-core libharfbuzz-subset0; } \
	    || echo "Could not install fonts-noto-core libharfbuzz-subset0: install them for the letter's PDF"; }

# espeak-ng and opus-tools (opusenc): the portal's own audio of its fixed texts, for phones with no voice for the
# page's language (portal/speech). Without root or sudo it says what to install and carries on (Listen then
# works only where the phone has a voice).
speech:
	@{ command -v espeak-ng && command -v opusenc; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's espeak-ng and opus-tools for Listen on phones with no voice"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq espeak-ng opus-tools; } \
	    || echo "Could not install espeak-ng opus-tools: install them for Listen's audio where phones have no voice"; }

## speech-audio: render every fixed text's audio now (about 35 s on 2 cores); otherwise each is made on first request
speech-audio: speech $(VENV)/.installed
	$(BIN)/flask speech build

## setup: venv, Python packages, GOV.UK Frontend from npm, fonts, speech tools, translations, migrations, demo data
setup: $(VENV)/.installed node_modules/.package-lock.json fonts speech translations
	mkdir -p instance
	$(BIN)/flask pictures build
	$(BIN)/flask db upgrade
	$(BIN)/flask demo > /dev/null

## run: set up, print the demo sign-ins and links, and serve on http://127.0.0.1:5000
## (with the job consumer beside it: it sends the outbox and escalates urgent notices)
run: setup
	$(BIN)/flask demo
	@$(BIN)/huey_consumer portal.worker.huey -w 1 -q -l instance/jobs.log & consumer=$$!; \
	  trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000

# The browser tests' Chromium, and poppler-utils (pdftotext, pdffonts, pdftoppm) for the tests that read PDFs.
chromium:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's Chromium and poppler-utils for the browser and PDF tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-core poppler-utils; }

## test: set up, install Chromium when missing, run the whole suite (browser tests included)
test: setup chromium
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not browser"

## bench: page weight of the booklet (HTML and first visit, compressed); screening recall,
## false positives and time to screen a 2,000-character answer; load with faults (gunicorn, PostgreSQL,
## Redis, 50 children saving flat out with Locust while a worker is killed, against a bare route);
## Lighthouse mobile scores of the child's pages; seconds per letter PDF and the letter page's weight;
## the size of Listen's audio per sentence; the caseload pages for 2,000 children (goal < 300 ms on PostgreSQL);
## then bench/results.md from bench/results.json.
## Each step is bounded and always reports (a step that cannot run says why); about 3-4 minutes in all.
bench: setup
	-timeout -k 30 300 $(BIN)/python -m benchmarks.page_weight
	-timeout -k 30 300 $(BIN)/python -m benchmarks.screening
	-timeout -k 30 600 $(BIN)/python -m benchmarks.load_with_faults
	-timeout -k 30 900 $(BIN)/python -m benchmarks.lighthouse
	-timeout -k 30 300 $(BIN)/python -m benchmarks.letters
	-timeout -k 30 900 $(BIN)/python -m benchmarks.insights
	-timeout -k 30 600 $(BIN)/python -m benchmarks.caseload
	-timeout -k 30 300 $(BIN)/python -m benchmarks.audio
	$(BIN)/python -m benchmarks.report

lint: $(VENV)/.installed
	$(BIN)/ruff check portal tests benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) node_modules instance
