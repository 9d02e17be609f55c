# Local benchmark of the official scenarios: `make bench SCENARIO=preview-2025|final-2025|smoke`
# runs a floor pass and a system pass under the per-service limits of
# deploy/docker-compose.yml, applied through cgroups (scripts/bench.sh). LB=haproxy|nginx
# (default: the compose lb's), CPU_SCALE (1) multiplies every CPU quota.
SCENARIO ?= preview-2025

.PHONY: bench

bench: deps
	@BUILD_DIR=$(BUILD_DIR) JOBS=$(or $(BENCH_JOBS),2) scripts/bench.sh $(SCENARIO)

# What one load-balancer hop costs the p99: the floor responder alone vs behind each load
# balancer of LBS ("haproxy nginx") from its deploy config, at the compose lb's CPU (x
# CPU_SCALE), ROUNDS (3) rounds: the lowest p99 the two-tier architecture can reach.
.PHONY: hop-cost
hop-cost: build
	@BUILD_DIR=$(BUILD_DIR) scripts/hop-cost.sh $(SCENARIO)

# What one Redis call costs Redis on this machine (idle, no quotas): a bare round trip, the
# intake's script, and the script pipelined; AOF on and off (scripts/bench-redis-floor.sh).
.PHONY: bench-redis-floor
bench-redis-floor: deps
	@scripts/bench-redis-floor.sh

# Before against after in one sitting: PAIRS (3) alternating system passes of SCENARIO
# (default steady) with the stack environments A and B (scripts/bench-ab.sh).
.PHONY: bench-ab
bench-ab: build
	@A="$(A)" B="$(B)" PAIRS=$(or $(PAIRS),3) scripts/bench-ab.sh $(or $(AB_SCENARIO),steady)

# What the system costs with no load (scripts/idle-cost.sh): each service's CPU share and
# Redis's calls per second over IDLE_SECONDS (30), ROUNDS (1) fresh stacks.
.PHONY: idle-cost
idle-cost: build
	@BUILD_DIR=$(BUILD_DIR) scripts/idle-cost.sh
