PYTHON ?= python3
PIP ?= $(PYTHON) -m pip

.PHONY: develop demo test lint typecheck imports docs bench bench-curves bench-curves-quick clean

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

clean:
	rm -rf build dist docs/_build docs/reference/generated .mypy_cache .ruff_cache .pytest_cache
