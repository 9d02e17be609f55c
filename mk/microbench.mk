# Micro-benchmarks of the API's hot path (Google Benchmark); prints ns per operation.
.PHONY: microbench
microbench: build
	@$(BUILD_DIR)/bench/micro/hot_path_bench --benchmark_min_time=0.2
