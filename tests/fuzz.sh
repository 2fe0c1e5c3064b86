#!/usr/bin/env bash
# fuzz.sh: builds and runs bindjit's libFuzzer targets (tests/fuzz/*.c):
#   fuzz_app        the app loader (bj_load_buffer), first flush, HTML, dump
#   fuzz_oplog      the op-log reader and replay on a fixed app
#   fuzz_transform  the transform compiler and evaluator (src/xform.h)
# Each is linked with the library sources built with clang and
# -fsanitize=fuzzer,address,undefined into build/fuzz/.
#
# Usage:
#   tests/fuzz.sh smoke               build, run each target for
#                                     $FUZZ_SMOKE_SECONDS (10) on a temporary
#                                     copy of its seed corpus; exit 1 on any
#                                     crash, leak, timeout or OOM (make test,
#                                     make fuzz-smoke)
#   tests/fuzz.sh long [SECONDS]      build, run each target SECONDS (300)
#                                     on the persistent corpus
#                                     build/fuzz/corpus/TARGET (seeded from
#                                     tests/fuzz/corpus/); keeps going after a
#                                     crash and saves every finding; exit 1
#                                     if there was any (make fuzz
#                                     FUZZ_SECONDS=...)
#   tests/fuzz.sh build               only build build/fuzz/fuzz_*
#   tests/fuzz.sh repro TARGET FILE... run TARGET on saved inputs (no
#                                     fuzzing) and show the sanitizer report
# Environment: FUZZ_TARGETS="fuzz_app ..." picks targets; FUZZ_JOBS=N runs
# N parallel fuzzing processes per target in long mode (default 1);
# FUZZ_CC=clang-14 picks the compiler; FUZZ_RSS_MB (2048) the memory limit;
# FUZZ_BUILD (build/fuzz) the output directory; FUZZ_EXTRA_CFLAGS adds
# compiler flags (e.g. -fsanitize-recover=pointer-overflow, with
# UBSAN_OPTIONS=suppressions=FILE, to fuzz past a known UB report).
#
# Long fuzzing, by hand:
#   make fuzz FUZZ_SECONDS=1800            # or: tests/fuzz.sh long 1800
#   FUZZ_JOBS=4 FUZZ_TARGETS=fuzz_transform tests/fuzz.sh long 600
# Findings are written to build/fuzz/artifacts/MODE-DATE/TARGET/ as
# crash-*, leak-*, timeout-*, oom-* files (the raw input). To reproduce one:
#   tests/fuzz.sh repro fuzz_app build/fuzz/artifacts/.../crash-<sha1>
# which is the same as running build/fuzz/fuzz_app on the file; it prints
# the sanitizer's stack trace (full stacks for leaks, even through
# jansson). Once fixed, add the input to tests/fuzz/corpus/{app,oplog,
# transform}/ so every smoke run replays it; minimize it first with
#   build/fuzz/TARGET -minimize_crash=1 -runs=10000 FILE
# To keep fuzzing past a known leak, LSAN_OPTIONS=suppressions=FILE with a
# line such as "leak:some_function".
set -euo pipefail

cd "$(dirname "$0")/.."

MODE=${1:-smoke}
FUZZ_CC=${FUZZ_CC:-clang}
OUT=${FUZZ_BUILD:-build/fuzz}
RSS_MB=${FUZZ_RSS_MB:-2048}
TARGETS=${FUZZ_TARGETS:-fuzz_app fuzz_oplog fuzz_transform}

STD="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L"
WARN="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter"
SAN="-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=undefined ${FUZZ_EXTRA_CFLAGS:-}"
LIBS="-ljansson -ltcc -ldl -lpthread -lm"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

die() { echo "fuzz.sh: $*" >&2; exit 1; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
    exit 2
}

