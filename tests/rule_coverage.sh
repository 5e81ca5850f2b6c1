#!/bin/sh
# Every rule of the spec's checklist (section 8) must have a test named after
# its id: a scenario under tests/cases/ whose name starts with "ID: ", or a
# unit test check CHECK_NAMED("ID", ...) in tests/*.c. A rule without one is
# a failure, so a rule can never silently lose its test.
spec=${SPEC:-../shared/spec/iam-semantics.md}
if [ ! -f "$spec" ]; then
    echo "rule_coverage: $spec not found"; echo "0 passed, 1 failed"; exit 1
fi
ids=$(sed -n '/^## 8\. Checklist/,$p' "$spec" | grep -E '^\| ☐ \|' | awk -F'|' '{gsub(/ /,"",$3); if ($3 != "id") print $3}')
pass=0; fail=0
for id in $ids; do
    if grep -rqF "\"$id: " tests/cases 2>/dev/null || grep -qF "CHECK_NAMED(\"$id\"" tests/*.c 2>/dev/null; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL rule $id has no test named after it"
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
