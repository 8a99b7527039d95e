# The two commands of the README: `make demo` and `make test`. Both bootstrap what they
# need from nothing (a venv with pinned dependencies, the pinned CDK CLI) and skip the
# installs when nothing changed (stamp files newer than their inputs).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
EXTRAS := aws,nlp,local,infra,dev
export CDK_DISABLE_CLI_TELEMETRY := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: demo test lint rehearse bench install synth lock clean chromium

demo: $(PY_STAMP)
	$(BIN)/cafelake demo $(DEMO_ARGS)

# The lint first: a finding or an unformatted file fails the tests before they run (CI runs `make test`).
test: lint $(NODE_STAMP) chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# A headless Chromium for the test that renders report.html (tests/unit/report/test_page_render.py): the OS
# package, installed where we can (root with apt-get); elsewhere nothing is installed and that test is skipped,
# saying why. Never a failure of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null) \
	      || echo "chromium: apt-get could not install it; the report rendering test will be skipped"; \
	  else echo "chromium: not installed and cannot install it here (needs root and apt-get); the report rendering test will be skipped"; fi; }

# ruff (pinned in the dev extra; rules in pyproject.toml): the lint rules, then the formatting, checked, not applied.
lint: $(PY_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The cloud rehearsal alone (make test runs it too): the synthesized app deployed to a local AWS and run
# as AWS would run it; prints the time of each step. See docs/deploy.md, "The rehearsal".
rehearse: $(PY_STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest tests/rehearsal -m rehearsal -rxX $(PYTEST_ARGS)

bench: $(PY_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

synth: $(PY_STAMP) $(NODE_STAMP)
	npx cdk synth --quiet

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[$(EXTRAS)]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Re-pin every transitive Python dependency after changing pyproject.toml.
lock: $(PY_STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) node_modules cdk.out build lake report
