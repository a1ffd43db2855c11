# The two commands of the README's Quick start.  Each creates .venv when missing.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench precision lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@echo "== refcheck check examples/seed-review-superscript.docx"
	@# exit 1 means "findings", which is what the example has; 2 (unreadable) fails the demo
	@$(BIN)/refcheck check examples/seed-review-superscript.docx || [ $$? -eq 1 ]
	@echo
	@echo "== refcheck annotate examples/seed-review-superscript.docx -o build/seed-review-superscript.refcheck.docx"
	@mkdir -p build
	$(BIN)/refcheck annotate examples/seed-review-superscript.docx -o build/seed-review-superscript.refcheck.docx --force
	@echo "Open build/seed-review-superscript.refcheck.docx in Word or LibreOffice to see the comments."

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py

precision: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/precision/run.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check refcheck tests benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info
