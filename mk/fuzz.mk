# Fuzzing: `make fuzz FUZZ_SECONDS=60` builds fuzz/ with clang (-fsanitize=fuzzer,address,
# undefined) in build-fuzz/ and runs each target for FUZZ_SECONDS (scripts/fuzz.sh).
# The seed corpus also runs under gcc in `make test` (fuzz_corpus_test, label "fuzz").
FUZZ_SECONDS ?= 60

.PHONY: fuzz

fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(or $(FUZZ_JOBS),2) scripts/fuzz.sh $(FUZZ_TARGETS)
