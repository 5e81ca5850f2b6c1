#!/bin/sh
# Explanations compared with reviewed golden files: `iameval explain --format
# json` of each example must stay byte for byte what tests/golden/ holds.
# After an intended change, regenerate with UPDATE_GOLDEN=1 and review the diff.
bin=${1:-build/rel/iameval}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for input in policies/*.json tests/repo/suites/deployer.json; do
    golden=tests/golden/explain-$(basename "$input" .json).jsonl
    "$bin" explain --format json "$input" >"$tmp/out" 2>"$tmp/err"
    if [ -n "$UPDATE_GOLDEN" ]; then cp "$tmp/out" "$golden"; fi
    if cmp -s "$tmp/out" "$golden"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL $input: explanation differs from $golden"
        diff "$golden" "$tmp/out" | head -10
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
