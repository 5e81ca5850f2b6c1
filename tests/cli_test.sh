#!/bin/sh
# The iameval command end to end: exit codes, output formats, explain.
# Usage: cli_test.sh PATH_TO_IAMEVAL
bin=${1:-build/rel/iameval}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
expect_exit() { # want, description, command...
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; sed 's/^/    /' "$tmp/err" | head -5; fi
}
contains() { # file, text, description
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: no \"$2\" in output"; sed 's/^/    /' "$1" | head -5; fi
}

expect_exit 0 "--version" "$bin" --version
contains "$tmp/out" "iameval 0.1.0" "--version"
expect_exit 0 "--help" "$bin" --help
contains "$tmp/out" "simulate" "--help"
expect_exit 2 "no arguments" "$bin"
expect_exit 2 "unknown command" "$bin" frobnicate
expect_exit 2 "unknown option" "$bin" simulate --bogus policies
expect_exit 2 "unknown format" "$bin" simulate --format xml policies

# The examples all pass, with a summary line last.
expect_exit 0 "simulate policies/" "$bin" simulate policies/
tail -n 1 "$tmp/out" | grep -qE '^[0-9]+ passed, 0 failed$' && ok || bad "summary line last"
contains "$tmp/out" "PASS  allowed" "text lines"

# JSON lines carry file, name, decision, expect, ok.
expect_exit 0 "simulate --format json" "$bin" simulate --format json policies/s3-home-folders.json
head -n 1 "$tmp/out" | grep -q '^{"file":"policies/s3-home-folders.json","name":"alice reads her own home folder through ${aws:username}","decision":"allowed","expect":"allowed","ok":true}$' && ok || bad "json line shape: $(head -n 1 "$tmp/out")"

# A scenario whose expectation differs exits 1 and says FAIL.
cat >"$tmp/mismatch.json" <<'J'
{"name": "wrong expectation", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
 "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k", "resource_account": "111122223333"},
 "identity_policies": [], "expect": "allowed"}
J
expect_exit 1 "mismatch exits 1" "$bin" simulate "$tmp/mismatch.json"
contains "$tmp/out" "FAIL  implicitDeny" "mismatch line"
contains "$tmp/out" "0 passed, 1 failed" "mismatch summary"
expect_exit 0 "--expect overrides" "$bin" simulate --expect implicitDeny "$tmp/mismatch.json"
expect_exit 0 "--expect deny" "$bin" simulate --expect deny "$tmp/mismatch.json"
expect_exit 1 "--explain on failure" "$bin" simulate --explain "$tmp/mismatch.json"
contains "$tmp/out" "because the identity-based policies have no applicable Allow" "--explain report"

# No expect: "-" and exit 0.
sed 's/, "expect": "allowed"//' "$tmp/mismatch.json" >"$tmp/noexpect.json"
expect_exit 0 "no expect" "$bin" simulate "$tmp/noexpect.json"
contains "$tmp/out" "-     implicitDeny" "no-expect line"

# A malformed policy: exit 2 with file:line:column, unless the scenario expects an error.
cat >"$tmp/badeffect.json" <<'J'
{"name": "bad effect",
 "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"},
 "identity_policies": [{"Version": "2012-10-17", "Statement": [
   {"Effect": "allow", "Action": "s3:*", "Resource": "*"}]}]}
J
expect_exit 2 "malformed policy" "$bin" simulate "$tmp/badeffect.json"
contains "$tmp/err" "badeffect.json:4:15: Effect must be \"Allow\" or \"Deny\", not \"allow\"" "error position"
contains "$tmp/err" "(at \$.identity_policies[0].Statement[0].Effect)" "error path"
sed 's/}\]}\]}$/}]}], "expect": "error"}/' "$tmp/badeffect.json" >"$tmp/experror.json"
expect_exit 0 "expected error passes" "$bin" simulate "$tmp/experror.json"
contains "$tmp/out" "PASS  error" "expected error line"

# JSONL scenario files, one scenario per line.
printf '%s\n' '{"name":"l1","request":{"principal":"arn:aws:iam::111122223333:root","action":"s3:ListAllMyBuckets","resource":"*"},"expect":"allowed"}' \
    '' '{"name":"l2","request":{"principal":"lambda.amazonaws.com","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"},"expect":"implicitDeny"}' >"$tmp/s.jsonl"
expect_exit 0 "jsonl" "$bin" simulate "$tmp/s.jsonl"
contains "$tmp/out" "2 passed, 0 failed" "jsonl summary"
printf '%s\n' '{"name":"l1"' >"$tmp/broken.jsonl"
expect_exit 2 "broken jsonl" "$bin" simulate "$tmp/broken.jsonl"
contains "$tmp/err" "broken.jsonl:1:" "jsonl error line"

