# credwatch — top-level build. All output goes under build/.
#
#   make            build build/credwatch
#   make run        install missing Debian packages, build, run the agent (root)
#   make test       install missing packages, build, run every test suite
#   make e2e        end-to-end scenarios with real AWS clients (tests/e2e; npm ci once)
#   make test-cri   credwatch on a real containerd + runc, and from its image as the DaemonSet
#   make test-cloudwatch  deploy/cloudwatch checked, and run with the real Fluent Bit
#   make bench      overhead figures (see README "Overhead"); make bench-syscalls: only the
#                   unrelated-syscalls figure (host and the 6.1 VM)
#   make vmlinux    regenerate vmlinux/<arch>/vmlinux.h from the running kernel
#   make ARCH=arm64 cross-build build/arm64/credwatch on x86-64 (Debian multiarch; see
#                   "cross-build" below); make unit ARCH=arm64 runs the unit tests under
#                   qemu-user; make vmlinux ARCH=arm64 regenerates vmlinux/arm64/vmlinux.h
#   make fuzz       libFuzzer targets for the parsers of untrusted input, FUZZ_SECONDS each
#                   (tests/fuzz; make fuzz FUZZ_SECONDS=600 for a long run)
#   make format / check-format

HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH     ?= $(HOST_ARCH)
BUILD    := build$(if $(filter-out $(HOST_ARCH),$(ARCH)),/$(ARCH))
CLANG    ?= clang
BPFTOOL  ?= bpftool
CC       ?= gcc
PKG_CONFIG ?= pkg-config
PKGS     := libbpf libelf zlib jansson

# Debian packages the agent needs to build and run, and those the tests add.
DEB_BUILD := clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev pkg-config make gcc
DEB_TEST  := iproute2 curl jq python3 python3-jsonschema busybox-static cpio bpftrace \
	     python3-botocore awscli qemu-system-x86 liburing-dev clang-format procps \
	     prometheus tmux groff-base man-db libclang-rt-14-dev

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# the version, from one place in the tree
VERSION  := $(shell cat VERSION)
CFLAGS   ?= -O2 -g
CFLAGS   += -DCREDWATCH_VERSION='"$(VERSION)"' -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I$(BUILD) -Ibpf -Iuser $(PKG_CFLAGS)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	      -I$(BUILD) -Ibpf -Ivmlinux/$(ARCH)
SAN_FLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_ENV   :=
UNIT_EXTRA :=

# --- cross-build (make ARCH=arm64 on x86-64) ---------------------------------------------
# Debian multiarch: gcc-aarch64-linux-gnu and the :arm64 -dev packages (make deps-arm64),
# pkg-config pointed at the arm64 .pc files, output in build/arm64/ (never mixed with the
# native build/). The BPF object differs only by -D__TARGET_ARCH_arm64 and
# -Ivmlinux/arm64 (BPF_CFLAGS above). Unit tests run under qemu-user with the arm64
# libraries of the multiarch install (qemu-aarch64-static finds /lib/ld-linux-aarch64.so.1
# and the sanitizer runtimes in /usr/aarch64-linux-gnu/lib). The first build installs the
# toolchain: every output directory waits for deps-arm64, and the pkg-config flags are
# taken when a recipe runs, not when this file is read.
CROSS_arm64 := aarch64-linux-gnu
DEB_ARM64 := gcc-aarch64-linux-gnu libc6-dev:arm64 libbpf-dev:arm64 libelf-dev:arm64 \
	     zlib1g-dev:arm64 libjansson-dev:arm64 liburing-dev:arm64 qemu-user-static qemu-system-arm
