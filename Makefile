# The developer front door. `make demo` sets everything up and answers the demo question;
# `make test` runs the whole suite (what CI runs).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= $(firstword $(MEDCITE_DATA_DIR) $(wildcard ../shared/data))
HOME_DIR ?= .medcite
QUESTION ?= What is the management approach for leptomeningeal enhancement?

.PHONY: setup demo test lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

demo: setup
	@test -n "$(DATA)" || { echo "error: ../shared/data not found; set MEDCITE_DATA_DIR" >&2; exit 2; }
	$(BIN)/medcite --home $(HOME_DIR) ingest $(DATA)/corpus $(DATA)/vocab
	$(BIN)/medcite --home $(HOME_DIR) ask "$(QUESTION)"

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/mypy

bench: setup
	$(BIN)/medcite --home $(HOME_DIR) bench retrieval --dataset bioasq
	$(BIN)/medcite --home $(HOME_DIR) bench retrieval --dataset pubmedqa
	$(BIN)/medcite --home $(HOME_DIR) bench retrieval --dataset evidence-inference

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache bench-results
