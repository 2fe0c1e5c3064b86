#!/usr/bin/env bash
# deps.sh: makes sure the Debian packages bindjit builds with are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact command to run and fails. Usage: scripts/deps.sh [build|test|fuzz|all]
set -euo pipefail

want=(gcc make pkg-config libjansson-dev libtcc-dev)
case "${1:-build}" in
  build) ;;
  test) want+=(libcriterion-dev valgrind clang libclang-rt-14-dev) ;;
  fuzz|all) want+=(libcriterion-dev valgrind clang libclang-rt-14-dev) ;;
  *) echo "usage: $0 [build|test|fuzz|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
