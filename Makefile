# The developer front door. `make demo` sets everything up and answers the demo question;
# `make test` runs the whole suite (what CI runs).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= $(or $(MEDCITE_DATA_DIR),../shared/data)
HOME_DIR ?= .medcite
QUESTION ?= What is the management approach for leptomeningeal enhancement?

.PHONY: setup llm demo demo-full serve data-check test lint bench clean
# Prerequisites in order even under -j: the data check before the venv.
.NOTPARALLEL: demo demo-full

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# The local LLM writer's runtime (llama-cpp-python, built once with safe CPU flags and
# cached in ~/.cache/medcite/wheels, and the SmolLM2 test model). Tests of the LLM writer
# run against it; without it they are skipped.
llm: setup
	scripts/install-llm.sh $(VENV)

# The quick start ingests a subset (26,172 passages to embed; 6-7 minutes on an idle
# 2-core machine, 12-13 on a loaded one): the guidelines,
# the USPSTF recommendations, the BioASQ abstracts and the vocabularies. `make demo-full`
# adds the rest of the corpus (PubMedQA / Evidence Inference abstracts and full texts and
# the MedQuAD consumer texts; about 15-20 more minutes, mostly embedding).
DEMO_FILES = $(DATA)/corpus/guidelines.jsonl.gz $(DATA)/corpus/uspstf_recommendations.jsonl \
             $(DATA)/corpus/bioasq_abstracts.jsonl.gz $(DATA)/vocab

demo: data-check setup
	@echo "Ingesting the demo subset: ~26,000 passages to embed, 6-13 minutes on 2 cores." >&2
	$(BIN)/medcite --home $(HOME_DIR) ingest $(DEMO_FILES)
	$(BIN)/medcite --home $(HOME_DIR) ask "$(QUESTION)"

demo-full: data-check setup
	$(BIN)/medcite --home $(HOME_DIR) ingest $(DATA)/corpus $(DATA)/vocab
	$(BIN)/medcite --home $(HOME_DIR) ask "$(QUESTION)"

serve: setup
	$(BIN)/medcite --home $(HOME_DIR) serve

# Checked before anything is installed, so a missing data directory fails in a second.
data-check:
	@for f in $(DEMO_FILES); do test -e "$$f" || { \
	  echo "error: the shared data is not at $(DATA) (no $$f)." \
	       "Put it at ../shared/data beside this checkout, or point at it:" \
	       "MEDCITE_DATA_DIR=/path/to/data make demo, or make demo DATA=/path/to/data." >&2; \
	  exit 2; }; done

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
