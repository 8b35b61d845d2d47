# Every task of the book. `make book` and `make test` are the two a newcomer needs;
# each installs what it uses on first run (a virtual environment and MathJax from npm).
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MATHJAX := book_assets/mathjax/tex-svg-full.js
PLOTLY := book_assets/interactive/plotly-cartesian.min.js
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install book serve test lint unit notebooks portability exercises exercises-check browser pdf execute lab bench bench-mlp bench-autodiff bench-ising bench-grading grade autograder student-pack clean distclean

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --no-input pip==26.3
	$(BIN)/python -m pip install --quiet --no-input -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-input --no-deps --no-build-isolation -e .
	@# Build Matplotlib's font cache now: its one-time notice on stderr must never land in a notebook's output.
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.pyplot"
	touch $@

# MathJax is served from the book itself (SVG output: no web fonts, so it also works from file://).
$(MATHJAX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf book_assets/mathjax && mkdir -p book_assets/mathjax
	cp -r node_modules/mathjax/es5/tex-svg-full.js node_modules/mathjax/es5/{a11y,adaptors,input,sre,ui} book_assets/mathjax/
	mkdir -p book_assets/mathjax/output && cp -r node_modules/mathjax/es5/output/svg* book_assets/mathjax/output/
	touch $@

# Plotly's cartesian bundle (scatter, heatmap, contour: what the interactive figures draw) is served the same way;
# book_assets/interactive/interactive.js beside it is ours, in git. The npm ci above installs both packages.
$(PLOTLY): $(MATHJAX) package.json package-lock.json
	cp node_modules/plotly.js-cartesian-dist-min/plotly-cartesian.min.js $@
	touch $@

install: $(INSTALLED) $(MATHJAX) $(PLOTLY) ## Create .venv and install every pinned dependency

# EDITION=student builds the student edition: no solutions appendix, no rubric (scripts/student_edition.py derives its
# table of contents and configuration from _toc.yml and _config.yml, and proves no solution text is in the result).
EDITION ?= full

book: install ## Build the HTML book into _build/html from stored outputs; EDITION=student: _build/student/html, no solutions
ifeq ($(EDITION),full)
	$(BIN)/jupyter-book build . --builder html -W --keep-going
	@echo "The book is in _build/html: open _build/html/index.html, or run 'make serve'."
else ifeq ($(EDITION),student)
	$(BIN)/python scripts/student_edition.py build
else
	$(error EDITION is '$(EDITION)': use EDITION=full (the default, the whole book) or EDITION=student (no solutions))
endif

serve: ## Serve the built book on http://$(HOST):$(PORT)
	@test -f _build/html/index.html || $(MAKE) --no-print-directory book
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/python -m http.server $(PORT) --bind $(HOST) --directory _build/html

test: install ## Run every check (lint, unit, notebooks, portability, exercises, book, browser, pdf) with one summary
	$(BIN)/python tests/run_all.py

lint: install ## ruff over the package, tests, benchmarks and notebooks
	$(BIN)/ruff check .

unit: install ## Unit tests of src/backprop
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest tests -m "not browser and not pdf and not gradescope" \
		--ignore=tests/test_student_edition.py --ignore=tests/test_student_pack.py -n 2

notebooks: install ## Re-run every notebook in chapters/ and solutions/ and compare with the stored outputs (nbval)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg -n 2 --dist loadfile chapters solutions

portability: install ## The notebooks again under two other numeric environments (SIMD, BLAS kernel and threads, numba)
	$(BIN)/python tests/numeric_environments.py

exercises: install ## Regenerate exercises/ from solutions/
	$(BIN)/python -m backprop.exercises

exercises-check: install ## Fail if exercises/ is not what solutions/ generates
	$(BIN)/python -m backprop.exercises --check

browser: install ## Drive Chromium over the built book (needs /usr/bin/chromium)
	$(BIN)/python -m pytest tests/test_book_in_browser.py tests/test_interactive_figures.py \
		tests/test_interactive_figures_late.py -m browser -n 2

pdf: install ## The whole book as one PDF, _build/pdf/backprop-by-hand.pdf (system Chromium, offline)
	@# Prints the single-page build (_build/singlehtml); _build/html is left alone.
	$(BIN)/python scripts/build_pdf.py --build

execute: install ## Re-execute the chapter and solution notebooks in place (after editing one)
	for nb in chapters/*.ipynb $(wildcard solutions/*.ipynb); do \
		$(BIN)/jupyter nbconvert --to notebook --execute --inplace "$$nb"; done

SUBMISSIONS ?= submissions
grade: install ## Grade a notebook or a folder: make grade SUBMISSIONS=dir (table, grades.csv, results.json)
	$(BIN)/python -m backprop_instructor.grader $(SUBMISSIONS) --csv grades.csv --json results.json

autograder: install ## Pack the Gradescope autograder into _build/autograder.zip
	$(BIN)/python scripts/pack_autograder.py

student-pack: install ## What to hand out: exercises, the student book, the package without the key (_build/student-pack.zip)
	$(MAKE) --no-print-directory book EDITION=student
	$(BIN)/python -m backprop_instructor.student_pack

lab: install ## Open the notebooks in Jupyter Lab
	$(BIN)/jupyter lab --ip=$(HOST)

bench: install ## Time the book build (clean and cached) and the test suite
	$(BIN)/python bench/bench_build.py

bench-mlp: install ## One training step of our MLP against PyTorch (installs torch==2.13.0, CPU, on first run)
	@$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet --no-input torch==2.13.0
	$(BIN)/python bench/bench_mlp.py

bench-autodiff: install ## Backward vs forward time: autodiff engine and hand-written MLP (the cheap-gradient principle)
	$(BIN)/python bench/bench_autodiff.py

bench-ising: install ## Ising samplers: ns per attempted flip and cost per independent sample vs a Python loop
	$(BIN)/python bench/bench_ising.py

bench-grading: install ## Time the grader: one notebook, and 50 submissions on 2 cores
	$(BIN)/python bench/bench_grading.py

clean: ## Remove the built book (and its execution cache) and the test artifacts
	rm -rf _build test-artifacts

distclean: clean ## Also remove the virtual environment and the installed MathJax and Plotly
	rm -rf book_assets/mathjax $(PLOTLY) node_modules $(VENV) .pytest_cache .ruff_cache
