# bindjit: plain Makefile. Targets:
#   make            library (static + shared) and the bindjit CLI into build/
#   make demo       run an example app with its op log, writing build/NAME.html
#   make test       unit tests, conformance cases, fuzz smoke runs, bench --quick
#   make asan       the tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   make valgrind   every conformance case through the CLI under valgrind
#   make fuzz       longer libFuzzer runs (FUZZ_SECONDS per target)
#   make bench      build and run the benchmark
#   make install PREFIX=/usr/local
# Missing Debian packages are installed by scripts/deps.sh (as root) or the
# command to install them is printed.

PREFIX ?= /usr/local
CC ?= cc
SHARED ?= ../shared
BUILD ?= build
OPT ?= -O2 -g
STD = -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CFLAGS_ALL = $(STD) $(WARN) $(OPT) -fPIC -Iinclude -Isrc $(EXTRA_CFLAGS) $(CFLAGS)
LIBS = -ljansson -ltcc -ldl -lpthread -lm

SRC = $(wildcard src/*.c)
OBJ = $(SRC:src/%.c=$(BUILD)/obj/%.o)
TOOL_SRC = $(wildcard tools/*.c)
TEST_SRC = $(wildcard tests/test_*.c)
BENCH_SRC = $(wildcard bench/*.c)

LIB_A = $(BUILD)/libbindjit.a
LIB_SO = $(BUILD)/libbindjit.so
CLI = $(BUILD)/bindjit
UNIT = $(BUILD)/test_unit
DEPS_STAMP = $(BUILD)/.deps-build
TEST_DEPS_STAMP = $(BUILD)/.deps-test

DEMO ?= examples/comments

.PHONY: demo all test unit conformance asan valgrind fuzz fuzz-smoke bench callgrind install clean deps

all: $(LIB_A) $(LIB_SO) $(CLI)

$(DEPS_STAMP):
	@mkdir -p $(BUILD)
	@scripts/deps.sh build
	@touch $@

$(TEST_DEPS_STAMP):
	@mkdir -p $(BUILD)
	@scripts/deps.sh test
	@touch $@

deps: $(DEPS_STAMP) $(TEST_DEPS_STAMP)

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) include/bindjit.h | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(LIB_A): $(OBJ)
	@rm -f $@
	ar rcs $@ $^

$(LIB_SO): $(OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LIBS)

$(CLI): $(TOOL_SRC) $(BENCH_SRC) $(wildcard bench/*.h) $(LIB_A)
	$(CC) $(CFLAGS_ALL) -Ibench -Itools -o $@ $(TOOL_SRC) $(BENCH_SRC) $(LIB_A) $(LDFLAGS) $(LIBS)

$(UNIT): $(TEST_SRC) $(wildcard tests/*.h) $(LIB_A) | $(TEST_DEPS_STAMP)
	$(CC) $(CFLAGS_ALL) -Wno-error=missing-field-initializers -DBJ_SHARED_DIR='"$(SHARED)"' \
	    -o $@ $(TEST_SRC) $(LIB_A) $(LDFLAGS) $(LIBS) -lcriterion

# The README's test command. Everything it needs is installed first.
test: $(TEST_DEPS_STAMP) all $(UNIT)
	$(UNIT) --jobs=2
	tests/conformance.sh $(CLI) $(SHARED)/conformance
	@if [ -x tests/fuzz.sh ]; then tests/fuzz.sh smoke; fi
	@if grep -q '"bench"' tools/bindjit.c 2>/dev/null; then $(CLI) bench --quick > $(BUILD)/bench-quick.md && echo "bench --quick: ok"; fi

# Sanitizers: a separate build tree so flags never mix.
# clang's UndefinedBehaviorSanitizer checks more than gcc's (e.g. NULL + 0).
ASAN_CC ?= clang
asan:
	$(MAKE) CC=$(ASAN_CC) BUILD=build/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test-asan-inner

test-asan-inner: $(TEST_DEPS_STAMP) all $(UNIT)
	ASAN_OPTIONS=detect_leaks=1 $(UNIT) --jobs=2
	tests/conformance.sh $(CLI) $(SHARED)/conformance

valgrind: $(TEST_DEPS_STAMP) all
	VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect" \
	    tests/conformance.sh $(CLI) $(SHARED)/conformance

# libFuzzer targets (tests/fuzz/*.c, built into build/fuzz/ by tests/fuzz.sh):
# a short bounded run of each, and longer runs of FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 300

fuzz-smoke: $(TEST_DEPS_STAMP)
	tests/fuzz.sh smoke

fuzz: $(TEST_DEPS_STAMP)
	tests/fuzz.sh long $(FUZZ_SECONDS)

# The main job: run an example app with its op log and write the HTML.
demo: all
	$(CLI) run $(DEMO).app.json --ops $(DEMO).ops.jsonl --stats --output $(BUILD)/$(notdir $(DEMO)).html
	@echo "wrote $(BUILD)/$(notdir $(DEMO)).html"

# The benchmark (bench/, docs/performance.md): the full run with its JSON
# and chart, then every example app that has an op log.
bench: all
	$(CLI) bench --json $(BUILD)/bench.json --svg $(BUILD)/bench.svg
	@for app in examples/*.app.json; do \
	    ops=$${app%.app.json}.ops.jsonl; \
	    if [ -f "$$ops" ]; then $(CLI) bench --app "$$app" --ops "$$ops" || exit 1; fi; \
	done

# Instructions per op of one workload and variant, counted by callgrind in
# the measured function only (stable where wall time is not):
#   make callgrind WORKLOAD=plain N=1000 VARIANT=map [OPS=100000]
WORKLOAD ?= plain
N ?= 1000
VARIANT ?= map
OPS ?= 100000
CALLGRIND_OUT = $(BUILD)/callgrind.$(WORKLOAD).$(N).$(VARIANT).out

callgrind: all
	valgrind --tool=callgrind --toggle-collect=bench_only_measured --callgrind-out-file=$(CALLGRIND_OUT) \
	    $(CLI) bench --only $(WORKLOAD):$(N):$(VARIANT) --ops-count $(OPS)
	@awk -v ops=$(OPS) '/^totals:/ { printf "callgrind $(WORKLOAD):$(N):$(VARIANT): %.1f instructions/op (%s instructions, %d ops; $(CALLGRIND_OUT))\n", $$2 / ops, $$2, ops }' $(CALLGRIND_OUT)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 $(LIB_A) $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	install -m 644 include/bindjit.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(CLI) $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|g' bindjit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bindjit.pc

clean:
	rm -rf build
