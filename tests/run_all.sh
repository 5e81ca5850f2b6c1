#!/bin/sh
# Runs every test program and adds up their closing "N passed, N failed[, N skipped]"
# lines into one. Usage: run_all.sh BUILD_DIR TEST_BINARY...
build=$1; shift
total_pass=0; total_fail=0; total_skip=0; broken=""
log=$(mktemp); trap 'rm -f "$log"' EXIT

tally() { # name, then the output file of one program, then its exit status
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
    if [ -z "$line" ]; then
        broken="$broken $1"; total_fail=$((total_fail + 1)); return
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; broken="$broken $1"; fi
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
    printf '%-28s %s\n' "$1" "$line"
}

for t in "$@"; do
    name=$(basename "$t")
    "$t" >"$log" 2>&1; rc=$?
    grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log" | grep -E 'FAIL|ERROR|runtime error|Sanitizer' | head -50
    tally "$name" "$log" $rc
done

# Script tests: the CLI end to end (exit codes, formats), rule coverage.
for script in tests/*.sh; do
    case "$script" in */run_all.sh) continue ;; esac
    name=$(basename "$script")
    sh "$script" "$build/iameval" >"$log" 2>&1; rc=$?
    grep -E 'FAIL' "$log" | head -50
    tally "$name" "$log" $rc
done

# Every input that ever broke the engine, replayed through each harness.
for r in "$build"/fuzz/replay_*; do
    [ -x "$r" ] || continue
    target=${r##*/replay_}
    "$r" "corpus/$target" corpus/regressions >"$log" 2>&1; rc=$?
    grep -E 'FAIL|ERROR|runtime error|Sanitizer' "$log" | head -20
    tally "replay_$target" "$log" $rc
done

[ -n "$broken" ] && echo "programs that crashed or printed no summary:$broken"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
