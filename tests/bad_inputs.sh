#!/bin/sh
# Bad input through the CLI, one test per class: `iameval simulate FILE` must
# exit 2 for input that cannot be read or is invalid when nobody expected it
# (0 when the scenario says "expect": "error"), and say on stderr where the
# problem is: FILE:LINE:COLUMN for anything inside a file, the path for a
# file or directory that cannot be used. the README's "Bad input and limits" table lists each
# class with its message.
#
# Usage: tests/bad_inputs.sh PATH/TO/iameval
# Ends with "N passed, N failed" (tests/run_all.sh adds it up).
# IAMEVAL_SKIP_HUGE_FILE=1 skips the 256 MiB file (a sparse file, but the
# CLI reads it all before refusing it).
bin=${1:?usage: $0 PATH/TO/iameval}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
passed=0
failed=0
dir=$(mktemp -d "${TMPDIR:-/tmp}/iameval-bad.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$dir" 2>/dev/null; rm -rf "$dir"' EXIT
cd "$dir" || exit 1

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

# check NAME EXPECTED_EXIT STDERR_REGEX ARG...: runs `iameval simulate ARG...`
check() {
    name=$1 want=$2 regex=$3
    shift 3
    "$bin" simulate "$@" >out.txt 2>err.txt
    rc=$?
    # BAD_INPUTS_VERBOSE=1 shows each message (how the README's table was made)
    [ -n "${BAD_INPUTS_VERBOSE:-}" ] && echo "  exit $rc: $(cut -c1-400 err.txt | head -n 3)"
    if [ "$rc" -ne "$want" ]; then
        fail "$name" "exit $rc, want $want; stderr: $(head -c 300 err.txt)"
    elif [ -n "$regex" ] && ! grep -q -E -- "$regex" err.txt; then
        fail "$name" "stderr does not match /$regex/: $(head -c 300 err.txt)"
    elif grep -q -E 'runtime error|Sanitizer' err.txt; then
        fail "$name" "sanitizer report: $(grep -m 1 -E 'runtime error|Sanitizer' err.txt)"
    else
        pass "$name"
    fi
}

# col FILE LINE TEXT [NTH]: the column (1-based, ASCII) of the NTH (default
# first) occurrence of TEXT on line LINE of FILE: where an error must point.
col() {
    sed -n "$2p" "$1" | awk -v t="$3" -v n="${4:-1}" '{
        off = 0; s = $0
        for (k = 1; k <= n; k++) { i = index(s, t); if (i == 0) { print 0; exit }
            off += i; s = substr(s, i + 1) }
        print off }'
}

# A scenario whose identity policy is $1, on line 4 of the file.
scenario() {
    cat <<EOF
{"name": "bad input",
 "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject",
             "resource": "arn:aws:s3:::example-bucket/k", "resource_account": "111122223333"},
 "identity_policies": [$1],
 "expect": "${2:-allowed}"}
EOF
}

# 1. Invalid JSON: a trailing comma. The error points at the "}" after it.
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*",}}' >invalid-json.json
check "invalid JSON" 2 "^invalid-json\\.json:4:$(($(col invalid-json.json 4 ',}') + 1)): " invalid-json.json

# 2. Invalid UTF-8 in a string (0xC3 0x28).
printf '{"name": "caf\303(",\n "request": {"principal": "arn:aws:iam::111122223333:user/alice",\n  "action": "s3:GetObject", "resource": "*"}}\n' >invalid-utf8.json
check "invalid UTF-8" 2 '^invalid-utf8\.json:1:14: .*UTF-8' invalid-utf8.json

# 3. Wrong types: a number where an action string belongs.
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": 42, "Resource": "*"}}' >wrong-type.json
check "wrong type" 2 "^wrong-type\\.json:4:$(col wrong-type.json 4 42): .*Action" wrong-type.json

# 4. Nesting deeper than max_depth (64): 100 arrays inside a condition.
deep=$(printf '%100s' '' | tr ' ' '[')$(printf '%100s' '' | tr ' ' ']')
scenario "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"s3:prefix\": $deep}}}}" >too-deep.json
# The 65th level: the condition's value starts at level 7.
check "nesting too deep" 2 "^too-deep\\.json:4:$(($(col too-deep.json 4 '[[') + 58)): .*(nesting|deep)" too-deep.json

# 5. A huge policy document: over max_document_bytes (1 MiB), inside a
#    scenario file (a Sid of 1 MiB + 1 byte).
big=$(head -c 1048577 /dev/zero | tr '\0' 's')
scenario "{\"Version\": \"2012-10-17\", \"Statement\": {\"Sid\": \"$big\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}" >huge-policy.json
check "huge policy document" 2 "^huge-policy\\.json:4:$(col huge-policy.json 4 '{"Version"'): .*limit" huge-policy.json

