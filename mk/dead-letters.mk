# Dead letters (payments:dead) of the local stack: `make dead-letters` lists them,
# `make replay-dead-letters` moves them all back to payments:queue:1 (scripts/dead-letters.sh;
# N=<count> and INSTANCE=<n> narrow the replay).
.PHONY: dead-letters replay-dead-letters

dead-letters:
	@scripts/dead-letters.sh list

replay-dead-letters:
	@scripts/dead-letters.sh replay $(or $(N),all) $(or $(INSTANCE),1)
