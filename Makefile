# 女职工权益助手 — `make run` starts everything, `make test` runs the test suite.
# Both set up what they need first: Python environments, the spaCy pipeline, the knowledge index
# and the Rasa model (retrained only when its inputs change).
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: setup widget browser cluster-packages cluster db admin index train run test bench eval score clean

RASA_VENV := .venv-rasa
APP_VENV := .venv
PY := $(APP_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
export PYTHONPATH := $(CURDIR)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

# The vocabularies knowledge/entities.py builds its patterns from (it runs on the Rasa side too).
ENTITY_VOCABULARIES := knowledge/places.py knowledge/laws.py knowledge/numerals.py
# Inputs of the Rasa model; the model file is named after their hash.
MODEL_INPUTS := bot/config.yml $(wildcard bot/domain/*.yml) bot/components.py $(wildcard data/*.yml data/nlu/*.yml data/jieba/*) \
	knowledge/normalize.py knowledge/homophones.py knowledge/safety.py knowledge/entities.py $(ENTITY_VOCABULARIES) $(wildcard knowledge/content/lexicon/*.yml) \
	knowledge/content/provinces.yml requirements/rasa.txt
MODEL_HASH = $(shell cat $(MODEL_INPUTS) | sha256sum | cut -c1-16)
MODEL = models/$(MODEL_HASH).tar.gz

$(RASA_VENV)/.installed: requirements/rasa.txt .python-version
	python3.10 -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q -r requirements/rasa.txt
	touch $@

$(APP_VENV)/.installed: requirements/app.txt .python-version
	python3.11 -m venv $(APP_VENV)
	$(APP_VENV)/bin/pip install -q torch==2.13.0   # the local CPU wheel; otherwise CUDA is pulled in
	$(APP_VENV)/bin/pip install -q -r requirements/app.txt
	touch $@

# spaCy pipeline (EntityRuler) and jieba dictionaries, built per environment from our pattern data.
build/.entities: $(RASA_VENV)/.installed $(APP_VENV)/.installed knowledge/entities.py $(ENTITY_VOCABULARIES) knowledge/content/provinces.yml data/jieba/userdict.txt
	mkdir -p build/jieba
	cp data/jieba/userdict.txt build/jieba/userdict.txt
	$(RASA_VENV)/bin/python -m knowledge.entities build
	$(PY) -m knowledge.entities build
	touch $@

# The chat widget (console/widget): socket.io-client from the npm registry, its browser build copied
# next to widget.js into the folder the console serves at /widget.
WIDGET := console/widget
$(WIDGET)/public/socket.io.min.js: $(WIDGET)/package.json $(wildcard $(WIDGET)/package-lock.json)
	cd $(WIDGET) && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	cp $(WIDGET)/node_modules/socket.io-client/dist/socket.io.min.js $@

widget: $(WIDGET)/public/socket.io.min.js

# Headless Chromium and a CJK font for the widget's browser tests (Debian packages; the tests drive
# /usr/bin/chromium with the Python playwright package, never a downloaded browser).
CHROMIUM_PKGS := chromium fonts-wqy-microhei
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  apt-get install -y -q $(CHROMIUM_PKGS) || { apt-get update -q && apt-get install -y -q $(CHROMIUM_PKGS); }; fi

# PostgreSQL, Redis and nginx for the scaled deployment (`make cluster`) and its tests (tests/cluster: they
# start servers of their own in temporary folders on free ports, never the machine's services).
CLUSTER_PKGS := postgresql redis-server nginx-light
cluster-packages:
	@if [ ! -x /usr/bin/redis-server ] || [ ! -x /usr/sbin/nginx ] || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  apt-get install -y -q $(CLUSTER_PKGS) || { apt-get update -q && apt-get install -y -q $(CLUSTER_PKGS); }; fi

# The scaled deployment on this machine: PostgreSQL, Redis, nginx, REPLICAS Rasa replicas, the action
# server and the console (deploy/cluster.py; files and logs in var/cluster). Ctrl-C stops it all.
cluster: index train cluster-packages
	$(PY) -m deploy.cluster --replicas $${REPLICAS:-2}

setup: $(RASA_VENV)/.installed $(APP_VENV)/.installed build/.entities widget

index: setup
	$(PY) -m knowledge build
	$(PY) -m answering.issues

# Application database: migrations to the newest schema, services and their coming slots.
db: setup
	$(PY) -m appdb upgrade
	$(PY) -m appdb seed

# The first console account (asks for the password twice; nothing on the command line):
#   make admin NAME=wang
admin: db
	$(PY) -m appdb create-user $${NAME:?give a user name: make admin NAME=wang} --role admin

train: setup
	@if [ -f $(MODEL) ]; then echo "Rasa model up to date: $(MODEL)"; else \
	  $(RASA) train --config bot/config.yml --domain bot/domain --data data \
	    --out models --fixed-model-name $(MODEL_HASH) && ls -t models/*.tar.gz | tail -n +4 | xargs -r rm --; fi

build/runtime.env: setup FORCE
	@{ $(PY) settings.py; echo "RASA_MODEL=$(MODEL)"; echo "PYTHONPATH=$(CURDIR)"; } > $@

run: index train db build/runtime.env
	$(APP_VENV)/bin/honcho -e build/runtime.env -f Procfile start

test: index train browser cluster-packages
	$(APP_VENV)/bin/ruff check .
	$(PY) -m pytest -q tests

bench: index train cluster-packages
	$(PY) tests/bench/run.py

# Retrieval quality, our own message sets (training and held-out: issues found and answered), then
# the shared scorer on the dev set and the real consultation questions against a full stack.
eval: index train
	$(PY) -m knowledge eval $${SHARED_DIR:-../shared}/eval/dev_questions.jsonl
	$(PY) -m answering.evaluate
	$(PY) tests/bench/score_stack.py

score:
	$(PY) $${SHARED_DIR:-../shared}/eval/score.py $${SHARED_DIR:-../shared}/eval/dev_questions.jsonl --show

clean:
	rm -rf build models .pytest_cache

FORCE:
