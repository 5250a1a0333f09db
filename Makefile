# Two commands do everything: `make demo` and `make test` (each installs what it needs first).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "installing python3-venv (Debian)"; \
	  apt-get update -qq && apt-get install -y -qq python3-venv python3-pip; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/storyfuse summarize demo/corpus --words 120 --output out/demo-stories.md
	@cat out/demo-stories.md
	@$(BIN)/storyfuse summarize demo/corpus --words 120 --format json > out/demo-stories.json
	@echo "storyfuse: the stories are in out/demo-stories.md (and out/demo-stories.json)"

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline_bench.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