# Missing files and empty directories.
expect_exit 2 "missing file" "$bin" simulate "$tmp/nope.json"
mkdir "$tmp/empty"
expect_exit 2 "empty directory" "$bin" simulate "$tmp/empty"
contains "$tmp/err" "empty: no .json or .jsonl files" "empty directory message"

# explain: text and JSON.
expect_exit 0 "explain" "$bin" explain --no-color policies/developer-boundary.json
contains "$tmp/out" "decision: implicitDeny" "explain decision"
contains "$tmp/out" "because the permissions boundary has no applicable Allow" "explain reason"
expect_exit 0 "explain json" "$bin" explain --format json policies/cross-account-bucket.json
contains "$tmp/out" '"decisive":[{"layer":"resource"' "explain json decisive"
contains "$tmp/out" '"reasons":[{"code":"explicit_deny"' "explain json reason"

# Suites with defaults and policies referenced by file, loaded once.
expect_exit 0 "suite" "$bin" simulate tests/repo/suites/deployer.json
contains "$tmp/out" "4 passed, 0 failed" "suite summary"
cat >"$tmp/missingref.json" <<'J'
{"defaults": {"request": {"principal": "arn:aws:iam::111122223333:user/a", "resource": "*"},
              "identity_policies": [{"file": "no/such/policy.json"}]},
 "scenarios": [{"name": "x", "request": {"action": "s3:ListAllMyBuckets"}, "expect": "allowed"}]}
J
expect_exit 2 "missing referenced policy" "$bin" simulate "$tmp/missingref.json"
contains "$tmp/err" "no/such/policy.json: cannot open" "missing reference message"
contains "$tmp/err" "(referenced from $tmp/missingref.json:2:37)" "missing reference origin"
cat >"$tmp/badsuite.json" <<'J'
{"defaults": {}, "scenarios": [], "extra": 1}
J
expect_exit 2 "unknown suite field" "$bin" simulate "$tmp/badsuite.json"
contains "$tmp/err" "unknown suite field \"extra\"" "unknown suite field message"

# iameval test: a CI step with JUnit XML and SARIF reports.
expect_exit 0 "test passing suite" "$bin" test --junit "$tmp/ok.xml" tests/repo/suites
contains "$tmp/out" "4 passed, 0 failed" "test summary"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$tmp/ok.xml" && ok || bad "JUnit XML of a passing run is not well-formed"
fi
expect_exit 1 "test failing suite" "$bin" test --junit "$tmp/fail.xml" --sarif "$tmp/fail.sarif" tests/repo/failing
contains "$tmp/out" "1 passed, 2 failed" "failing summary"
contains "$tmp/out" "FAIL  tests/repo/failing/wrong-expectations.json:9: wrong: delete <is> \"allowed\" & more: expected allowed, got explicitDeny" "failure line"
contains "$tmp/out" "because an applicable Deny statement decides" "failure explanation"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$tmp/fail.xml" && ok || bad "JUnit XML of a failing run is not well-formed"
    [ "$(xmllint --xpath 'count(//testcase)' "$tmp/fail.xml")" = 3 ] && ok || bad "JUnit testcase count"
    [ "$(xmllint --xpath 'count(//testcase/failure)' "$tmp/fail.xml")" = 2 ] && ok || bad "JUnit failure count"
    xmllint --xpath 'string(//testcase[@name="wrong: invoke is allowed"]/failure/@message)' "$tmp/fail.xml" | grep -qx "expected allowed, got implicitDeny" && ok || bad "JUnit failure message"
    xmllint --xpath 'string(//testcase[@name="wrong: invoke is allowed"]/failure)' "$tmp/fail.xml" | grep -q "identity-based policies have no applicable Allow" && ok || bad "JUnit failure carries the explanation"