# 6. A huge file: over max_file_bytes (256 MiB), refused before any parsing.
if [ "${IAMEVAL_SKIP_HUGE_FILE:-0}" = 1 ]; then
    echo "SKIP huge file (IAMEVAL_SKIP_HUGE_FILE=1)"
elif truncate -s 268435457 huge-file.json 2>/dev/null; then
    check "huge file" 2 '^huge-file\.json: .*limit' huge-file.json
    rm -f huge-file.json
else
    echo "SKIP huge file (no truncate)"
fi

# 7. An unknown condition operator.
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEqualz": {"s3:prefix": "home/"}}}}' >unknown-operator.json
check "unknown condition operator" 2 "^unknown-operator\\.json:4:$(col unknown-operator.json 4 '"StringEqualz"'): .*StringEqualz" unknown-operator.json

# 8-10. Literals that do not parse for their operator (M14).
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.300/24"}}}}' >bad-ip.json
check "invalid IP literal" 2 "^bad-ip\\.json:4:$(col bad-ip.json 4 '"203.'): .*203\\.0\\.113\\.300/24" bad-ip.json
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"DateLessThan": {"aws:CurrentTime": "2024-13-01"}}}}' >bad-date.json
check "invalid date literal" 2 "^bad-date\\.json:4:$(col bad-date.json 4 '"2024-13'): .*2024-13-01" bad-date.json
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"NumericLessThan": {"s3:max-keys": "1e3"}}}}' >bad-number.json
check "invalid number literal" 2 "^bad-number\\.json:4:$(col bad-number.json 4 '"1e3"'): .*1e3" bad-number.json

# 11. An impossible request: the root user with identity policies [E-I1]:
#     exit 2 when unexpected, 0 when the scenario expects "error".
root_scenario() {
    cat <<EOF
{"name": "root with identity policies",
 "request": {"principal": "arn:aws:iam::111122223333:root", "action": "s3:GetObject", "resource": "*"},
 "identity_policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}],
 "expect": "$1"}
EOF
}
root_scenario allowed >root-identity.json
check "impossible request" 2 '^root-identity\.json:1:1: .*root' root-identity.json
root_scenario error >root-identity-expected.json
check "impossible request, expected" 0 '' root-identity-expected.json
if ! grep -q '^PASS  *error ' out.txt; then
    fail "impossible request, expected: output" "no PASS line for the expected error: $(head -c 200 out.txt)"
else
    pass "impossible request, expected: output"
fi

# 12. A missing file, and a path that cannot be a file (a file used as a
#     directory). As a non-root user also a file without read permission.
check "missing file" 2 'missing\.json' missing.json
echo '{}' >plain.json
check "unreadable path" 2 'plain\.json/x\.json' plain.json/x.json
if [ "$(id -u)" != 0 ]; then
    scenario '{"Version": "2012-10-17", "Statement": []}' implicitDeny >no-read.json
    chmod 000 no-read.json
    check "file without read permission" 2 '^no-read\.json: ' no-read.json
fi

# 13. A directory that holds no scenario file (.json or .jsonl).
mkdir empty-dir
echo 'not a scenario' >empty-dir/readme.txt
check "directory with no scenario files" 2 'empty-dir' empty-dir

# 14. JSONL: the bad line is named by its own line number.
{
    scenario '{"Version": "2012-10-17", "Statement": []}' implicitDeny | tr -d '\n'
    echo
    scenario '{"Version": "2012-10-17", "Statement": []}' implicitDeny | tr -d '\n'
    echo
    echo '{"name": "unterminated", "request": '
} >bad-line.jsonl
check "invalid JSONL line" 2 '^bad-line\.jsonl:3:[0-9]+: ' bad-line.jsonl

# 15. An empty file is not JSON.
: >empty.json
check "empty file" 2 '^empty\.json:1:1: ' empty.json

# 16. A duplicate member [G-J2] and a wrong-case value [G-S2].
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}' >duplicate.json
check "duplicate member" 2 "^duplicate\\.json:4:$(col duplicate.json 4 '"Effect"' 2): .*(duplicate|Effect)" duplicate.json
scenario '{"Version": "2012-10-17", "Statement": {"Effect": "allow", "Action": "s3:*", "Resource": "*"}}' >effect-case.json
check "invalid Effect value" 2 "^effect-case\\.json:4:$(col effect-case.json 4 '"allow"'): .*allow" effect-case.json

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
