# The README's two commands: `make lecture` and `make test`.
# Each sets everything up first (.ci/setup is idempotent and quick when done).

LESSON ?=
QUALITY ?= low
# NARRATION=DIR speaks the lecture: each step's audio from DIR/narration.json (see
# docs/source/tutorials/6-narration.md); the steps without audio stay silent.
NARRATION ?=
VOICE = $(if $(NARRATION),--narration "$(NARRATION)")

.PHONY: setup lecture slides present test lint bench lock docs
setup:
	@./.ci/setup

lecture: setup
	.venv/bin/mlp-lecture render $(LESSON) --quality $(QUALITY) $(VOICE)

slides: setup
	.venv/bin/mlp-lecture slides $(LESSON) --quality $(QUALITY) $(VOICE)

present:
	@./.ci/setup --present
	.venv/bin/mlp-lecture slides $(LESSON) --quality $(QUALITY) $(VOICE) --present

test:
	@./.ci/setup --tests
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check mlpmath scenekit scenes mlp_lecture tests bench

# The manual: an offline static site in build/docs/ (open build/docs/index.html).
docs: setup
	.venv/bin/sphinx-build -W --keep-going -q -b html docs/source build/docs
	@echo "the manual: build/docs/index.html"

bench: setup
	.venv/bin/python bench/run.py

# Regenerate requirements.lock and requirements-present.lock (README: Upgrading).
lock:
	./.ci/lock $(LOCK_ARGS)