fi
python3 - "$tmp/fail.sarif" <<'PY' && ok || bad "SARIF of the failing run"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0"
run = d["runs"][0]
assert run["tool"]["driver"]["name"] == "iameval"
res = run["results"]
assert len(res) == 2, res
loc = res[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "tests/repo/failing/wrong-expectations.json"
assert loc["region"]["startLine"] == 9 and loc["region"]["startColumn"] >= 1
assert res[0]["ruleId"] == "decision-mismatch" and "expected allowed, got explicitDeny" in res[0]["message"]["text"]
PY
expect_exit 2 "test without expect" "$bin" test "$tmp/noexpect.json"

# iameval diff: the newly allowed requests of a known change, found in advance.
expect_exit 1 "diff finds new access" "$bin" diff tests/repo/diff/before.json tests/repo/diff/after.json
if diff -u tests/repo/diff/expected.txt "$tmp/out" >"$tmp/d"; then ok; else bad "diff output differs from tests/repo/diff/expected.txt"; head -20 "$tmp/d"; fi
expect_exit 0 "diff --allow-new" "$bin" diff --allow-new tests/repo/diff/before.json tests/repo/diff/after.json
expect_exit 0 "diff reversed: only newly denied" "$bin" diff tests/repo/diff/after.json tests/repo/diff/before.json
contains "$tmp/out" "0 newly allowed, 11 newly denied" "reversed diff summary"
contains "$tmp/out" "NEWLY DENIED   s3:PutObject arn:aws:s3:::artifacts/releases/x (allowed -> implicitDeny)" "reversed diff line"
expect_exit 0 "diff of a setup with itself" "$bin" diff tests/repo/diff/before.json tests/repo/diff/before.json
contains "$tmp/out" "0 newly allowed, 0 newly denied, 0 other changes" "no change"
expect_exit 1 "diff --requests" "$bin" diff --requests tests/repo/diff/requests.jsonl tests/repo/diff/before.json tests/repo/diff/after.json
contains "$tmp/out" "2 newly allowed, 0 newly denied, 0 other changes, of 4 requests" "diff --requests summary"
contains "$tmp/out" 'NEWLY ALLOWED  lambda:UpdateFunctionCode arn:aws:lambda:eu-west-1:111122223333:function:app-api (implicitDeny -> allowed) context {"aws:RequestedRegion":"us-east-1"}' "diff --requests line"
expect_exit 1 "diff --format json" "$bin" diff --format json tests/repo/diff/before.json tests/repo/diff/after.json
python3 -c "import json,sys; rows=[json.loads(l) for l in open('$tmp/out')]; assert len(rows)==11 and all(r['change']=='newly-allowed' for r in rows)" && ok || bad "diff json rows"
expect_exit 2 "diff of a missing setup" "$bin" diff tests/repo/diff/before.json "$tmp/nope.json"

# iameval batch: output in input order whatever the thread count, error lines
# numbered as lines of the file (here in the last of several chunks), exit 1
# on a failed expectation, a summary on stderr.
cat >"$tmp/setup.json" <<'J'
{"identity_policies": [{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}]}
J
python3 - "$tmp/requests.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 301):
        action = "s3:GetObject" if i % 3 else "s3:PutObject"
        line = {"name": f"r{i}", "request": {"principal": "arn:aws:iam::111122223333:user/alice",
                "action": action, "resource": f"arn:aws:s3:::b/k{i}"},
                "expect": "allowed" if i % 3 else "implicitDeny"}
        if i == 290:
            line["request"]["action"] = "s3-no-colon"
            line["expect"] = "error"
        f.write(json.dumps(line) + "\n")
        if i == 150:
            f.write("\n")   # a blank line still counts for line numbers
PY
for t in 1 2 3; do
    expect_exit 0 "batch --threads $t" "$bin" batch --threads $t "$tmp/setup.json" "$tmp/requests.jsonl"
    cp "$tmp/out" "$tmp/batch$t.out"
    contains "$tmp/err" "300 requests" "batch --threads $t summary"
    contains "$tmp/err" "300 passed, 0 failed, 1 errors" "batch --threads $t counts"
done
python3 - "$tmp/batch1.out" <<'PY' && ok || bad "batch output order and shape"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["name"] for r in rows] == [f"r{i}" for i in range(1, 301)], "order"
assert rows[0] == {"name": "r1", "decision": "allowed", "ok": True}, rows[0]
assert rows[2]["decision"] == "implicitDeny"
err = rows[289]
assert err["decision"] == "error" and err["ok"] is True, err
assert ":291:" in err["error"], err["error"]   # line 290 of requests, after the blank line
PY
if cmp -s "$tmp/batch1.out" "$tmp/batch2.out" && cmp -s "$tmp/batch1.out" "$tmp/batch3.out"; then ok; else bad "batch output differs between thread counts"; fi
sed 's/"expect": "implicitDeny"/"expect": "allowed"/' "$tmp/requests.jsonl" >"$tmp/wrong.jsonl"
expect_exit 1 "batch with failed expectations" "$bin" batch --threads 2 "$tmp/setup.json" "$tmp/wrong.jsonl"
contains "$tmp/err" "200 passed, 100 failed" "batch failed count"
expect_exit 2 "batch of a missing requests file" "$bin" batch "$tmp/setup.json" "$tmp/nope.jsonl"
expect_exit 2 "batch --threads 0" "$bin" batch --threads 0 "$tmp/setup.json" "$tmp/requests.jsonl"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
