# tests/realworld — the real-world regression suite (see tests/realworld/README.md).
#
#   make realworld-corpora   re-extract every corpus in releases.tsv from the
#                            staged releases under $(RW_STAGE) (builds nothing)
#   make realworld-check     diff every pair of expected.tsv from the committed
#                            corpora and compare with the adjudicated verdicts
#   make realworld-figures   the scoreboard: pairs, breaking verdicts, false
#                            ones, reported entries (tests/realworld/figures.py)
#
# Neither is part of `make check` yet: the suite measures issue 9, and many
# pairs fail until the public-surface work lands.

RW_DIR   = tests/realworld
RW_STAGE ?= /work/rw/stage
RW_OBJ   = $(BUILD)/obj/tests/realworld/test_realworld.o $(BUILD)/obj/tests/integration/tool_run.o

.PHONY: realworld-corpora realworld-check realworld-figures

realworld-corpora: $(ABIGUARD)
	$(RW_DIR)/extract-corpora.sh $(ABIGUARD) $(RW_STAGE) $(RW_DIR)

$(BUILD)/realworld-tests: $(RW_OBJ) $(LIBAG)
	$(CC) $(ALL_LDFLAGS) -o $@ $(RW_OBJ) $(LIBAG) $(LIBS) -lcriterion

realworld-check: export DEBUGINFOD_URLS =
realworld-check: $(ABIGUARD) $(BUILD)/realworld-tests
	ABIGUARD=$(abspath $(ABIGUARD)) REALWORLD_DIR=$(abspath $(RW_DIR)) \
	    $(BUILD)/realworld-tests --jobs 2

-include $(RW_OBJ:.o=.d)

realworld-figures: $(ABIGUARD)
	$(RW_DIR)/figures.py $(ABIGUARD) $(RW_DIR)
