# One task runner: `make run`, `make test`, `make lint` (ruff, mypy, the layering contracts), `make bench`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/ledger demo --if-empty
	$(BIN)/ledger serve --issue-admin-token make-run

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check ledger projections api cli bench tests
	$(BIN)/mypy ledger projections api cli bench
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/ledger bench --events 10000

# Extract the UI's strings and merge them into the catalogs; then translate the new
# entries in api/locale/zh_CN/LC_MESSAGES/messages.po (the suite fails while one is empty).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project engagement-ledger -o api/locale/messages.pot .
	$(BIN)/pybabel update -i api/locale/messages.pot -d api/locale -l zh_CN \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) ledger.db ledger.views.db
