# The books at scale: `make bench-ledger SIZES="10000 1000000 10000000"` preloads each size
# into a fresh local stack and prints the summary's p50/p99 (whole window, 10 s windows),
# Redis CPU per summary and per payment, POST p99 with and without a summary per second,
# and Redis memory per payment; TEN_RUNS=1 (default) adds ten final-2025 runs' memory
# (scripts/bench-ledger.sh; RATE, SUMMARIES, POST_RATE, POST_SECONDS, IDS_HORIZON, LEDGER_HORIZON).
.PHONY: bench-ledger

bench-ledger: build
	@BUILD_DIR=$(BUILD_DIR) scripts/bench-ledger.sh
