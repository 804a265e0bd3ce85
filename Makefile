# The newcomer's entry points. Each target installs what it needs and builds first.
BUILD ?= build
JOBS ?= 2
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps build test demo asan fuzz deb release clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 600

demo: build
	scripts/demo.sh $(BUILD)

# The Debian packages heartbeat-ng and heartbeat-ng-dev in build-deb/, checked by lintian.
deb: deps
	scripts/build-deb.sh build-deb

# What a packager builds: Release, -Werror like every build type (CI builds it too).
release: deps
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
	cmake --build build-release -j$(JOBS)

# Every test (unit, simulation, real daemons) under AddressSanitizer + UndefinedBehaviorSanitizer.
asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHB_SANITIZE=ON
	cmake --build build-asan -j$(JOBS)
	ctest --test-dir build-asan --output-on-failure -j$(JOBS) --timeout 900

# Each libFuzzer target for FUZZ_SECONDS under ASan+UBSan, from its seed corpus.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DHB_FUZZ=ON
	cmake --build build-fuzz -j$(JOBS) --target fuzz_text fuzz_netstring fuzz_config fuzz_ipc
	scripts/run-fuzzers.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-asan build-fuzz build-release build-deb
