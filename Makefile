# Two commands do all the set-up on a fresh machine:
#   make run    install, train the default model if it is missing, start `ivr serve`
#   make test   install, start PostgreSQL/Redis/Chromium if needed, then ruff, mypy, import layers, pytest
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test install lint typecheck unit bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

models/default/metadata.json: | install
	$(BIN)/ivr nlu train --out models/default

run: install models/default/metadata.json
	@echo "Open http://$(HOST):$(PORT)/ (chat widget), http://$(HOST):$(PORT)/agent (console)"
	$(BIN)/ivr serve --host $(HOST) --port $(PORT)

test: install models/default/metadata.json
	bash scripts/services.sh
	$(BIN)/ruff check ivr dialogue nlu tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	# each module on one worker: its module-scoped fixtures (two-worker clusters, browsers) are built once
	$(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadscope

bench: install
	$(BIN)/python benchmarks/nlu_latency.py
	$(BIN)/python benchmarks/dialogue_load.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
