#!/bin/sh
# The library as an embedder sees it: the header compiles alone in C11 and
# C++ with every warning an error; `make install` lays out the header, the
# libraries and iameval.pc; the example gatekeeper builds against the
# installed copy through pkg-config and decides as the CLI does.
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

printf '#include <iameval.h>\nint main(void) { iam_limits l; iam_limits_init(&l); return 0; }\n' >"$tmp/h.c"
cp "$tmp/h.c" "$tmp/h.cpp"
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$tmp/h.c" -o "$tmp/h.o" && ok || bad "header alone in C11 (gcc)"
clang -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$tmp/h.c" -o "$tmp/h2.o" 2>/dev/null && ok || bad "header alone in C11 (clang)"
if command -v g++ >/dev/null 2>&1; then
    g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$tmp/h.cpp" -o "$tmp/hpp.o" && ok || bad "header alone in C++11"
fi

if make -s install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1; then ok; else bad "make install"; cat "$tmp/install.log"; fi
for f in include/iameval.h lib/libiameval.a lib/libiameval.so.0.1.0 lib/libiameval.so.0 lib/libiameval.so lib/pkgconfig/iameval.pc bin/iameval; do
    [ -e "$tmp/prefix/$f" ] && ok || bad "installed $f"
done
soname=$(readelf -d "$tmp/prefix/lib/libiameval.so.0.1.0" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\].*/\1/p')
[ "$soname" = "libiameval.so.0" ] && ok || bad "soname is '$soname'"

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# Shared, then static: both must be enough on their own.
if cc -std=c11 -Wall -Wextra -Werror examples/gatekeeper.c $(pkg-config --cflags --libs iameval) -o "$tmp/gk" 2>"$tmp/cc.log"; then ok; else bad "gatekeeper builds with pkg-config"; cat "$tmp/cc.log"; fi
if cc -std=c11 -Wall -Wextra -Werror examples/gatekeeper.c $(pkg-config --cflags iameval) "$tmp/prefix/lib/libiameval.a" $(pkg-config --libs-only-l --static iameval | sed 's/-liameval//') -o "$tmp/gk_static" 2>"$tmp/cc2.log"; then ok; else bad "gatekeeper links statically"; cat "$tmp/cc2.log"; fi

run() { LD_LIBRARY_PATH="$tmp/prefix/lib" "$@"; }
run "$tmp/gk" arn:aws:sts::111122223333:assumed-role/Deployer/ci examples/deployer.checks tests/repo/policies/roles/deployer.json >"$tmp/gk.out"
[ $? -eq 0 ] && ok || { bad "gatekeeper checks"; cat "$tmp/gk.out"; }
[ "$(grep -c '^ok' "$tmp/gk.out")" = 4 ] && ok || bad "gatekeeper ran 4 checks"
# A check that does not hold exits 1.
echo "allowed lambda:DeleteFunction arn:aws:lambda:eu-west-1:111122223333:function:app-api" >"$tmp/wrong.checks"
run "$tmp/gk" arn:aws:sts::111122223333:assumed-role/Deployer/ci "$tmp/wrong.checks" tests/repo/policies/roles/deployer.json >/dev/null
[ $? -eq 1 ] && ok || bad "gatekeeper exit 1 on a failed check"

# Same decisions as the CLI on the same questions.
while read -r expect action resource; do
    case "$expect" in "#"*|"") continue ;; esac
    cat >"$tmp/sc.json" <<J
{"name": "x", "request": {"principal": "arn:aws:sts::111122223333:assumed-role/Deployer/ci", "action": "$action", "resource": "$resource"},
 "identity_policies": [{"file": "$PWD/tests/repo/policies/roles/deployer.json"}]}
J
    cli=$("$tmp/prefix/bin/iameval" simulate --format json "$tmp/sc.json" | head -n 1 | sed 's/.*"decision":"\([a-zA-Z]*\)".*/\1/')
    echo "allowed $action $resource" >"$tmp/one"
    lib=$(run "$tmp/gk" arn:aws:sts::111122223333:assumed-role/Deployer/ci "$tmp/one" tests/repo/policies/roles/deployer.json | awk '{print $2}')
    [ "$cli" = "$lib" ] && ok || bad "CLI says $cli, library says $lib for $action"
done <examples/deployer.checks

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
