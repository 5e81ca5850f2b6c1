#!/bin/sh
# Runs libFuzzer targets for a while each; what they find becomes a regression.
#
# Usage: fuzz/run.sh BUILD_DIR SECONDS NAME...
#   BUILD_DIR/fuzz_NAME is run for SECONDS (-max_total_time) with the
#   dictionary fuzz/NAME.dict, or fuzz/iam.dict when the target has none, on a
#   temporary copy of corpus/NAME (corpus/ itself never grows: keep an input
#   by copying it there by hand). Artifacts go to a temporary directory; each
#   crash, leak, timeout or out-of-memory input is copied to
#   corpus/regressions/NAME-<hash> with a one-line NAME-<hash>.note, which
#   `make test` then replays through replay_NAME.
# Prints one summary line per target; exits 1 if any target left an artifact
# or could not run, 2 on a usage error. Works from a clean checkout.
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD_DIR SECONDS NAME..." >&2
    exit 2
fi
build=$1
seconds=$2
shift 2
case $seconds in
    '' | *[!0-9]*) echo "$0: SECONDS must be a whole number, not \"$seconds\"" >&2; exit 2 ;;
esac
case $build in
    /*) ;;
    *) build=$(pwd)/$build ;;
esac
cd "$(dirname "$0")/.." || exit 2

regressions=corpus/regressions
mkdir -p "$regressions" || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/iameval-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The fuzz build recovers from UBSan reports by default: make them fatal,
# so that undefined behaviour leaves an artifact like any crash.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

hash_of() {
    if command -v sha1sum >/dev/null 2>&1; then
        sha1sum "$1" | cut -c1-12
    else
        cksum "$1" | cut -d' ' -f1
    fi
}

status=0
today=$(date +%Y-%m-%d)
for name in "$@"; do
    bin=$build/fuzz_$name
    if [ ! -x "$bin" ]; then
        echo "fuzz_$name: FAILED: $bin is not built" >&2
        status=1
        continue
    fi
    dict=fuzz/$name.dict
    [ -f "$dict" ] || dict=fuzz/iam.dict
    corpus=$work/$name/corpus
    artifacts=$work/$name/artifacts
    log=$work/$name/log
    mkdir -p "$corpus" "$artifacts"
    if [ -d "corpus/$name" ]; then
        # files only; notes are not inputs
        find "corpus/$name" -type f ! -name '*.note' ! -name '*.md' -exec cp {} "$corpus/" \; 2>/dev/null
    fi
    # -max_total_time=0 would mean "no limit": 0 seconds runs the corpus once
    if [ "$seconds" -eq 0 ]; then limit=-runs=0; else limit=-max_total_time=$seconds; fi
    set -- "$limit" "-timeout=10" "-rss_limit_mb=2048" "-print_final_stats=1" \
        "-artifact_prefix=$artifacts/"
    [ -f "$dict" ] && set -- "$@" "-dict=$dict"
    "$bin" "$@" "$corpus" >"$log" 2>&1
    rc=$?

    found=0
    for a in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
        [ -f "$a" ] || continue
        found=$((found + 1))
        h=$(hash_of "$a")
        dest=$regressions/$name-$h
        cp "$a" "$dest"
        first=$(grep -m 1 -E "(^fuzz_[A-Za-z0-9_]+: |ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|libFuzzer)|runtime error:|SUMMARY: )" "$log")
        [ -n "$first" ] || first="$(basename "$a" | cut -d- -f1) (no sanitizer report in the log)"
        echo "found by make fuzz on $today: $first" >"$dest.note"
        echo "fuzz_$name: $(basename "$a" | cut -d- -f1) saved as $dest" >&2
    done

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    inputs=$(find "$corpus" -type f | wc -l | tr -d ' ')
    bytes=$(du -sk "$corpus" | cut -f1)
    printf 'fuzz_%s: %s runs, %s exec/s, coverage %s, corpus %s inputs (%s KB), %s artifact(s)\n' \
        "$name" "${runs:-0}" "${eps:-0}" "${cov:-?}" "$inputs" "$bytes" "$found"
    if [ "$found" -gt 0 ] || [ "$rc" -ne 0 ]; then
        status=1
        echo "---- fuzz_$name (exit $rc): end of its log ----" >&2
        start=$(grep -n -m 1 -E "(^fuzz_[A-Za-z0-9_]+: |ERROR: |runtime error:)" "$log" | cut -d: -f1)
        if [ -n "$start" ]; then
            tail -n "+$start" "$log" | head -n 80 >&2
        else
            tail -n 40 "$log" >&2
        fi
    fi
done
exit $status
