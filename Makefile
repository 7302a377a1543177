# Stockpile — `make demo` and `make test` are all the set-up there is.
SWIFT        ?= swift
DEB_PACKAGES := libmodbus-dev pkg-config mbpoll prometheus-alertmanager prometheus chromium wrk curl
# The test peers, pinned here and nowhere else: the interop tests match their messages.
PY_PACKAGES  := pymodbus==3.16.1 pyserial==3.5 schemathesis==4.32.5
BENCH_BIN    := .build/bench-c
MODBUS_FLAGS  = $$(pkg-config --cflags --libs libmodbus)

.PHONY: all deps build test bench demo clean format lint

all: build

# Installs what the build and the tests need: Debian packages with apt-get when run as root,
# otherwise prints the exact command; pymodbus (a test peer only, never the product) with pip.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
	  else \
	    echo "Missing Debian packages:$$missing"; \
	    echo "Run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
	@python3 -c "import sys, importlib.metadata as m; sys.exit(any(m.version(n) != v for n, v in (p.split('==') for p in sys.argv[1:])))" $(PY_PACKAGES) 2>/dev/null || { echo "Installing $(PY_PACKAGES) (test peers)"; \
	  python3 -m pip install -q $(PY_PACKAGES) || { echo "Run: python3 -m pip install $(PY_PACKAGES)"; exit 1; }; }

build: deps
	$(SWIFT) build

# The CPU-bound sweeps run after the rest, so the end-to-end tests' timeouts on real sockets and
# ptys never compete with them on a two-core machine.
HEAVY_TESTS   := HostileInputSweepTests|TornValueTests|SimulatorFuzzTests
# The tests of HTTP receivers, Alertmanager, Prometheus and notification commands run in a process of
# their own: beside the Modbus suites they pushed one process past 1,000 open files (libmodbus waits with
# select(), which ends at 1,024) and starved the subprocesses' pipes on two cores.
# The HTTP server's schemathesis run goes with them.
SERVICE_TESTS := StockpileNotifiersTests|AlertStoryTests|AlertRestartTests|AlertsCommandTests|ConfigCheckAlertsTests|APISchemaTests|PrometheusScrapeTests|DashboardBrowserTests

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --skip '$(HEAVY_TESTS)|$(SERVICE_TESTS)'
	$(SWIFT) test --skip-build --filter '$(SERVICE_TESTS)'
	$(SWIFT) test --skip-build --filter '$(HEAVY_TESTS)'

$(BENCH_BIN)/reference_client: Benchmarks/c/reference_client.c
	@mkdir -p $(BENCH_BIN)
	cc -O2 -Wall -Wextra -o $@ $< $(MODBUS_FLAGS)

$(BENCH_BIN)/reference_server: Benchmarks/c/reference_server.c
	@mkdir -p $(BENCH_BIN)
	cc -O2 -Wall -Wextra -o $@ $< $(MODBUS_FLAGS)

bench: deps $(BENCH_BIN)/reference_client $(BENCH_BIN)/reference_server
	$(SWIFT) build -c release --product stockpile-bench
	$(SWIFT) build -c release --product stockpile
	.build/release/stockpile-bench --c-bin $(BENCH_BIN) --stockpile .build/release/stockpile \
	  --pymodbus-server Benchmarks/c/pymodbus_server.py

demo: build
	@Simulators/demo.sh

# The code is formatted by the toolchain's swift-format with the checked-in .swift-format.
format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Benchmarks

lint:
	$(SWIFT) format lint --recursive --parallel Package.swift Sources Tests Benchmarks

clean:
	rm -rf .build
