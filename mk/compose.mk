# Docker deployment targets. `make compose-test` runs the challenge compose end to end
# (installs Docker if needed, builds local base images, pays through :9999, checks the
# summaries, reports the limits applied). Slow and needs root: not part of `make test`.
.PHONY: compose-test base-images

compose-test:
	@scripts/compose-test.sh

base-images:
	@deploy/base-image.sh