check_toolchain() {
    command -v "$FUZZ_CC" >/dev/null 2>&1 ||
        die "$FUZZ_CC not found: install the Debian packages clang and libclang-rt-14-dev (scripts/deps.sh test, as root)"
    local t
    t=$(mktemp -d)
    printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$t/probe.c"
    if ! "$FUZZ_CC" -fsanitize=fuzzer,address,undefined "$t/probe.c" -o "$t/probe" 2> "$t/err"; then
        cat "$t/err" >&2
        rm -rf "$t"
        die "$FUZZ_CC cannot link -fsanitize=fuzzer,address,undefined: the libFuzzer and sanitizer runtimes are missing; install the Debian package libclang-rt-14-dev (scripts/deps.sh test, as root)"
    fi
    rm -rf "$t"
    printf '#include <jansson.h>\n' | "$FUZZ_CC" -E -x c - >/dev/null 2>&1 ||
        die "jansson.h not found: install the Debian package libjansson-dev (scripts/deps.sh build)"
}

# Builds the library objects once (rebuilt when a source or header is newer)
# and links each target against them.
build() {
    check_toolchain
    mkdir -p "$OUT/obj"
    # One build at a time per output directory (make test and make fuzz-smoke
    # may run together); the lock is released before fuzzing.
    if command -v flock >/dev/null 2>&1; then
        exec 9> "$OUT/.build-lock"
        flock 9
    fi
    local src obj h stale objs=() pids=() t all=0 flags="$FUZZ_CC $STD $WARN $SAN"
    # Different flags (FUZZ_CC, FUZZ_EXTRA_CFLAGS) rebuild everything.
    [ "$(cat "$OUT/obj/flags" 2>/dev/null)" = "$flags" ] || { all=1; rm -f "$OUT/obj/flags"; }
    for src in src/*.c; do
        obj="$OUT/obj/$(basename "${src%.c}").o"
        objs+=("$obj")
        stale=$all
        [ -f "$obj" ] || stale=1
        for h in "$src" src/*.h include/*.h tests/fuzz.sh; do
            [ "$h" -nt "$obj" ] && stale=1
        done
        if [ "$stale" -eq 1 ]; then
            echo "fuzz.sh: CC $src"
            # shellcheck disable=SC2086
            "$FUZZ_CC" $STD $WARN $SAN -fsanitize=fuzzer-no-link,address,undefined \
                -Iinclude -Isrc -c "$src" -o "$obj" &
            pids+=($!)
        fi
    done
    local bad=0
    for h in "${pids[@]}"; do wait "$h" || bad=1; done
    [ "$bad" -eq 0 ] || die "the library does not compile with $FUZZ_CC (see above)"
    echo "$flags" > "$OUT/obj/flags"
    for t in $TARGETS; do
        [ -f "tests/fuzz/$t.c" ] || die "no such target: tests/fuzz/$t.c"
        echo "fuzz.sh: LINK $OUT/$t"
        # shellcheck disable=SC2086
        "$FUZZ_CC" $STD $WARN $SAN -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
            "tests/fuzz/$t.c" "${objs[@]}" $LIBS -o "$OUT/$t"
    done
    if command -v flock >/dev/null 2>&1; then exec 9>&-; fi
}

corpus_name() { echo "${1#fuzz_}"; }

dict_opt() {
    local d
    d="tests/fuzz/$(corpus_name "$1").dict"
    if [ -f "$d" ]; then echo "-dict=$d"; fi
}

# Pulls "exec/s" and the number of runs out of a libFuzzer log.
stats_of() {
    local log=$1 runs rate cov
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
    # Fork mode or a crash: the last status line.
    [ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#' || true)
    [ -n "$rate" ] || rate=$(grep -o 'exec/s:\{0,1\} [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$' || true)
    echo "runs=${runs:-?} exec/s=${rate:-?} cov=${cov:-?}"
}

# run_target TARGET SECONDS CORPUS_DIR ARTIFACT_DIR LOG [extra libFuzzer flags]
run_target() {
    local t=$1 secs=$2 corpus=$3 art=$4 log=$5
    shift 5
    mkdir -p "$art"
    # shellcheck disable=SC2046
    "$OUT/$t" -max_total_time="$secs" -rss_limit_mb="$RSS_MB" -print_final_stats=1 \
        -artifact_prefix="$art/" $(dict_opt "$t") "$@" "$corpus" > "$log" 2>&1
}

findings_in() {
    find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
        -o -name 'oom-*' \) 2>/dev/null || true
}

# The sanitizer's or the target's report in a log, without libFuzzer frames.
report() {
    grep -E 'ERROR|SUMMARY|check failed|runtime error|leak of|    #[0-9]+ 0x' "$1" |
        grep -v -E 'in fuzzer::|libc_start|in _start|sanitizer_print_stack|pthread_kill|raise|abort |in main ' |
        head -n 30 || true
}

fuzz_mode() {
    local mode=$1 secs=$2 stamp t corpus art log rc failed=0 summary=() found
    stamp="$mode-$(date +%Y%m%d-%H%M%S)"
    if [ "$mode" = smoke ]; then
        SMOKE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bindjit-fuzz.XXXXXX")
        trap 'rm -rf "$SMOKE_TMP"' EXIT
    fi
    for t in $TARGETS; do
        art="$OUT/artifacts/$stamp/$t"
        log="$OUT/logs/$stamp-$t.log"
        mkdir -p "$OUT/logs"
        if [ "$mode" = smoke ]; then
            corpus="$SMOKE_TMP/$t"
            mkdir -p "$corpus"
            cp tests/fuzz/corpus/"$(corpus_name "$t")"/* "$corpus"/ 2>/dev/null || true
            echo "fuzz.sh: $t for ${secs}s (log $log)"
            set +e
            run_target "$t" "$secs" "$corpus" "$art" "$log" -timeout=25
            rc=$?
            set -e
        else
            corpus="$OUT/corpus/$t"
            mkdir -p "$corpus"
            cp -n tests/fuzz/corpus/"$(corpus_name "$t")"/* "$corpus"/ 2>/dev/null || true
            echo "fuzz.sh: $t for ${secs}s, ${FUZZ_JOBS:-1} job(s), corpus $corpus (log $log)"
            set +e
            run_target "$t" "$secs" "$corpus" "$art" "$log" -timeout=60 \
                -fork="${FUZZ_JOBS:-1}" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
            rc=$?
            set -e
        fi
        found=$(findings_in "$art")
        if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
            failed=1
            summary+=("FAIL  $t  $(stats_of "$log")  exit=$rc")
            echo "fuzz.sh: $t FAILED (exit $rc, $(printf '%s' "$found" | grep -c .) finding(s))"
            f=$(printf '%s\n' "$found" | head -n 1)
            if [ -n "$f" ]; then
                # The first finding replayed with full stacks (a leak inside
                # jansson otherwise shows no frame of ours).
                echo "fuzz.sh: replaying $f:"
                ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" "$OUT/$t" "$f" > "$log.replay" 2>&1 || true
                report "$log.replay"
            else
                report "$log"
            fi
            for f in $found; do
                summary+=("      finding: $f")
                summary+=("      reproduce: tests/fuzz.sh repro $t $f")
            done
        else
            summary+=("ok    $t  $(stats_of "$log")")
        fi
        if [ -n "$(ls -A "$art" 2>/dev/null)" ]; then :; else rmdir "$art" 2>/dev/null || true; fi
    done
    rmdir "$OUT/artifacts/$stamp" 2>/dev/null || true
    echo
    echo "fuzz.sh $mode summary (${secs}s per target, logs in $OUT/logs/):"
    printf '  %s\n' "${summary[@]}"
    if [ "$failed" -ne 0 ]; then
        echo "fuzz.sh: FAILED: the fuzzers found problems (see above)" >&2
        return 1
    fi
    echo "fuzz.sh: all targets clean"
}

case "$MODE" in
smoke)
    build
    fuzz_mode smoke "${FUZZ_SMOKE_SECONDS:-10}"
    ;;
long)
    secs=${2:-300}
    case "$secs" in ''|*[!0-9]*) die "long: SECONDS must be a number, not '$secs'";; esac
    build
    fuzz_mode long "$secs"
    ;;
build)
    build
    ;;
repro)
    [ $# -ge 3 ] || usage
    t=$2
    shift 2
    TARGETS=$t build
    echo "fuzz.sh: running $OUT/$t on $*"
    ASAN_OPTIONS="$ASAN_OPTIONS:fast_unwind_on_malloc=0" exec "$OUT/$t" "$@"
    ;;
-h|--help|help)
    usage
    ;;
*)
    usage
    ;;
esac
