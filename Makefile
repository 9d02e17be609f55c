SHELL := /bin/bash
# One entry point for people and CI. `make up` / `make down` run the local stack without
# Docker; `make test` builds in Release and runs every unit and integration test via ctest.
# Feature areas add their own targets in mk/*.mk (bench, chaos, compose-test, fuzz...).
BUILD_DIR ?= build
RUN_DIR   ?= $(CURDIR)/run
JOBS      ?= $(shell nproc)
export RUN_DIR

.PHONY: deps build test up down clean

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j 1 2>&1 | tee ctest.log; \
	  status=$${PIPESTATUS[0]}; \
	  $(CURDIR)/scripts/ctest-summary.sh ctest.log; exit $$status

up: build
	@scripts/stack.sh up

down:
	@scripts/stack.sh down

clean:
	rm -rf $(BUILD_DIR)

-include $(wildcard mk/*.mk)
