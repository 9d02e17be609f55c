# Long fault runs: `make chaos` runs the fault tests (tests/faults, label "faults") with
# FAULTS_LONG=1: longer loads, a 60 s outage of both processors, 60 s of health 429/hang.
# Each test's figures go to $(BUILD_DIR)/chaos-report.txt (make test's short forms append
# theirs to $(BUILD_DIR)/faults-report.txt).
.PHONY: chaos

chaos: build
	@rm -f $(CURDIR)/$(BUILD_DIR)/chaos-report.txt
	@cd $(BUILD_DIR) && FAULTS_LONG=1 FAULTS_REPORT=$(CURDIR)/$(BUILD_DIR)/chaos-report.txt \
	  ctest -L faults --output-on-failure --timeout 900 -j 1; status=$$?; \
	  echo "--- chaos report ($(BUILD_DIR)/chaos-report.txt) ---"; cat $(CURDIR)/$(BUILD_DIR)/chaos-report.txt; exit $$status
