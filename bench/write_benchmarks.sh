#!/bin/sh
# Writes BENCHMARKS.md from a run of bench/run.sh (same environment:
# BENCH_SIZE, BENCH_RUNS, BENCH_DIR): the machine, the date, the commit and
# the table. Every number in the file comes from this script; edit the
# script, never the file.
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory all build/rel/bench >&2

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
table=$(sh bench/run.sh)
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || true)
mem=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain 2>/dev/null)" ] || commit="$commit with uncommitted changes"

out=BENCHMARKS.md
{
    echo "# Benchmarks"
    echo
    echo "Written by \`bench/write_benchmarks.sh\` (\`bench/run.sh\` measures; \`bench/bench.c\` is the"
    echo "program); do not edit by hand. Run \`make bench\` for the table alone."
    echo
    echo "- date: $started"
    echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, ${mem:-unknown memory}, $(uname -sr)"
    echo "- compiler: $(${CC:-cc} --version | head -n 1), -O2"
    echo "- commit: $commit"
    echo "- load average (1, 5, 15 min) before: $load_before; after: $load_after. Other work on the"
    echo "  machine slows wall times and thread scaling; CPU times suffer less."
    echo
    echo "$table"
    echo
    echo "How to read it:"
    echo
    echo "- *library, pre-parsed requests*: \`iam_evaluate\` on \`iam_request\` structs built beforehand,"
    echo "  against policy sets built through the public API; no JSON in the timed loop."
    echo "- *batch reader + evaluation in process*: \`iam_batch_decide\` on the raw JSONL lines (reading,"
    echo "  choosing the set, evaluating), without the CLI's I/O and output; its difference from the row"
    echo "  above is what reading a line costs."
    echo "- *\`iameval batch\`, end to end*: the command as a user runs it, one process per SETUP/REQUESTS"
    echo "  pair, output to /dev/null: loading and compiling the setup, mapping the file, deciding,"
    echo "  writing JSONL."
    echo "- p50 / p99: single evaluations timed one at a time on one thread (the clock's own cost, a few"
    echo "  tens of ns, included)."
    echo "- load+compile: \`iam_batch_setup_load\` of every SETUP (1, 2), or parsing and compiling every"
    echo "  managed policy from memory (3). Peak RSS is the process's (\`ru_maxrss\`), pre-parsed requests"
    echo "  included in the library rows."
    echo "- memory (3): the heap the parsed and compiled policies and their set hold (glibc \`mallinfo2\`),"
    echo "  and the process's resident growth, which also counts PCRE2's JIT code, against the"
    echo "  policies' JSON without whitespace."
} >"$out"
echo "bench/write_benchmarks.sh: wrote $out" >&2
