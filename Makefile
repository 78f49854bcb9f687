# nasgym: `make test` and `make demo` bootstrap .venv themselves (idempotent).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA_DIR := /usr/share/datasets/fashion-mnist
export MALLOC_MMAP_MAX_ := 0
export MALLOC_TRIM_THRESHOLD_ := 100000000000
export MALLOC_TOP_PAD_ := 1000000000

.PHONY: venv data test lint demo clean test-tflite

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ray]'
	touch $(STAMP)

venv: $(STAMP)

# Debian's Fashion-MNIST (IDX files); skipped with a note where apt-get is not available.
data:
	@if [ ! -f $(DATA_DIR)/train-images-idx3-ubyte.gz ] && [ ! -f $(DATA_DIR)/train-images-idx3-ubyte ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist; \
	  else \
	    echo "note: Fashion-MNIST missing; install it with: sudo apt-get install dataset-fashion-mnist"; \
	  fi; \
	fi

lint: venv
	$(VENV)/bin/ruff check .

test: venv data lint
	$(PY) -m pytest -q

# The optional int8 TFLite export (litert-torch, about 2 GB) and its tests (skipped by `make test` without it).
test-tflite: venv
	$(PY) -m pip install --quiet -e '.[dev,tflite]'
	$(PY) -m pytest -q tests/deploy/test_tflite.py

# make demo TASK=segmentation|text (default: classification on Fashion-MNIST)
demo: venv data
	$(PY) train.py demo $(if $(TASK),--task $(TASK))

clean:
	rm -rf $(VENV) runs .pytest_cache
