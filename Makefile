# signpost — the two commands a newcomer runs: `make run` and `make test`.
# Everything installs what it needs first (scripts/install-deps.sh is idempotent).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DATA       ?= ./signpost-data
PORT       ?= 8080
JOBS       ?= $(shell nproc)
CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: deps build build-server build-asan run test bench node-deps clean format

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSIGNPOST_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests

build-server: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target signpost

run: build-server
	@bash scripts/run.sh $(BUILD)/signpost $(DATA) $(PORT)

node-deps: deps
	@bash scripts/node-deps.sh

test: build build-asan node-deps
	@bash scripts/test.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

bench: build node-deps
	@bash bench/run.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
