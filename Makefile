# iameval: build, test, bench and fuzz.
# `make run` and `make test` are the two commands of the README; both install
# what they need first (`make deps`).

CC       ?= gcc
CLANG    ?= clang
PKGS      = libpcre2-8
TEST_PKGS = libpcre2-8 jansson
VERSION   = 0.1.0
SOVERSION = 0

PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcre2-8)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null || echo -lpcre2-8 -ljansson)

WARN     = -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
BASE     = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Iinclude -Iengine $(PKG_CFLAGS)
REL_FLAGS  = $(BASE) -O2 -fPIC -fvisibility=hidden
SAN_FLAGS  = $(BASE) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_FLAGS = $(BASE) -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
# The engine is compiled once for every harness: instrumented, without libFuzzer's main.
FUZZ_LIB_FLAGS = $(BASE) -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined

ENGINE_SRC = $(sort $(wildcard engine/*.c))
ENGINE_HDR = $(wildcard engine/*.h) include/iameval.h
CLI_SRC    = $(sort $(wildcard cli/*.c))
CLI_HDR    = $(wildcard cli/*.h)
TEST_SRC   = $(sort $(wildcard tests/test_*.c))
FUZZ_SRC   = $(sort $(wildcard fuzz/fuzz_*.c))

REL = build/rel
SAN = build/san
FZ  = build/fuzz

REL_OBJ = $(patsubst engine/%.c,$(REL)/engine/%.o,$(ENGINE_SRC))
SAN_OBJ = $(patsubst engine/%.c,$(SAN)/engine/%.o,$(ENGINE_SRC))
REL_CLI_OBJ = $(patsubst cli/%.c,$(REL)/cli/%.o,$(CLI_SRC))
SAN_CLI_OBJ = $(patsubst cli/%.c,$(SAN)/cli/%.o,$(CLI_SRC))
TEST_BIN = $(patsubst tests/%.c,$(SAN)/tests/%,$(TEST_SRC))
FUZZ_NAMES = $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRC))
FUZZ_BIN = $(patsubst %,$(FZ)/fuzz_%,$(FUZZ_NAMES))
REPLAY_BIN = $(patsubst %,$(SAN)/fuzz/replay_%,$(FUZZ_NAMES))

.PHONY: all deps run test test-only fuzz bench clean install memcheck

all: $(REL)/libiameval.a $(REL)/libiameval.so.$(VERSION) $(REL)/iameval

# Installs the Debian packages the build, tests and fuzzers need, only when
# something is missing (CI and a new user's machine start without them).
DEB_PKGS = libpcre2-dev libjansson-dev clang libclang-rt-14-dev pkg-config libxml2-utils
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

$(REL)/engine/%.o: engine/%.c $(ENGINE_HDR) | $(REL)/engine
	$(CC) $(REL_FLAGS) -c $< -o $@
$(SAN)/engine/%.o: engine/%.c $(ENGINE_HDR) | $(SAN)/engine
	$(CC) $(SAN_FLAGS) -c $< -o $@
$(REL)/cli/%.o: cli/%.c include/iameval.h $(CLI_HDR) | $(REL)/cli
	$(CC) $(BASE) -O2 -Icli -c $< -o $@
$(SAN)/cli/%.o: cli/%.c include/iameval.h $(CLI_HDR) | $(SAN)/cli
	$(CC) $(SAN_FLAGS) -Icli -c $< -o $@

$(REL)/libiameval.a: $(REL_OBJ)
	rm -f $@ && ar rcs $@ $^
$(SAN)/libiameval.a: $(SAN_OBJ)
	rm -f $@ && ar rcs $@ $^
$(REL)/libiameval.so.$(VERSION): $(REL_OBJ)
	$(CC) -shared -Wl,-soname,libiameval.so.$(SOVERSION) -o $@ $^ $(PKG_LIBS)
	ln -sf libiameval.so.$(VERSION) $(REL)/libiameval.so.$(SOVERSION)
	ln -sf libiameval.so.$(SOVERSION) $(REL)/libiameval.so
$(REL)/iameval: $(REL_CLI_OBJ) $(REL)/libiameval.a
	$(CC) -O2 -o $@ $(REL_CLI_OBJ) $(REL)/libiameval.a $(PKG_LIBS) -lpthread
$(SAN)/iameval: $(SAN_CLI_OBJ) $(SAN)/libiameval.a
	$(CC) $(SAN_FLAGS) -o $@ $(SAN_CLI_OBJ) $(SAN)/libiameval.a $(PKG_LIBS) -lpthread

$(SAN)/tests/%: tests/%.c tests/check.h $(SAN)/libiameval.a | $(SAN)/tests
	$(CC) $(SAN_FLAGS) $(TEST_CFLAGS) -Itests -o $@ $< $(SAN)/libiameval.a $(TEST_LIBS) -lpthread

# The allocation-counting test interposes malloc itself, so it is built
# without the sanitizers (they bring their own allocator), on the release library.
$(SAN)/tests/test_zero_alloc: tests/test_zero_alloc.c tests/check.h tests/workload.h $(REL)/libiameval.a | $(SAN)/tests
	$(CC) $(BASE) -O1 -g $(TEST_CFLAGS) -Itests -o $@ $< $(REL)/libiameval.a $(TEST_LIBS) -lpthread

# Replay drivers: the libFuzzer harnesses built with gcc and the sanitizers,
# fed every file under corpus/ by `make test`.
$(SAN)/fuzz/replay_%: fuzz/fuzz_%.c fuzz/replay.c $(SAN)/libiameval.a | $(SAN)/fuzz
	$(CC) $(SAN_FLAGS) $(TEST_CFLAGS) -Ifuzz -o $@ fuzz/fuzz_$*.c fuzz/replay.c $(SAN)/libiameval.a $(TEST_LIBS) -lpthread
FZ_OBJ = $(patsubst engine/%.c,$(FZ)/engine/%.o,$(ENGINE_SRC))
$(FZ)/engine/%.o: engine/%.c $(ENGINE_HDR) | $(FZ)/engine
	$(CLANG) $(FUZZ_LIB_FLAGS) -c $< -o $@
$(FZ)/libiameval.a: $(FZ_OBJ)
	rm -f $@ && ar rcs $@ $^
$(FZ)/fuzz_%: fuzz/fuzz_%.c $(FZ)/libiameval.a | $(FZ)
	$(CLANG) $(FUZZ_FLAGS) $(TEST_CFLAGS) -Ifuzz -o $@ fuzz/fuzz_$*.c $(FZ)/libiameval.a $(TEST_LIBS) -lpthread

$(REL)/engine $(SAN)/engine $(REL)/cli $(SAN)/cli $(SAN)/tests $(SAN)/fuzz $(FZ) $(FZ)/engine:
	mkdir -p $@

run: deps all
	$(REL)/iameval simulate policies/

# Everything under AddressSanitizer and UndefinedBehaviorSanitizer: unit tests,
# the conformance corpus, the CLI's behaviour, and the replay of corpus/.
test: deps
	@$(MAKE) --no-print-directory test-only

test-only: $(TEST_BIN) $(SAN)/iameval $(REPLAY_BIN)
	@sh tests/run_all.sh $(SAN) $(TEST_BIN)

FUZZ_SECONDS ?= 60
fuzz: deps $(FUZZ_BIN)
	@sh fuzz/run.sh $(FZ) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# Benchmarks: bench/bench.c at -O2 against the release library (the engine's
# malloc calls are counted through --wrap), driven by bench/run.sh, which
# generates the workloads (BENCH_SIZE=small for a quick run) and prints the
# table; bench/write_benchmarks.sh writes it into BENCHMARKS.md.
$(REL)/bench: bench/bench.c $(REL)/libiameval.a include/iameval.h
	$(CC) $(BASE) -O2 $(TEST_CFLAGS) -o $@ bench/bench.c $(REL)/libiameval.a $(TEST_LIBS) -lpthread \
	  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

bench: deps all $(REL)/bench
	sh bench/run.sh

# Installs the header, the static and versioned shared library and
# iameval.pc for pkg-config (PREFIX, DESTDIR as usual).
PREFIX ?= /usr/local
install: all
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/iameval.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(REL)/libiameval.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(REL)/libiameval.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libiameval.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libiameval.so.$(SOVERSION)
	ln -sf libiameval.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libiameval.so
	install -m 755 $(REL)/iameval $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' iameval.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/iameval.pc

# The CLI under valgrind on the examples, the scenario files and the corpus.
memcheck: deps all
	@command -v valgrind >/dev/null || (apt-get install -y -qq valgrind >/dev/null)
	@sh tools/memcheck.sh $(REL)/iameval

clean:
	rm -rf build
