# HerdPass: the two commands of a fresh machine are `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
RELEASE ?= build-release
ASAN ?= build-asan
DATA ?= data
LISTEN ?= 127.0.0.1:8080
JOBS ?= $(shell nproc)

.PHONY: all deps web build release test test-asan ha-test run bench fuzz format tidy clean deb

all: build

deps:
	@scripts/deps.sh build

# The web app, web/dist (npm ci from web/package-lock.json, type-check, vite build).
web: deps
	@scripts/web.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

$(RELEASE)/build.ninja:
	cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHERDPASS_TESTS=OFF

release: deps $(RELEASE)/build.ninja
	cmake --build $(RELEASE) -j $(JOBS) --target herdpass

# Every test: unit, store, service, black-box API (real binary), crash and fault tests, then the same
# unit and API tests again under AddressSanitizer and UndefinedBehaviorSanitizer (less the slow
# ones, the web app's, and the API tests' repeats on PostgreSQL, named postgres.*). The
# high-availability tests (label ha) run in `make ha-test`.
test: build web
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 -LE ha
	@$(MAKE) --no-print-directory test-asan

$(ASAN)/build.ninja:
	cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHERDPASS_SANITIZE=ON -DHERDPASS_BENCH=OFF

test-asan: deps $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) --timeout 900 -LE 'slow|web|ha' -E '^postgres[.]'

# High availability for real (tests/ha/, docs/standby.md): three etcd members and three PostgreSQL
# nodes under Patroni on loopback, `herdpass serve` on them; ten leaders killed with SIGKILL, a
# switchover, an asynchronous control. One test at a time (RUN_SERIAL), about 7 minutes.
ha-test: build
	@scripts/deps.sh ha
	cd $(BUILD) && ctest --output-on-failure -L ha --timeout 600

# The Debian package of the release build and the web app (debian/, scripts/deb.sh), checked with
# lintian (no error or warning), into $(RELEASE)/herdpass_<version>_<arch>.deb.
deb: release web
	@LINTIAN=1 scripts/deb.sh $(RELEASE)/cli/herdpass web/dist $(RELEASE)

run: release web
	@scripts/run.sh $(RELEASE)/cli/herdpass $(DATA) $(LISTEN)

bench: 
	@scripts/deps.sh bench
	@scripts/web.sh
	cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DHERDPASS_TESTS=OFF
	cmake --build $(RELEASE) -j $(JOBS)
	bench/run.sh $(RELEASE)

# libFuzzer over every fuzz/ target (clang-14), FUZZ_SECONDS each; not part of `make test`, whose
# fuzz_replay_* tests replay the corpus and the regressions. Crashes land in fuzz/regressions/.
fuzz:
	@FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) scripts/fuzz.sh

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

# clang-tidy over domain store service http cli (a few minutes on 2 cores); fails on any finding.
tidy: build
	scripts/tidy.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(RELEASE) $(ASAN)
