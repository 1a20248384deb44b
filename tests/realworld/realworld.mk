# tests/realworld — the real-world regression suite (see tests/realworld/README.md).
#
#   make realworld-check     diff every pair of expected.tsv from the committed
#                            corpora and compare with the adjudicated verdicts
#                            (`make check` runs the same suite)
#   make realworld-corpora   re-extract every corpus in releases.tsv from the
#                            staged releases under $(RW_STAGE) (builds nothing),
#                            with --source-root $(RW_SRC)/<library>/<version>
#                            (RW_SRC= : the source root is inferred)
#   make realworld-figures   the scoreboard: pairs, breaking verdicts, false
#                            ones, reported entries (tests/realworld/figures.py)
#   make realworld-figures-before RW_BEFORE=/path/to/old/abiguard
#                            the same scoreboard for an older abiguard, on
#                            corpora it extracts itself from $(RW_STAGE) into
#                            $(BUILD)/realworld-before/ (the "before" figures)

RW_DIR   = tests/realworld
RW_STAGE ?= /work/rw/stage
RW_SRC   ?= /work/rw/src
RW_OBJ   = $(BUILD)/obj/tests/realworld/test_realworld.o $(BUILD)/obj/tests/integration/tool_run.o
RW_TESTS = $(BUILD)/realworld-tests
# The suite as `make check` and `make realworld-check` run it: committed
# corpora only (no staged build, no network).
RW_RUN   = ABIGUARD=$(abspath $(ABIGUARD)) REALWORLD_DIR=$(abspath $(RW_DIR)) $(RW_TESTS) --jobs 2

.PHONY: realworld-corpora realworld-check realworld-figures realworld-figures-before

realworld-corpora: $(ABIGUARD)
	$(RW_DIR)/extract-corpora.sh $(ABIGUARD) $(RW_STAGE) $(RW_DIR) $(RW_SRC)

$(RW_TESTS): $(RW_OBJ) $(LIBAG)
	$(CC) $(ALL_LDFLAGS) -o $@ $(RW_OBJ) $(LIBAG) $(LIBS) -lcriterion

realworld-check: export DEBUGINFOD_URLS =
realworld-check: $(ABIGUARD) $(RW_TESTS)
	$(RW_RUN)

-include $(RW_OBJ:.o=.d)

realworld-figures: $(ABIGUARD)
	$(RW_DIR)/figures.py $(ABIGUARD) $(RW_DIR)

realworld-figures-before:
	@test -x "$(RW_BEFORE)" || { echo "realworld-figures-before: set RW_BEFORE to an abiguard binary (e.g. one built at 2bd6eb7)" >&2; exit 2; }
	rm -rf $(BUILD)/realworld-before && mkdir -p $(BUILD)/realworld-before
	cp $(RW_DIR)/releases.tsv $(RW_DIR)/expected.tsv $(RW_DIR)/private.tsv $(BUILD)/realworld-before/
	$(RW_DIR)/extract-corpora.sh $(RW_BEFORE) $(RW_STAGE) $(BUILD)/realworld-before > /dev/null
	$(RW_DIR)/figures.py $(RW_BEFORE) $(BUILD)/realworld-before