ifneq ($(ARCH),$(HOST_ARCH))
ifeq ($(CROSS_$(ARCH)),)
$(error ARCH=$(ARCH): no cross-build from $(HOST_ARCH) (known: arm64 from x86))
endif
CC         := $(CROSS_$(ARCH))-gcc
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_$(ARCH))/pkgconfig:/usr/share/pkgconfig pkg-config
PKG_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS    = $(shell $(PKG_CONFIG) --libs $(PKGS))
UNIT_EXTRA := $(BUILD)/tests/unit/sancheck
UNIT_ENV   := UNIT_NAME=unit-$(ARCH) UNIT_EXEC="qemu-$(subst arm64,aarch64,$(ARCH))-static" \
	      UNIT_LEAKS=0 UNIT_SANCHECK=$(UNIT_EXTRA) QEMU_LD_PREFIX=/usr/$(CROSS_$(ARCH)) \
	      QEMU_SET_ENV=LD_LIBRARY_PATH=/usr/lib/$(CROSS_$(ARCH)):/usr/$(CROSS_$(ARCH))/lib
$(BUILD)/tests/unit/sancheck: tests/unit/sancheck.c | $(BUILD)/tests/unit
	$(CC) -std=gnu11 -Wall -Wextra -Werror $(SAN_FLAGS) $< -o $@
