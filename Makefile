# A thin wrapper around CMake; see README.md.
#   make            build everything into build/ (programs in build/bin)
#   make check      install missing packages, build, run every test
#   make demo       install missing packages, build, run the demo
#   make bench      build optimised and run the benchmarks
#   make diff       differential tests against the kernel (root): SEQS=N SEED=S STEPS=M
#   make install    PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
DESTDIR ?=
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all check demo bench install clean deps diff

all:
	cmake -S . -B build -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build build -j$(JOBS) -- --no-print-directory

deps:
	scripts/install-deps

check:
	scripts/check

demo: deps all
	scripts/demo

bench: all
	@for b in build/bench/bench_*; do echo "== $$b"; $$b || exit 1; echo; done
	@echo "== bench/sim-scale.sh"; bench/sim-scale.sh build/bin/mcastsim 10000 10
	@echo; echo "== bench/netns.sh (mcastd on the kernel; root only)"; bench/netns.sh build/bin

SEQS ?= 20
SEED ?= 1
STEPS ?= 30
diff: all
	tests/diff/run.sh build/bin $(SEQS) $(SEED) $(STEPS)

install: all
	DESTDIR=$(DESTDIR) cmake --install build --prefix $(PREFIX)

clean:
	rm -rf build build-san
