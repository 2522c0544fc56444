# Two commands for a newcomer:  make demo  (the main job)   make test  (the whole suite)
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: demo demo-stop test setup system lint bench clean

# Leaves a local SeaweedFS running in the background (state in .demo/); `make demo-stop` ends it.
demo: setup
	bash scripts/install-system.sh render
	$(PY) -m shareables.local.demo

demo-stop:
	-$(PY) -m shareables.local.demo stop

test: setup system
	bash scripts/run-tests.sh

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Things pip cannot install: Chromium for the page tests, the Nu HTML checker (vnu-jar, Java),
# and the C libraries Pillow's Raqm layout and CairoSVG load at run time.
system:
	bash scripts/install-system.sh

lint: setup
	$(PY) -m ruff check shareables tests
	$(PY) -m mypy shareables

bench: setup
	$(PY) -m pytest -m slow -q -p no:cacheprovider; test $$? -eq 0 -o $$? -eq 5
	$(PY) benchmarks/run.py

clean: demo-stop
	rm -rf output .demo test-artifacts
