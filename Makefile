# abiguard — build, test, demo.
#
#   make            build build/abiguard and build/libabiguard.a
#   make test       install what is missing, build, build fixtures, run every test
#   make check-asan the same tests under -fsanitize=address,undefined
#   make web-test   the dashboard in headless Chromium (also part of check)
#   make bench      abiguard against libabigail on real libraries (bench/)
#   make deps       only install the Debian packages the build and tests need
#   make realworld-check   only the real-world regression suite (tests/realworld/; part of check)

CC       ?= cc
BUILD    ?= build
CFLAGS   ?= -O2 -g
WARN      = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
DEPFLAGS  = -MMD -MP
CPPFLAGS += -I/usr/include/libdwarf
LIBS      = -ldwarf -lelf -lz -ljansson -lsqlite3 -lmicrohttpd -lcurl -lpthread -ldl
SANITIZE ?=

ALL_CFLAGS  = $(WARN) $(CFLAGS) $(SANITIZE) $(DEPFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANITIZE)

LIB_SRC  = $(wildcard src/*.c)
CLI_SRC  = $(wildcard src/cli/*.c)
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ  = $(CLI_SRC:src/cli/%.c=$(BUILD)/obj/cli/%.o)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.o)
INTEG_SRC = $(wildcard tests/integration/*.c)
INTEG_OBJ = $(INTEG_SRC:tests/integration/%.c=$(BUILD)/obj/tests/integration/%.o)

ABIGUARD = $(BUILD)/abiguard
LIBAG    = $(BUILD)/libabiguard.a

.PHONY: all test check check-asan deps bench demo baselines clean fixtures web-test fuzz fuzz-check
all: $(ABIGUARD) $(LIBAG)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Isrc $(ALL_CFLAGS) -c -o $@ $<

# The runtimes of the generated guards (src/guard_rt/: C, Python, Java,
# Go, Rust, JavaScript with @i@-style placeholders), as the C string
# literals the stub writers (src/guard_*.c) include.
GUARD_RT     = $(wildcard src/guard_rt/*)
GUARD_RT_INC = $(GUARD_RT:src/guard_rt/%=$(BUILD)/gen/guard_rt/%.inc)

$(BUILD)/gen/guard_rt/%.inc: src/guard_rt/%
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/\t/\\t/g' -e 's/^/    "/' \
	    -e 's/$$/\\n"/' $< > $@.tmp && mv $@.tmp $@

$(filter $(BUILD)/obj/guard%,$(LIB_OBJ)): $(GUARD_RT_INC)
$(filter $(BUILD)/obj/guard%,$(LIB_OBJ)): CPPFLAGS += -I$(BUILD)/gen

$(LIBAG): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(ABIGUARD): $(CLI_OBJ) $(LIBAG)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(LIBAG) $(LIBS)

# ---------------------------------------------------------------- deps
# Debian packages: build libraries, the test framework, the reference
# oracles (abidw/abidiff, pahole), the real libraries' debug info and the
# runtimes the generated guards are tested on.
DEB_PACKAGES = gcc make pkg-config libelf-dev libdwarf-dev zlib1g-dev libjansson-dev \
    libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev libcriterion-dev \
    abigail-tools dwarves binutils elfutils time clang openssl valgrind \
    python3 python3-dev python3-cffi debuginfod wrk chromium nodejs \
    libc6-dbg libgsl27 libgsl-dbg liblua5.1-0 liblua5.1-0-dbg liblua5.3-0 liblua5.3-0-dbg \
    liblua5.4-0 liblua5.4-0-dbg \
    openjdk-17-jdk-headless libjna-java golang-go rustc
# The guard tests run each generated stub on its real runtime (above: Java
# with JNA, Go, Rust; python3-cffi and nodejs before); the N-API addon
# needs Node's headers: Debian's libnode-dev, unless the nodejs installed
# ships them already.
DEB_PACKAGES += $(if $(wildcard /usr/include/node/node_api.h),,libnode-dev)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	    $$SUDO apt-get -o DPkg::Lock::Timeout=900 update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends $$missing; \
	fi

# ---------------------------------------------------------------- fixtures
include tests/fixtures/fixtures.mk
include tests/fixtures/diff/diff.mk
include tests/fixtures/dwarf/dwarf.mk
# Optional parts (binding fixtures, browser tests) add their rules here.
-include tests/fixtures/bindings/bindings.mk
-include tests/web/web.mk
-include tests/fixtures/guard/guard.mk
include tests/realworld/realworld.mk

# ---------------------------------------------------------------- tests
$(BUILD)/unit-tests: $(UNIT_OBJ) $(LIBAG)
	$(CC) $(ALL_LDFLAGS) -o $@ $(UNIT_OBJ) $(LIBAG) $(LIBS) -lcriterion

$(BUILD)/integration-tests: $(INTEG_OBJ) $(LIBAG)
	$(CC) $(ALL_LDFLAGS) -o $@ $(INTEG_OBJ) $(LIBAG) $(LIBS) -lcriterion

# Tests are hermetic: no debuginfod server from the environment is asked.
check: export DEBUGINFOD_URLS =
check: export ABIGUARD_SANITIZED = $(SANITIZE)
check: all fixtures $(BUILD)/unit-tests $(BUILD)/integration-tests $(RW_TESTS)
	ABIGUARD=$(abspath $(ABIGUARD)) FIXTURES=$(abspath $(BUILD)/fixtures) \
	    $(BUILD)/unit-tests --jobs 2
	ABIGUARD=$(abspath $(ABIGUARD)) FIXTURES=$(abspath $(BUILD)/fixtures) \
	    $(BUILD)/integration-tests --jobs 2
	$(RW_RUN)
	$(if $(WEB_TEST),$(MAKE) --no-print-directory $(WEB_TEST))
	$(if $(FUZZ_CHECK),$(MAKE) --no-print-directory $(FUZZ_CHECK))

test: deps
	$(MAKE) check

check-asan: deps
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp):print_suppressions=0 \
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fno-omit-frame-pointer" WEB_TEST= FUZZ_CHECK= \
	    SANITIZE="-fsanitize=address,undefined -fno-sanitize-recover=all" check

bench: deps all
	bench/run-extract.sh $(ABIGUARD)
	bench/run-diff.sh $(ABIGUARD)
	bench/run-store.sh $(ABIGUARD)
	bench/run-guard.sh $(ABIGUARD)
	bench/run-serve.sh $(ABIGUARD)

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses, one per tests/fuzz/fuzz_<name>.c, built with clang
# against the library compiled for fuzzing (ASan + UBSan, separately under
# $(FUZZ_BUILD)); seeds in tests/fuzz/<name>/ (reproducers of fixed bugs in
# tests/fuzz/<name>/crashes/), an optional dictionary tests/fuzz/<name>.dict.
# See tests/fuzz/README.
#
#   make fuzz                   build every harness
#   make fuzz FUZZ_SECONDS=N    and run each for N seconds (niced), new inputs
#                               in $(FUZZ_BUILD)/corpus/<name>, crashes in
#                               $(FUZZ_BUILD)/artifacts/<name>/
#   make fuzz-check             (part of check) replay every committed input,
#                               then run each harness FUZZ_CHECK_SECONDS
FUZZ_CC      ?= clang
FUZZ_CHECK   ?= fuzz-check
FUZZ_BUILD   ?= build-fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS   = $(WARN) -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
FUZZ_NAMES    = $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_LIB_OBJ  = $(LIB_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SECONDS ?=
FUZZ_CHECK_SECONDS ?= 4
# Per input: 20 s and 2 GB are far beyond any legitimate input of the seeds'
# size, so a slow or bloated run is a finding. Leaks are checked at exit;
# libcriterion is not linked here, so tests/lsan.supp is not needed.
FUZZ_OPTS     = -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1
FUZZ_ENV      = ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 DEBUGINFOD_URLS=

$(FUZZ_BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<

$(filter $(FUZZ_BUILD)/obj/guard%,$(FUZZ_LIB_OBJ)): $(GUARD_RT_INC)
$(filter $(FUZZ_BUILD)/obj/guard%,$(FUZZ_LIB_OBJ)): CPPFLAGS += -I$(BUILD)/gen

$(FUZZ_BUILD)/libabiguard.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_BUILD)/libabiguard.a
	$(FUZZ_CC) $(CPPFLAGS) -Isrc $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_BUILD)/libabiguard.a $(LIBS)

fuzz_dict = $(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict)

# fuzz_run NAMES SECONDS: each harness for that long, on a scratch corpus
# seeded from the committed one (libFuzzer adds new inputs to the first
# directory only), niced: the machine is shared.
fuzz_run = set -e; for n in $(1); do \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/artifacts/$$n; \
	    dict=; [ ! -f tests/fuzz/$$n.dict ] || dict=-dict=tests/fuzz/$$n.dict; \
	    echo "fuzz: $$n for $(2) s"; \
	    $(FUZZ_ENV) nice -n 10 $(FUZZ_BUILD)/fuzz_$$n $(FUZZ_OPTS) -max_total_time=$(2) \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$n/ $$dict \
	        $(FUZZ_BUILD)/corpus/$$n tests/fuzz/$$n > $(FUZZ_BUILD)/run-$$n.log 2>&1 || \
	        { tail -60 $(FUZZ_BUILD)/run-$$n.log; echo "fuzz: $$n found a problem (input in $(FUZZ_BUILD)/artifacts/$$n/)"; exit 1; }; \
	    grep -E 'DONE|stat::number_of_executed_units|stat::peak_rss_mb' $(FUZZ_BUILD)/run-$$n.log | tr '\n' ' '; echo; \
	done

fuzz: $(FUZZ_BINS)
	$(if $(FUZZ_SECONDS),@$(call fuzz_run,$(FUZZ_NAMES),$(FUZZ_SECONDS)))

# Every committed input (seeds and reproducers) once, then a short run each.
fuzz-check: $(FUZZ_BINS)
	@set -e; for n in $(FUZZ_NAMES); do \
	    files=$$(find tests/fuzz/$$n -type f | sort); \
	    echo "fuzz-check: replaying $$(echo "$$files" | wc -l) committed inputs of $$n"; \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$n $(FUZZ_OPTS) -runs=1 $$files > $(FUZZ_BUILD)/replay-$$n.log 2>&1 || \
	        { tail -40 $(FUZZ_BUILD)/replay-$$n.log; echo "fuzz-check: $$n failed on a committed input"; exit 1; }; \
	done
	@$(call fuzz_run,$(FUZZ_NAMES),$(FUZZ_CHECK_SECONDS))

-include $(FUZZ_LIB_OBJ:.o=.d)

# ---------------------------------------------------------------- baselines
# The committed baselines under baselines/ are real releases, extracted from
# Debian 12's packages with their -dbg debug info. `make baselines`
# regenerates them (the versions are the packages' upstream versions).
LIBDIR = /usr/lib/x86_64-linux-gnu
BASELINES = lua:5.1.5:liblua5.1.so.0 lua:5.3.6:liblua5.3.so.0 lua:5.4.4:liblua5.4.so.0 \
            gsl:2.7.1:libgsl.so.27

baselines: deps all
	@set -e; for b in $(BASELINES); do \
	    lib=$${b%%:*}; rest=$${b#*:}; ver=$${rest%%:*}; so=$${rest#*:}; \
	    echo "baselines/$$lib/$$ver.json <- $(LIBDIR)/$$so"; \
	    mkdir -p baselines/$$lib; \
	    $(ABIGUARD) extract $(LIBDIR)/$$so -o baselines/$$lib/$$ver.json; \
	done

# `make demo`: the committed baselines loaded into a fresh database, then
# the lua timeline, its compatibility matrix and the 5.3 -> 5.4 diff.
DEMO_DB = $(BUILD)/demo.db

demo: deps all
	@rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(ABIGUARD) import-dir baselines --db $(DEMO_DB)
	$(ABIGUARD) list --db $(DEMO_DB)
	$(ABIGUARD) history lua --db $(DEMO_DB)
	$(ABIGUARD) matrix lua --db $(DEMO_DB)
	$(ABIGUARD) diff lua@5.3.6 lua@5.4.4 --db $(DEMO_DB) || test $$? -eq 12 -o $$? -eq 4

clean:
	rm -rf build build-asan $(FUZZ_BUILD)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(INTEG_OBJ:.o=.d)
