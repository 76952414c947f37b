# The README's two commands are `make run` and `make test`; both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export CDEV_TUI_REQUIRE_EXT ?= 1

.PHONY: run test bench install system-deps lint format clean

run: install
ifdef REPO
	$(BIN)/cdev-tui --repo "$(REPO)"
else
	$(BIN)/cdev-tui demo
endif

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q -p no:cacheprovider

bench: install
	$(BIN)/python -m benchmarks

install: system-deps $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml setup.py $(wildcard cext/*.pyx)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip "setuptools>=77" wheel "Cython>=3.0"
	$(BIN)/pip install -q --no-build-isolation -e '.[dev]'
	touch $(STAMP)

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .

clean:
	rm -rf build *.egg-info cext/*.c cext/*.so $(VENV)
