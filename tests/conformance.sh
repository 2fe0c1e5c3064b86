#!/usr/bin/env bash
# conformance.sh CLI DIR [JIT-MODE...]: runs every DIR/NAME.app.json with its
# op log through the CLI and compares the JSON dump byte for byte with
# NAME.expected.json (produced by the BosatsuUI JavaScript runtime).
# $VALGRIND, when set, is put in front of the CLI (make valgrind).
# Prints one line per failure and "conformance: N passed, N failed".
set -u
cli=$1; dir=$2; shift 2
modes=("${@:-off}")
[ -d "$dir" ] || { echo "conformance: no directory $dir" >&2; exit 1; }
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for app in "$dir"/*.app.json; do
  name=$(basename "$app" .app.json)
  ops="$dir/$name.ops.jsonl"; expected="$dir/$name.expected.json"
  for mode in "${modes[@]}"; do
    args=(run "$app" --dump=json --jit="$mode")
    [ -f "$ops" ] && args+=(--ops "$ops")
    if ${VALGRIND:-} "$cli" "${args[@]}" > "$tmp/out.json" 2> "$tmp/err" && cmp -s "$tmp/out.json" "$expected"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL $name (jit=$mode): $(head -c 300 "$tmp/err")"
      diff <(tr ',' '\n' < "$expected") <(tr ',' '\n' < "$tmp/out.json") | head -6
    fi
  done
done
echo "conformance: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
