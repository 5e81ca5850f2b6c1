#!/bin/sh
# Runs the release CLI under valgrind on the examples, our scenario files and
# every scenario input of corpus/: no leak and no invalid access allowed.
# Usage: memcheck.sh PATH_TO_IAMEVAL
bin=${1:-build/rel/iameval}
export IAMEVAL_NO_JIT=1   # see engine/match.c: valgrind cannot follow JIT code
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"
pass=0; fail=0
run() { # what, command...
    what=$1; shift
    $vg "$@" >/dev/null 2>"$tmp/vg"
    if [ $? -eq 99 ]; then fail=$((fail + 1)); echo "FAIL $what"; head -30 "$tmp/vg"; else pass=$((pass + 1)); fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run "simulate policies/" "$bin" simulate policies/
run "explain policies/" "$bin" explain --format json policies/
run "simulate tests/cases" "$bin" simulate tests/cases/
run "test tests/repo" "$bin" test --junit "$tmp/j.xml" --sarif "$tmp/s.sarif" tests/repo/suites tests/repo/failing
run "diff" "$bin" diff tests/repo/diff/before.json tests/repo/diff/after.json
for f in corpus/scenario/* corpus/regressions/scenario-*; do
    [ -f "$f" ] || continue
    case "$f" in *.note|*.md) continue ;; esac
    cp "$f" "$tmp/input.json"
    run "simulate $f" "$bin" simulate "$tmp/input.json"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
