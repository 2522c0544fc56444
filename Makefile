# Two commands for a newcomer:  make demo  (the main job)   make test  (the whole suite)
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: demo demo-stop test setup system lint bench clean lock

# Leaves a local SeaweedFS running in the background (state in .demo/); `make demo-stop` ends it.
demo: setup
	bash scripts/install-system.sh render
	$(PY) -m shareables.local.demo

demo-stop:
	-$(PY) -m shareables.local.demo stop

test: setup system
	bash scripts/run-tests.sh

setup: $(STAMP)

# Exactly the versions in requirements-dev.lock, each file checked against its SHA-256 (the
# render libraries are part of every cache key: unpinned installs re-render everything).
$(STAMP): pyproject.toml requirements-dev.lock
	python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

# After changing dependencies in pyproject.toml: re-pin both lock files (needs the index).
# requirements.lock is what CI installs next to the shareables package (with the motion extra,
# so clips render in CI); -dev adds the tests.
LOCK := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --no-header -q
lock: setup
	$(PY) -m pip install -q uv
	$(PY) -m uv pip compile pyproject.toml --extra motion $(LOCK) -o requirements.lock
	$(PY) -m uv pip compile pyproject.toml --extra test $(LOCK) -o requirements-dev.lock
	cp requirements.lock shareables/project/templates/requirements.lock  # what init writes

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
