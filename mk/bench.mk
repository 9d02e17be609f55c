# Local benchmark of the official scenarios: `make bench SCENARIO=preview-2025|final-2025|smoke`
# runs a floor pass and a system pass under the seed's cgroup limits (scripts/bench.sh).
SCENARIO ?= preview-2025

.PHONY: bench

bench: deps
	@BUILD_DIR=$(BUILD_DIR) JOBS=$(or $(BENCH_JOBS),2) scripts/bench.sh $(SCENARIO)

# What one load-balancer hop costs the p99 (floor responder alone vs behind the stack's
# nginx), ROUNDS alternating pairs: the lowest p99 the two-tier architecture can reach.
.PHONY: hop-cost
hop-cost: build
	@BUILD_DIR=$(BUILD_DIR) scripts/hop-cost.sh $(SCENARIO)
