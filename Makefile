# Quick start: `make run` builds the graph from the bundled corpus (unless kg-store holds one already) and serves it;
# `make build` (re)builds it; `make test` runs the tests.
# Both create the virtualenv (.venv) and install everything they need on first use.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run build serve test test-fast lint install system-deps bench clean vocab train-ner

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# A store the user built is never overwritten: build only when kg-store has no current generation.
run: install
	@if [ -e kg-store/current ]; then echo "kg-store already holds a graph: serving it (make build rebuilds it)"; \
	else $(BIN)/kg build; fi
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

build: install
	$(BIN)/kg build

serve: install
	$(BIN)/kg serve --host $(HOST) --port $(PORT)

# System packages some tests need (a real browser, a real SPARQL server); installs only what is missing.
system-deps:
	bash scripts/install-system-deps.sh

test: install system-deps
	$(BIN)/ruff check kg server tests bench tools
	$(BIN)/mypy
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not slow"

# Regenerate ontology/vocab/*.jsonl from ontology/vocab/curated + the Papers-with-Code snapshot.
vocab: install
	$(BIN)/python -m tools.vocab_build

# Retrain the shipped tagger and link scorer (kg/extract/tagger_model, kg/extract/link_model.json) from the annotated
# arXiv abstracts in tools/ner/data/arxiv: 5 cross-fitted taggers, the scorer, the final tagger (~1 h on 2 cores).
train-ner: install
	$(BIN)/python -m tools.ner.link_model --tagger-out kg/extract/tagger_model --model-out kg/extract/link_model.json

lint: install
	$(BIN)/ruff check kg server tests bench tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) kg-store build .pytest_cache
