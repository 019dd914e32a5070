PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: develop demo test lint typecheck imports docs bench bench-curves bench-curves-quick reliability clean

# the fault suite's long mode (tests/reliability; bounded mode runs in `test`)
RELIABILITY_LOOPS ?= 5
RELIABILITY_EVENTS ?= 20000

develop:
	$(PIP) install -e '.[test,lint,docs,rocksdb]'

demo:
	$(PYTHON) examples/hello_world.py

test:
	$(PYTHON) -m pytest

lint: imports
	$(PYTHON) -m ruff check faust tests examples extra benchmarks
	$(PYTHON) extra/tools/gen_settings_doc.py --check

imports:
	lint-imports

typecheck:
	$(PYTHON) -m mypy

docs:
	$(PYTHON) -m sphinx -W -n --keep-going -b html docs docs/_build/html

bench:
	$(PYTHON) benchmarks/run.py

# cost as work grows (S9, S10): long, hence apart; needs the bench extra
# (matplotlib). CURVES='--s9 100000,1000000 --theirs-s9 100000' and so on.
bench-curves:
	$(PYTHON) benchmarks/curves.py $(CURVES)

bench-curves-quick:
	$(PYTHON) benchmarks/curves.py --quick --out /tmp/faust-curves-quick $(CURVES)

reliability:
	FAUST_RELIABILITY_LOOPS=$(RELIABILITY_LOOPS) \
	FAUST_RELIABILITY_EVENTS=$(RELIABILITY_EVENTS) \
	$(PYTHON) -m pytest tests/reliability -v
	cat tests/reliability/results/latest.md

clean:
	rm -rf build dist docs/_build docs/reference/generated .mypy_cache .ruff_cache .pytest_cache
