#!/bin/sh
# iameval check end to end: every finding code from its file in
# tests/check_cases/ (NAME[.TYPE].json), exit codes (--strict included), the
# text, JSON and SARIF formats, unreadable files, and every AWS managed policy
# of ../shared/data/aws-managed-policies/ checking without an error.
# The SARIF is validated against the OASIS SARIF 2.1.0 schema with Ajv, which
# this script installs under build/npm/ from the npm registry when missing.
# Usage: check_test.sh PATH_TO_IAMEVAL   (run from the repository root)
bin=${1:-build/rel/iameval}
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
cases=tests/check_cases
pass=0; fail=0; skip=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
expect_exit() { # want, description, command...
    want=$1; what=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want"; sed 's/^/    /' "$tmp/out" "$tmp/err" | head -5; fi
}
contains() { # file, text, description
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: no \"$2\" in output"; sed 's/^/    /' "$1" | head -5; fi
}
type_of() { # NAME.TYPE.json -> TYPE, NAME.json -> identity
    n=$(basename "$1" .json)
    case "$n" in *.*) echo "${n#*.}" ;; *) echo identity ;; esac
}

# ---- one file per code ----------------------------------------------------
for f in "$cases"/*.json; do
    name=$(basename "$f" .json); code=${name%%.*}; t=$(type_of "$f")
    case "$code" in
    clean)
        expect_exit 0 "$name" "$bin" check --type "$t" "$f"
        contains "$tmp/out" "1 file checked: 0 errors, 0 warnings" "$name"
        expect_exit 0 "$name --strict" "$bin" check --strict --type "$t" "$f"
        ;;
    E-*)
        expect_exit 1 "$name" "$bin" check --type "$t" "$f"
        contains "$tmp/out" ": error $code: " "$name"
        contains "$tmp/out" "1 file checked: 1 error, 0 warnings" "$name"
        ;;
    W-*)
        expect_exit 0 "$name" "$bin" check --type "$t" "$f"
        contains "$tmp/out" ": warning $code: " "$name"
        contains "$tmp/out" "1 file checked: 0 errors, 1 warning;" "$name"
        expect_exit 1 "$name --strict" "$bin" check --strict --type "$t" "$f"
        ;;
    esac
done

# ---- the text format: file:line:column: severity CODE: message (at path) --
expect_exit 1 "text line" "$bin" check "$cases/E-EFFECT.json"
head -n 1 "$tmp/out" | grep -qxF 'tests/check_cases/E-EFFECT.json:5:17: error E-EFFECT: Effect must be "Allow" or "Deny", not "allow" [G-S2] (at $.Statement[0].Effect)' \
    && ok || bad "text line: $(head -n 1 "$tmp/out")"
tail -n 1 "$tmp/out" | grep -qE '^1 file checked: 1 error, 0 warnings; AWS catalog of [0-9]{4}-[0-9]{2}-[0-9]{2}$' \
    && ok || bad "summary line: $(tail -n 1 "$tmp/out")"
expect_exit 0 "warning line" "$bin" check "$cases/W-ACTION-UNKNOWN.json"
contains "$tmp/out" 'tests/check_cases/W-ACTION-UNKNOWN.json:6:34: warning W-ACTION-UNKNOWN: "s3:GetObjekt" is not an action of service s3; did you mean "s3:GetObject"? (at $.Statement[0].Action[1])' "warning line"

# Several files, a directory (its .json files), the worst exit wins.
expect_exit 1 "files and a directory" "$bin" check "$cases/clean.json" "$cases"
tail -n 1 "$tmp/out" | grep -qE '^[0-9]+ files checked: [1-9][0-9]* errors, [1-9][0-9]* warnings;' \
    && ok || bad "directory summary: $(tail -n 1 "$tmp/out")"

# ---- usage and unreadable files ----------------------------------------------
expect_exit 0 "--help" "$bin" check --help
contains "$tmp/out" "usage: iameval check" "--help"
expect_exit 0 "main --help lists check" "$bin" --help
contains "$tmp/out" "check [--type TYPE]" "main --help"
expect_exit 2 "no files" "$bin" check
expect_exit 2 "unknown type" "$bin" check --type user "$cases/clean.json"
expect_exit 2 "unknown format" "$bin" check --format xml "$cases/clean.json"
expect_exit 2 "unknown option" "$bin" check --bogus "$cases/clean.json"
expect_exit 2 "missing file" "$bin" check "$cases/clean.json" "$tmp/missing.json" "$cases/E-EFFECT.json"
contains "$tmp/err" "missing.json" "missing file named"
contains "$tmp/out" "E-EFFECT" "files after the missing one are checked"
contains "$tmp/out" "2 files checked: 1 error, 0 warnings, some files unreadable" "unreadable summary"

# ---- JSON ---------------------------------------------------------------------
have_node=false
command -v node >/dev/null 2>&1 && have_node=true
expect_exit 2 "json" "$bin" check --format json "$cases/E-EFFECT.json" "$cases/W-ALLOW-ALL.json" "$tmp/missing.json"
[ "$(wc -l <"$tmp/out")" -eq 1 ] && ok || bad "json is one line"
if $have_node; then
    node -e '
        const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const f = d.findings;
        const want = [["E-EFFECT", "error", 5, 17, "$.Statement[0].Effect"], ["W-ALLOW-ALL", "warning", 4, 5, "$.Statement[0]"]];
        const good = d.tool === "iameval" && /^\d{4}-\d{2}-\d{2}$/.test(d.catalog_date) && d.type === "identity" &&
            d.files === 2 && d.errors === 1 && d.warnings === 1 && d.unreadable.length === 1 &&
            f.length === 2 && want.every((w, i) => f[i].code === w[0] && f[i].severity === w[1] &&
                f[i].line === w[2] && f[i].column === w[3] && f[i].path === w[4] && f[i].message.length > 0 &&
                f[i].file.endsWith(".json"));
        process.exit(good ? 0 : 1);' "$tmp/out" && ok || bad "json document: $(head -c 300 "$tmp/out")"
else
    bad "json: node is needed to parse the output"
fi

# ---- SARIF, validated against the official schema ---------------------------------
npm_dir="$root/build/npm"
if [ ! -d "$npm_dir/node_modules/ajv-draft-04" ] || [ ! -d "$npm_dir/node_modules/ajv-formats" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
        $SUDO apt-get update -qq >/dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null 2>&1
    fi
    mkdir -p "$npm_dir"
    npm install --prefix "$npm_dir" --no-audit --no-fund --no-save --loglevel=error \
        ajv@8.17.1 ajv-draft-04@1.0.0 ajv-formats@3.0.1 >"$tmp/npm.log" 2>&1 \
        || { bad "npm install of the SARIF validator"; sed 's/^/    /' "$tmp/npm.log" | tail -5; }
fi
validate_sarif() { # description, file
    if NODE_PATH="$npm_dir/node_modules" node "$cases/sarif/validate.cjs" "$2" >"$tmp/validate" 2>&1; then ok
    else bad "$1: not valid SARIF 2.1.0"; sed 's/^/    /' "$tmp/validate" | head -10; fi
}
# The schema must reject what it should, or the validation proves nothing.
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b"}}}]}]}]}' >"$tmp/invalid.sarif"
if NODE_PATH="$npm_dir/node_modules" node "$cases/sarif/validate.cjs" "$tmp/invalid.sarif" >/dev/null 2>&1; then
    bad "the SARIF validator accepts an invalid URI"
else
    ok
fi
# Every code, file names that need percent-encoding, an absolute path, and
# an unreadable file (a tool execution notification).
cp "$cases/W-SIZE.json" "$tmp/odd name #1 + é.json"
"$bin" check --format sarif "$cases"/E-*.json "$cases"/W-*.json "$cases"/clean.json \
    "$tmp/odd name #1 + é.json" "$root/$cases/W-ALLOW-ALL.json" >"$tmp/all.sarif" 2>"$tmp/err"
[ $? -eq 1 ] && ok || bad "sarif exit status"
validate_sarif "sarif of every code" "$tmp/all.sarif"
contains "$tmp/all.sarif" '"uri":"file://' "absolute path as a file URI"
contains "$tmp/all.sarif" 'odd%20name%20%231%20%2B%20%C3%A9.json' "percent-encoded URI"
contains "$tmp/all.sarif" '"ruleId":"E-JSON","ruleIndex":0,"level":"error"' "ruleId and ruleIndex"
contains "$tmp/all.sarif" '"region":{"startLine":5,"startColumn":17}' "region"
contains "$tmp/all.sarif" '"columnKind":"unicodeCodePoints"' "columnKind"
"$bin" check --format sarif --type scp "$cases/clean.scp.json" "$tmp/missing.json" >"$tmp/missing.sarif" 2>"$tmp/err"
[ $? -eq 2 ] && ok || bad "sarif with a missing file exits 2"
validate_sarif "sarif with a missing file" "$tmp/missing.sarif"
contains "$tmp/missing.sarif" '"executionSuccessful":false' "sarif notification"
contains "$tmp/missing.sarif" '"results":[]' "sarif without results"

# ---- AWS's own managed policies are valid identity policies ---------------------------
managed="$root/../shared/data/aws-managed-policies"
if [ -d "$managed" ]; then
    "$bin" check --type identity "$managed" >"$tmp/managed" 2>"$tmp/err"; rc=$?
    summary=$(tail -n 1 "$tmp/managed")
    if [ "$rc" -eq 0 ] && echo "$summary" | grep -qE '^[0-9]+ files checked: 0 errors, '; then
        ok
    else
        bad "AWS managed policies (exit $rc): $summary"
        grep ': error ' "$tmp/managed" | head -10 | sed 's/^/    /'
        sed 's/^/    /' "$tmp/err" | head -5
    fi
else
    skip=$((skip + 1)); echo "SKIP AWS managed policies: $managed not found"
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
