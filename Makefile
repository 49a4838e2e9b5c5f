# signpost — the two commands a newcomer runs: `make run` and `make test`.
# Everything installs what it needs first (scripts/install-deps.sh is idempotent).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DATA       ?= ./signpost-data
PORT       ?= 8080
JOBS       ?= $(shell nproc)
# ccache when the machine has it (a developer's rebuilds); CI builds without it.
CCACHE     := $(shell command -v ccache 2>/dev/null)
LAUNCHER    = $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=$(CCACHE))
# Unity builds (cmake/Unity.cmake): a fresh build in about half the time. `UNITY=OFF` compiles
# file by file, which rebuilds less after editing one file.
UNITY      ?= ON
CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIGNPOST_UNITY=$(UNITY) $(LAUNCHER)

.PHONY: deps build build-test build-server build-asan run test bench node-deps web clean format format-check

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The ASan/UBSan build: the test binaries of the modules that take outside bytes or manage memory
# by hand (CMakeLists.txt: sanitizer_tests). `make test ASAN_TESTS=unit_tests` covers every module.
ASAN_TESTS ?= sanitizer_tests
build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIGNPOST_SANITIZE=ON \
	  -DSIGNPOST_UNITY=$(UNITY) $(LAUNCHER) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target $(ASAN_TESTS)

# What `make test` needs from the release build: the binary, the tests, the two bench tools the
# kill -9 test drives, and `bench_check`: every benchmark program's source through the compiler
# (-fsyntax-only, half the time of building them), so a change that breaks `make bench` fails
# `make test`.
build-test: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target signpost unit_tests http_load gen_events bench_check

build-server: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target signpost

# The dashboard (web/): npm ci from web/package-lock.json when needed, then vite build into web/dist;
# rebuilt only when a source file is newer than the build.
WEB_SOURCES = $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js web/package-lock.json
web: web/dist/index.html
web/dist/index.html: $(WEB_SOURCES) | deps
	@cd web && if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund && touch node_modules/.package-lock.json; fi && npm run --silent build

run: build-server web
	@bash scripts/run.sh $(BUILD)/signpost $(DATA) $(PORT)

node-deps: deps
	@bash scripts/node-deps.sh

# format-check first: a formatting slip fails in seconds, before any build.
test: format-check build-test build-asan node-deps web
	@ASAN_TESTS=$(ASAN_TESTS) bash scripts/test.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

bench: build node-deps
	@bash bench/run.sh $(BUILD)

# clang-format (the repo's .clang-format) over every C/C++ file of src/ include/ fuzz/ bench/ tests/:
# `make format` rewrites them; `make format-check` lists those that differ (and `make test` runs it).
format: deps
	@bash scripts/format.sh
format-check: deps
	@bash scripts/format.sh --check

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