.DEFAULT_GOAL := all
$(BUILD) $(BUILD)/bpf $(BUILD)/user $(BUILD)/san $(BUILD)/tests $(BUILD)/tests/unit: | deps-$(ARCH)
endif

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
# one object per hook family, linked in any order (the shared maps are __weak: bpf/lib/maps.bpf.h)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h bpf/lib/*.h)
USER_SRCS ?= $(wildcard user/*.c user/*/*.c)
USER_HDRS := $(wildcard user/*.h user/*/*.h)
LIB_SRCS  := $(filter-out user/main.c,$(USER_SRCS))
USER_OBJS := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
SAN_OBJS  := $(patsubst user/%.c,$(BUILD)/san/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
TEST_PROGS := $(patsubst tests/progs/%.c,$(BUILD)/tests/%,$(wildcard tests/progs/*.c))

.SECONDARY:
.PHONY: all run test unit fuzz integration e2e test-cri test-kernels kernel-progs deps deps-test deps-arm64 vmlinux format check-format check-format-count bench clean golden bpf-unit test-cloudwatch

all: $(BUILD)/credwatch

# --- dependencies -----------------------------------------------------------
# Installs only what is missing, so a second run does nothing and needs no network.
deps:
	@tests/lib/ensure-debs.sh $(DEB_BUILD)
deps-test: deps deps-arm64
	@tests/lib/ensure-debs.sh $(DEB_TEST)
# the arm64 cross toolchain, libraries and emulators (adds dpkg's arm64 architecture once)
deps-arm64: deps
	@tests/lib/ensure-debs.sh $(DEB_ARM64)

# --- BPF ----------------------------------------------------------------------
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux/$(ARCH)/vmlinux.h | $(BUILD)/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/credwatch.bpf.o: $(BPF_OBJS)
	$(BPFTOOL) gen object $@ $^

$(BUILD)/credwatch.skel.h: $(BUILD)/credwatch.bpf.o
	$(BPFTOOL) gen skeleton $< name credwatch_bpf > $@

# Native: from the running kernel's BTF. Cross (ARCH=arm64): from the BTF in the Image of
# Debian's arm64 cloud kernel (the one the kernel matrix boots, tests/kernels/fetch-kernel.sh),
# carved out of the Image by tests/kernels/image-btf.sh; no arm64 machine needed.
ifeq ($(ARCH),$(HOST_ARCH))
vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h
else
vmlinux: deps-$(ARCH) | $(BUILD)
	tests/kernels/image-btf.sh "$$(CW_ARCH=$(ARCH) tests/kernels/fetch-kernel.sh)" $(BUILD)/vmlinux.btf
	@mkdir -p vmlinux/$(ARCH)
	$(BPFTOOL) btf dump file $(BUILD)/vmlinux.btf format c > vmlinux/$(ARCH)/vmlinux.h
endif

# --- userspace ------------------------------------------------------------------
$(BUILD)/user/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) $(BUILD)/credwatch.skel.h VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/credwatch: $(USER_OBJS)
	$(CC) $(CFLAGS) $^ $(PKG_LIBS) -o $@

# --- tests ----------------------------------------------------------------------
$(BUILD)/san/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) $(BUILD)/credwatch.skel.h VERSION
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(SAN_OBJS) | $(BUILD)/tests/unit
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Itests/unit $< $(SAN_OBJS) $(PKG_LIBS) -o $@

$(BUILD)/tests/credsim: tests/sim/credsim.c | $(BUILD)/tests
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static $< -o $@

$(BUILD)/tests/%: tests/progs/%.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ -luring

# reads the agent's BPF maps (file side tests)
$(BUILD)/tests/cw_mapget: tests/progs/cw_mapget.c bpf/credwatch_abi.h | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ $(PKG_LIBS)

unit: $(UNIT_BINS) $(UNIT_EXTRA)
	@$(UNIT_ENV) tests/unit/run.sh $(UNIT_BINS)

# the tests' own probe of BPF trampolines (issue 19: which hooks the agent must attach)
$(BUILD)/tests/cw_fexit_probe: tests/progs/cw_fexit_probe.c | $(BUILD)/tests
	$(CC) $(CFLAGS) $< -o $@ $(PKG_LIBS)

integration: all $(BUILD)/tests/credsim $(TEST_PROGS)
	@tests/integration/run.sh

# Kernel matrix: the BPF integration suites on the host kernel and on Debian's 6.1 cloud
# kernel booted under qemu (tests/kernels/run.sh), one result line per kernel. The kernel
# and the initramfs userland are cached in /var/cache/credwatch/kernels (kept across
# `make clean`). KERNELS_FLAGS=--vm-only runs only the VM (as make test does: the host run
# is the integration suite there).
# KERNEL_ARCHES: the VMs to boot. The arm64 VM runs build/arm64 (built here with make -k
# ARCH=arm64, log in build/kernels/arm64-build.log); if that build fails it still boots, for
# its smoke checks, and its line fails (tests/kernels/run.sh).
KERNEL_ARCHES ?= amd64 arm64
test-kernels: all $(BUILD)/tests/credsim $(TEST_PROGS)
	@rc=0; if [ -n "$(filter arm64,$(KERNEL_ARCHES))" ]; then mkdir -p build/kernels; \
	  $(MAKE) --no-print-directory -k ARCH=arm64 kernel-progs >build/kernels/arm64-build.log 2>&1 || rc=$$?; fi; \
	  CW_VM_ARCHES="$(KERNEL_ARCHES)" CW_ARM64_BUILD=$$rc tests/kernels/run.sh $(KERNELS_FLAGS)
kernel-progs: all $(BUILD)/tests/credsim $(TEST_PROGS)

# real AWS clients (npm's SDK for JavaScript v3, Debian's botocore and awscli, curl, wget)
e2e: all $(BUILD)/tests/credsim
	@tests/e2e/run.sh

# credwatch on a real container runtime (tests/cri/run.sh): a private containerd + runc driven
# through the CRI like the kubelet, the DaemonSet run from the image deploy/Dockerfile builds.
# Its images are cached in /var/cache/credwatch/cri (kept across `make clean`).
test-cri: all $(BUILD)/tests/credsim
	@tests/cri/run.sh
# the CloudWatch side (deploy/cloudwatch): static checks against the event schema, then real
# events through the real Fluent Bit (built once from ../shared/vendor, cached in
# /var/cache/credwatch/fluent-bit-<version>) to a CloudWatch Logs simulator (tests/cloudwatch)
test-cloudwatch: all $(BUILD)/tests/credsim $(BUILD)/tests/cw_connect
	@tests/cloudwatch/run.sh

test: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/tests/credsim $(TEST_PROGS) $(UNIT_BINS) $(BUILD)/tests/golden/replay $(BUILD)/tests/bpf/test_helpers $(BUILD)/tests/bpf/test_progs $(FUZZ_BINS) $(FUZZ_SELFTEST)
	@tests/run-all.sh

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/credwatch run $(ARGS)

# --- benchmarks (make bench: tests/bench/run.sh; nothing here is run by make test) ---
# Loop drivers, the FLOOR (empty BPF programs on credwatch's hooks, same clang flags and
# vmlinux.h as the agent) and an attribution micro-benchmark linked with the agent's objects.
BENCH_PROGS := $(BUILD)/bench/cwbench $(BUILD)/bench/floor $(BUILD)/bench/attribbench

$(BUILD)/bench/floor.bpf.o: tests/bench/floor.bpf.c vmlinux/$(ARCH)/vmlinux.h | $(BUILD)/bench
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bench/floor.skel.h: $(BUILD)/bench/floor.bpf.o
	$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BUILD)/bench/floor: tests/bench/floor.c $(BUILD)/bench/floor.skel.h
	$(CC) $(CFLAGS) -O2 -I$(BUILD)/bench $< $(PKG_LIBS) -o $@

$(BUILD)/bench/cwbench: tests/bench/cwbench.c | $(BUILD)/bench
	$(CC) $(CFLAGS) -O2 $< -o $@ -lpthread

$(BUILD)/bench/attribbench: tests/bench/attribbench.c $(filter-out $(BUILD)/user/main.o,$(USER_OBJS)) | $(BUILD)/bench
	$(CC) $(CFLAGS) -O2 $^ $(PKG_LIBS) -o $@

$(BUILD)/bench:
	@mkdir -p $@

bench: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/tests/credsim $(TEST_PROGS) $(BENCH_PROGS)
	@tests/bench/run.sh

# figure 6 alone (unrelated syscalls, host and the Debian 6.1 VM; issue 19): a few minutes
.PHONY: bench-syscalls
bench-syscalls: deps-test
	@$(MAKE) --no-print-directory all $(BUILD)/tests/credsim $(TEST_PROGS) $(BENCH_PROGS)
	@BENCH_ONLY=syscalls tests/bench/run.sh

# --- formatting -----------------------------------------------------------------
FMT_SRCS := $(wildcard bpf/*.c bpf/*.h bpf/lib/*.h user/*.c user/*.h user/*/*.c user/*/*.h tests/unit/*.c tests/unit/*.h tests/progs/*.c tests/sim/*.c tests/golden/*.c tests/golden/*.h tests/bpf/*.c tests/cri/*.c tests/fuzz/*.c tests/fuzz/*.h)
format:
	clang-format -i $(FMT_SRCS)
check-format-count:
	@if $(MAKE) --no-print-directory check-format; then echo "check-format: 1 passed, 0 failed"; \
	else echo "check-format: 0 passed, 1 failed"; exit 1; fi
check-format:
	@out=$$(for f in $(FMT_SRCS); do clang-format --dry-run --Werror $$f >/dev/null 2>&1 || echo $$f; done); \
	if [ -n "$$out" ]; then echo "check-format: not clang-formatted (run 'make format'):"; echo "$$out"; exit 1; fi; \
	echo "check-format: ok"

$(BUILD) $(BUILD)/bpf $(BUILD)/user $(BUILD)/san $(BUILD)/tests $(BUILD)/tests/unit:
	@mkdir -p $@

clean:
	rm -rf $(BUILD)

# --- BPF library helpers under BPF_PROG_RUN (tests/bpf) -----------------------------------
$(BUILD)/tests/bpf/helpers.bpf.o: tests/bpf/helpers.bpf.c $(BPF_HDRS) vmlinux/$(ARCH)/vmlinux.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/tests/bpf/helpers.skel.h: $(BUILD)/tests/bpf/helpers.bpf.o
	$(BPFTOOL) gen skeleton $< name helpers_bpf > $@

$(BUILD)/tests/bpf/test_helpers: tests/bpf/test_helpers.c $(BUILD)/tests/bpf/helpers.skel.h tests/unit/unit.h
	$(CC) $(CFLAGS) $(SAN_FLAGS) -I$(BUILD)/tests/bpf -Itests/unit $< $(PKG_LIBS) -o $@

$(BUILD)/tests/bpf/test_progs: tests/bpf/test_progs.c $(BUILD)/credwatch.bpf.o tests/unit/unit.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -DCW_BPF_OBJ='"$(BUILD)/credwatch.bpf.o"' -Itests/unit $< $(PKG_LIBS) -o $@

bpf-unit: $(BUILD)/tests/bpf/test_helpers $(BUILD)/tests/bpf/test_progs
	@tests/unit/run.sh $(BUILD)/tests/bpf/test_helpers $(BUILD)/tests/bpf/test_progs | sed 's/^unit:/bpf-unit:/'

# --- the man page and make install --------------------------------------------------------
# One source, doc/credwatch.1.in (troff, man macros), with the version from VERSION and the
# date of its last change; no tool beyond sed. PREFIX and DESTDIR as usual:
#   make install PREFIX=/usr DESTDIR=/tmp/pkg
PREFIX   ?= /usr/local
MANDIR   ?= $(PREFIX)/share/man
MAN_DATE := $(shell git log -1 --format=%cs -- doc/credwatch.1.in 2>/dev/null)
.PHONY: man install uninstall
man: $(BUILD)/credwatch.1
$(BUILD)/credwatch.1: doc/credwatch.1.in VERSION | $(BUILD)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@DATE@/$(or $(MAN_DATE),$(shell date -u +%Y-%m-%d))/g' $< >$@
install: all $(BUILD)/credwatch.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BUILD)/credwatch $(DESTDIR)$(PREFIX)/bin/credwatch
	install -m 0644 $(BUILD)/credwatch.1 $(DESTDIR)$(MANDIR)/man1/credwatch.1
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/credwatch $(DESTDIR)$(MANDIR)/man1/credwatch.1

# --- characterization test of the event pipeline (tests/golden) ---------------------------
GOLDEN_SRCS := $(wildcard tests/golden/*.c)
$(BUILD)/tests/golden/replay: $(GOLDEN_SRCS) tests/golden/golden.h $(SAN_OBJS) | $(BUILD)/tests/golden
	$(CC) $(CFLAGS) $(SAN_FLAGS) -Wno-missing-field-initializers -Itests/golden $(GOLDEN_SRCS) $(SAN_OBJS) $(PKG_LIBS) -o $@

$(BUILD)/tests/golden:
	@mkdir -p $@

golden: $(BUILD)/tests/golden/replay
	@tests/golden/run.sh

# --- fuzzing (tests/fuzz): libFuzzer targets for the parsers of untrusted input ---------------
# The agent's own sources, compiled again with clang for fuzzing (coverage instrumentation,
# ASan, UBSan) into build/fuzz/obj and archived, so each target links only the objects it
# uses. The loader (it needs the BPF skeleton) and main.c are left out: no parser is there.
# `make fuzz` runs every target for FUZZ_SECONDS (tests/fuzz/run.sh: two at a time, working
# corpora and crash artefacts under build/fuzz/, PASS/FAIL per target).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := -O1 -g -DCREDWATCH_VERSION='"$(VERSION)"' -std=gnu11 -Wall -Wextra -Werror \
		-D_GNU_SOURCE -Ibpf -Iuser $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_LIB_SRCS := $(filter-out user/loader/%,$(LIB_SRCS))
FUZZ_OBJS    := $(patsubst user/%.c,build/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,build/fuzz/bin/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SELFTEST := build/fuzz/bin/selftest

build/fuzz/obj/%.o: user/%.c $(USER_HDRS) $(BPF_HDRS) VERSION
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build/fuzz/libcredwatch.a: $(FUZZ_OBJS)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/bin/%: tests/fuzz/%.c tests/fuzz/fuzz.h build/fuzz/libcredwatch.a
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Itests/fuzz $< build/fuzz/libcredwatch.a \
		$(PKG_LIBS) -o $@

fuzz:
	$(if $(filter-out $(HOST_ARCH),$(ARCH)),$(error make fuzz runs natively only (ARCH=$(ARCH))))
	@tests/lib/ensure-debs.sh clang libclang-rt-14-dev
	@$(MAKE) --no-print-directory $(FUZZ_BINS) $(FUZZ_SELFTEST)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(FUZZ_BINS)
