#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel matrix: run the BPF integration suites (tests/integration/test_*.sh, minus those in
# SKIP below) on the host kernel and on Debian's 6.1 LTS cloud kernel booted under qemu
# (software emulation: KVM hangs on this machine), for amd64 and for arm64 (Graviton; the
# arm64 kernel under qemu-system-aarch64, with an arm64 userland of Debian packages, see
# sysroot.sh), and print one line per kernel and arch:
#
#   kernel <release> (<arch>): hooks file=<...> socket=<...> network=<...>; N passed, N failed[, N skipped]
#
# (hooks from the agent_ready line of a short probe run on that kernel), then
# "kernels: N passed, N failed" over what ran. Exits non-zero if anything failed.
#
#   tests/kernels/run.sh              host, then the 6.1 VM
#   tests/kernels/run.sh --vm-only    only the VM (tests/run-all.sh: the host run is its own
#                                     suite there, "integration"; with CW_HOST_RESULT="P F",
#                                     its passed/failed counts, the host's result line is
#                                     printed too, from those counts and a probe run)
#   tests/kernels/run.sh --host-only
#
# Environment: CW_KERNEL_CACHE (default /var/cache/credwatch/kernels: the downloaded kernel
# and the userland part of the initramfs, kept across `make clean` and fresh clones, see
# fetch-kernel.sh), CW_VM_TIMEOUT (seconds for the whole VM, default 1200), CW_VM_SMP (2),
# CW_VM_MEM (MiB, 2048), CW_VM_TESTS (comma-separated script names, default all),
# CW_VM_SUITE_TIMEOUT (seconds per script inside the VM, default 420), CW_VM_JOBS (scripts
# run in parallel inside the VM, default 2), CW_VM_ARCHES (the VMs to boot, default
# "amd64 arm64"), CW_VM_TIME_SCALE (the amd64 guest's CW_TIME_SCALE, 8), CW_VM_FLOOD_N (2000),
# CW_VM_LOAD_FACTOR / CW_VM_LOAD_MAX (the host-load multiplier of every time budget and
# timing window, see load_factor; default measured, at most 4); for the arm64 VM: CW_VM_TESTS_ARM64 (default ARM64_SUITES below),
# CW_VM_TIMEOUT_ARM64 (default 900), CW_VM_TIME_SCALE_ARM64 (16), CW_VM_FLOOD_N_ARM64 (500),
# CW_VM_CPU_ARM64 (default max,pauth-impdef=on: pointer
# authentication with QEMU's cheap algorithm; the architected one doubles the boot time),
# CW_ARM64_BUILD (exit status of `make ARCH=arm64` as the Makefile ran it: when it is not 0,
# or build/arm64/credwatch is missing, the arm64 VM boots without the agent and runs only
# its smoke checks (init.sh cw.smoke=1), and its line counts the failed build).
#
# The VM has no network device (-nic none); the suites build their own network namespaces
# with lo only, as on the host. Full logs: build/kernels/host.log and
# build/kernels/<release>.console.log.
#
# arm64 under emulation of another architecture is slower than the amd64 VM, so it runs a
# named subset that still covers every hook family (process: test_hostile, whose events
# are exec-described processes; network connect: test_network; HTTP: test_findings'
# IMDS/Pod Identity requests; file open through the VFS hook: test_files; unix socket:
# test_sockets; io_uring: test_uring). The line says which scripts ran.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kernels/lib.sh
. tests/kernels/lib.sh

# Suites not run by the kernel matrix, with the reason (printed and counted as skipped).
declare -A SKIP=(
	[test_harness.sh]="self-test of the fake-node harness and credsim: compiles with gcc and loads no BPF (run by 'make integration' on the host)"
	[test_probes.sh]="the agent's rules for failed opens (audit, reconnaissance): the kernel side is test_files' failed opens, run on every kernel"
	[test_peers.sh]="another credwatch agent's reads: the agent's reading of /proc/PID/fdinfo and the bpf() map info (userspace) (run by 'make integration' on the host)"
	[test_flood.sh]="20 s of floods (1.3 million opens on this host): minutes of emulated CPU; the flood path's programs load and run in the VM in every file suite (run by 'make integration' on the host)"
	[test_association.sh]="the agent's reading of pods' projected volumes: the kernel side is test_findings' IMDS requests, run on every kernel"
	# the responder's commands that load no BPF, and trace, whose BPF is run's (test_findings)
	[test_scan.sh]="credwatch scan reads /proc and the node's state, loads no BPF (run by 'make integration' on the host)"
	[test_view.sh]="credwatch view renders a recording, loads no BPF; its oracle needs python3 (run by 'make integration' on the host)"
	[test_install.sh]="make install and the man page: no BPF; needs man-db (run by 'make integration' on the host)"
	[test_trace.sh]="credwatch trace on a terminal: needs tmux; its programs are run's, tested on every kernel by test_findings (run by 'make integration' on the host)"
	# the agent's operations (issue 15): userspace, the same on every kernel, and they need
	# tools the VM's userland does not carry (promtool, bpftool, ss, zcat -f)
	[test_ops_health.sh]="periodic stats and credwatch health: userspace; needs bpftool (link detach) (run by 'make integration' on the host)"
	[test_ops_metrics.sh]="the Prometheus endpoint: userspace; needs promtool and ss (run by 'make integration' on the host)"
	[test_ops_output.sh]="output files, rotation, gzip, full disk: userspace; needs zcat -f (run by 'make integration' on the host)"
	[test_ops_reload.sh]="SIGHUP reload: userspace map updates only (run by 'make integration' on the host)"
)

# the arm64 VM's subset (see above)
ARM64_SUITES=test_hostile.sh,test_network.sh,test_findings.sh,test_files.sh,test_sockets.sh,test_uring.sh

do_host=1 do_vm=1
case ${1-} in
"") ;;
--vm-only) do_host=0 ;;
--host-only) do_vm=0 ;;
*) echo "usage: $0 [--vm-only|--host-only]" >&2; exit 2 ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "kernels: needs root (BPF, cgroups, network namespaces)" >&2
	exit 1
fi
for f in build/credwatch build/tests/credsim build/tests/cw_connect; do
	[ -x "$f" ] || { echo "kernels: $f missing: run 'make test-kernels'" >&2; exit 1; }
done

CACHE=${CW_KERNEL_CACHE:-/var/cache/credwatch/kernels}
VM_TIMEOUT=${CW_VM_TIMEOUT:-1200}
OUT=build/kernels
mkdir -p "$OUT"

# the scripts to run (basenames) and the skipped ones
scripts=() skipped=()
if [ -n "${CW_VM_TESTS-}" ]; then
	IFS=, read -r -a scripts <<<"$CW_VM_TESTS"
else
	for t in tests/integration/test_*.sh; do
		t=${t##*/}
		if [ -n "${SKIP[$t]-}" ]; then skipped+=("$t"); else scripts+=("$t"); fi
	done
fi
for t in "${skipped[@]}"; do
	echo "kernels: skipping tests/integration/$t on every kernel: ${SKIP[$t]}"
done

total_p=0 total_f=0 any_fail=0 host_line=''
tmp=$(mktemp -d /tmp/cw-kernels.XXXXXX)
qpid=
cleanup() {
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null	# timeout(1), which passes it on to qemu
		wait "$qpid" 2>/dev/null
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# result_line RELEASE READY-JSON PASSED FAILED [NO-HOOKS-REASON] [NSKIPPED]
result_line() {
	local hooks nskip=${6-${#skipped[@]}}
	if [ -n "$2" ]; then hooks=$(hooks_summary "$2"); else hooks="none (${5:-the agent did not start})"; fi
	local line="kernel $1: hooks $hooks; $3 passed, $4 failed"
	[ "$nskip" -gt 0 ] && line+=", $nskip skipped"
	echo "$line"
}

# show the interesting lines of a suite log as they come
progress() {
	grep --line-buffered -E '^(=== .*: [0-9]+ passed|FAIL: |CWVM-(KERNEL|SUITE|READY-FAILED|CHECK:)|credwatch: error)' |
		sed -u 's/^/  /'
}

# --- host ---------------------------------------------------------------------------------
if [ "$do_host" = 1 ]; then
	rel=$(uname -r)
	echo "kernels: host kernel $rel"
	ready='' rc=0
	build/credwatch run --duration 1 --output "$tmp/probe.json" 2>"$tmp/probe.err" || rc=$?
	ready=$(grep -m1 '"event":"agent_ready"' "$tmp/probe.json" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		echo "  agent probe failed ($rc):"
		tail -n 20 "$tmp/probe.err" | sed 's/^/  | /'
	fi
	start=$(date +%s)
	tests/integration/run.sh "${scripts[@]/#/tests/integration/}" >"$OUT/host.log" 2>&1 &
	hpid=$!
	tail -n +1 -f --pid="$hpid" "$OUT/host.log" | progress
	wait "$hpid"
	line=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$OUT/host.log" | tail -1)
	p=$(sed -nE 's/.*: ([0-9]+) passed.*/\1/p' <<<"$line")
	f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
	p=${p:-0} f=${f:-1}
	[ "$rc" -ne 0 ] && f=$((f + 1))	# the probe counts as a check
	echo "  host: $(($(date +%s) - start)) s, log $OUT/host.log"
	host_line=$(result_line "$rel ($(uname -m))" "$ready" "$p" "$f")
	total_p=$((total_p + p)) total_f=$((total_f + f))
	[ "$f" -eq 0 ] || any_fail=1
fi

# --vm-only from tests/run-all.sh: the host's suites ran as "integration"; its counts are
# reported on the host's line (not added to this run's totals: they are counted there)
if [ "$do_host" = 0 ] && [ -n "${CW_HOST_RESULT-}" ]; then
	read -r p f <<<"$CW_HOST_RESULT"
	rc=0
	build/credwatch run --duration 1 --output "$tmp/probe.json" 2>"$tmp/probe.err" || rc=$?
	ready=$(grep -m1 '"event":"agent_ready"' "$tmp/probe.json" 2>/dev/null)
	if [ "$rc" -ne 0 ]; then
		echo "  host agent probe failed ($rc):"
		tail -n 20 "$tmp/probe.err" | sed 's/^/  | /'
		total_f=$((total_f + 1)) any_fail=1
	fi
	# (the integration suite ran every script, the harness self-test too: nothing skipped)
	if [ -n "$ready" ]; then hooks=$(hooks_summary "$ready"); else hooks="none (the agent did not start)"; fi
	host_line="kernel $(uname -r) ($(uname -m)): hooks $hooks; ${p:-0} passed, ${f:-1} failed (the integration suite)"
fi

# --- Debian 6.1 under qemu, per arch ------------------------------------------------------
vm_lines=()
vm_fail() {
	vm_lines+=("kernel ${1:-6.1}: hooks unknown; 0 passed, 1 failed ($2)")
	total_f=$((total_f + 1))
	any_fail=1
}

# load_factor: the emulated CPUs get what the host's other work leaves them, so every time
# budget and timing window of a VM stretches with the host's load: the 1-minute load average
# per CPU, rounded up, at least 1, at most CW_VM_LOAD_MAX (4). CW_VM_LOAD_FACTOR fixes it.
load_factor() {
	if [ -n "${CW_VM_LOAD_FACTOR-}" ]; then
		echo "$CW_VM_LOAD_FACTOR"
		return
	fi
	awk -v n="$(nproc)" -v max="${CW_VM_LOAD_MAX:-4}" \
		'{ f = int($1 / n + 0.999); if (f < 1) f = 1; if (f > max) f = max; print f }' /proc/loadavg
}

# guest_trouble CONSOLE: what the guest kernel said went wrong with itself (soft lockups, RCU
# stalls, hung tasks, oopses), distinct from test failures; empty when nothing
guest_trouble() {
	grep -E 'BUG: soft lockup|rcu: INFO: .*detected stalls|self-detected stall|blocked for more than [0-9]+ seconds|Oops:|Kernel panic|BUG: kernel NULL' "$1" |
		awk '!seen[$0]++' | head -n 5
}

# run_vm ARCH: build the initramfs for ARCH, boot Debian's 6.1 cloud kernel for ARCH, run the
# suites (or, for an arm64 agent that did not build, the smoke checks) and add its line
run_vm() {
	local arch=$1 vm_start rel vmlinuz key base log append tests qrc res ready p f
	local sysroot='' build=build qemu console cpu timeout no_agent=0 label vm_opts=''
	local -a vm_scripts=("${scripts[@]}")
	local nskip=${#skipped[@]} why='' lf scale suite_timeout trouble
	vm_start=$(date +%s)
	lf=$(load_factor)
	case $arch in
	amd64)
		qemu=(qemu-system-x86_64) cpu=${CW_VM_CPU:-max} console=ttyS0 timeout=$VM_TIMEOUT
		scale=${CW_VM_TIME_SCALE:-8}
		vm_opts="cw.flood_n=${CW_VM_FLOOD_N:-2000}"
		;;
	arm64)
		qemu=(qemu-system-aarch64 -M virt) cpu=${CW_VM_CPU_ARM64:-max,pauth-impdef=on}
		console=ttyAMA0 timeout=${CW_VM_TIMEOUT_ARM64:-900} build=build/arm64
		# emulating another architecture is about twice as slow again: twice the timing
		# slack, and a shorter IMDS flood in test_findings (what it checks is the same)
		scale=${CW_VM_TIME_SCALE_ARM64:-16}
		vm_opts="cw.flood_n=${CW_VM_FLOOD_N_ARM64:-500}"
		if [ -z "${CW_VM_TESTS-}" ]; then
			IFS=, read -r -a vm_scripts <<<"${CW_VM_TESTS_ARM64:-$ARM64_SUITES}"
			nskip=0
		fi
		if [ "${CW_ARM64_BUILD:-0}" != 0 ] || [ ! -x build/arm64/credwatch ]; then
			no_agent=1
			why="the arm64 agent did not build$([ "${CW_ARM64_BUILD:-0}" != 0 ] && echo ": make ARCH=arm64 exited $CW_ARM64_BUILD")"
		fi
		;;
	*) vm_fail "" "unknown arch $arch"; return ;;
	esac
	timeout=$((timeout * lf)) scale=$((scale * lf))
	suite_timeout=$((${CW_VM_SUITE_TIMEOUT:-420} * lf))
	vm_opts+=" cw.time_scale=$scale"
	[ "$lf" -gt 1 ] && echo "kernels: host load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) CPUs: the $arch VM's time budget and timing windows x$lf ($timeout s, $suite_timeout s per suite, time scale $scale)"
	if ! vmlinuz=$(CW_ARCH=$arch tests/kernels/fetch-kernel.sh); then
		vm_fail "6.1 ($arch)" "cannot fetch the 6.1 $arch cloud kernel"
		return
	fi
	rel=$(basename "$(dirname "$vmlinuz")")
	label="$rel ($arch)"
	echo "kernels: booting $rel under qemu (TCG, $arch)"
	# the userland part of the initramfs, cached: it changes only with the installed
	# packages (amd64: this machine's own; arm64: the sysroot's) or these scripts
	if [ "$arch" = amd64 ]; then
		key=$({ cat tests/kernels/mkinitramfs.sh; stat -c %Y /var/lib/dpkg/status; } | sha256sum)
		base=$CACHE/initramfs-base-${key:0:16}.cpio.gz
	else
		key=$(sha256sum <tests/kernels/sysroot.sh)
		sysroot=$CACHE/sysroot-$arch-${key:0:16}
		if [ ! -d "$sysroot" ]; then
			echo "  unpacking the $arch userland from Debian packages (once; cached as $sysroot)"
			rm -rf "$CACHE"/sysroot-"$arch"-*
			tests/kernels/sysroot.sh "$arch" "$sysroot" || { vm_fail "$label" "$arch userland (sysroot.sh) failed"; return; }
		fi
		key=$(cat tests/kernels/mkinitramfs.sh tests/kernels/sysroot.sh | sha256sum)
		base=$CACHE/initramfs-$arch-base-${key:0:16}.cpio.gz
	fi
	if [ ! -s "$base" ] || [ ! -s "$base.list" ]; then
		echo "  building the initramfs userland (once; cached as $base)"
		if [ "$arch" = amd64 ]; then
			rm -f "$CACHE"/initramfs-base-*.cpio.gz "$CACHE"/initramfs-base-*.cpio.gz.list
		else
			rm -f "$CACHE"/initramfs-"$arch"-base-*.cpio.gz "$CACHE"/initramfs-"$arch"-base-*.cpio.gz.list
		fi
		if ! CW_ARCH=$arch CW_SYSROOT=$sysroot tests/kernels/mkinitramfs.sh base "$base"; then
			rm -f "$base" "$base.list"
			vm_fail "$label" "initramfs build failed"
			return
		fi
	fi
	if ! CW_ARCH=$arch CW_SYSROOT=$sysroot CW_BUILD=$build CW_NO_AGENT=$no_agent CW_BASE_LIST=$base.list \
		tests/kernels/mkinitramfs.sh project "$tmp/project-$arch.cpio.gz"; then
		vm_fail "$label" "initramfs build failed"
		return
	fi
	cat "$base" "$tmp/project-$arch.cpio.gz" >"$OUT/initrd-$arch.gz"
	log=$OUT/$rel.console.log
	: >"$log"
	tests=$(IFS=,; echo "${vm_scripts[*]}")
	# mitigations=off: page-table isolation makes every syscall flush the emulated TLB
	# under TCG; it changes nothing for BPF programs loaded by root
	append="console=$console quiet lsm=lockdown,capability,bpf panic=-1 mitigations=off"
	append+=" cw.tests=$tests cw.suite_timeout=$suite_timeout cw.jobs=${CW_VM_JOBS:-2}"
	[ -n "$vm_opts" ] && append+=" $vm_opts"
	[ "$no_agent" = 1 ] && append+=" cw.smoke=1"
	if [ "$no_agent" = 1 ]; then
		echo "  $why: smoke checks only"
		[ -s build/kernels/arm64-build.log ] &&
			grep -E 'error:|Error [0-9]' build/kernels/arm64-build.log | awk '!seen[$0]++' |
				head -n 20 | sed 's/^/  | /'
	fi
	timeout -k 10 "$timeout" "${qemu[@]}" -accel tcg,thread=multi -cpu "$cpu" \
		-m "${CW_VM_MEM:-2048}" -smp "${CW_VM_SMP:-2}" -nographic -no-reboot -nic none \
		-kernel "$vmlinuz" -initrd "$OUT/initrd-$arch.gz" -append "$append" \
		</dev/null >"$log" 2>&1 &
	qpid=$!
	tail -n +1 -f --pid="$qpid" "$log" | sed -u 's/\r//g' | progress
	wait "$qpid"
	qrc=$?
	qpid=
	tr -d '\r' <"$log" >"$tmp/console"
	res=$(grep -E '^CWVM-RESULT: ' "$tmp/console" | tail -1)
	# the guest kernel's own trouble is reported as such (and fails the VM's line), apart
	# from the tests' results; the stack traces are in the console log
	trouble=$(guest_trouble "$tmp/console")
	ready=$(sed -n 's/^CWVM-READY: //p' "$tmp/console" | head -1)
	if grep -q '^CWVM-READY-FAILED' "$tmp/console"; then
		echo "  the agent failed to load on $rel; from its log:"
		# the program, the last verifier lines before the end of its log, libbpf's verdict
		sed -n 's/^CWVM-AGENT-ERR: //p' "$tmp/console" |
			grep -B6 -E 'END PROG LOAD LOG|failed to load|error:' |
			grep -vE '^--$' | sed 's/^/  | /'
	fi
	if [ -n "$res" ]; then
		p=$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$res")
		f=$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$res")
		# the probe counts as a check
		grep -q '^CWVM-READY-FAILED' "$tmp/console" && f=$((f + 1))
	else
		echo "  the VM ended without a result (qemu exit $qrc$([ "$qrc" = 124 ] && echo ": timed out after $timeout s")); console tail:"
		tail -n 15 "$tmp/console" | sed 's/^/  | /'
		p=$(grep -cE '^(PASS: |CWVM-CHECK: PASS)' "$tmp/console")
		f=$(($(grep -cE '^(FAIL: |CWVM-CHECK: FAIL)' "$tmp/console") + 1))
	fi
	# arm64: the BTF the running kernel serves is the one `make vmlinux ARCH=arm64` carves
	# out of the same Image (tests/kernels/image-btf.sh)
	if [ "$arch" = arm64 ]; then
		local vm_btf img_btf=''
		vm_btf=$(sed -n 's/^CWVM-BTF: //p' "$tmp/console" | head -1)
		tests/kernels/image-btf.sh "$vmlinuz" "$tmp/image.btf" 2>/dev/null &&
			img_btf=$(sha256sum <"$tmp/image.btf" | cut -d' ' -f1)
		if [ -n "$vm_btf" ] && [ "$vm_btf" = "$img_btf" ]; then
			echo "  PASS: /sys/kernel/btf/vmlinux in the VM is the BTF image-btf.sh carves from $rel's Image"
			p=$((p + 1))
		else
			echo "  FAIL: /sys/kernel/btf/vmlinux in the VM (${vm_btf:-none}) differs from the BTF carved from the Image (${img_btf:-none})"
			f=$((f + 1))
		fi
	fi
	if [ "$no_agent" = 1 ]; then
		f=$((f + 1))	# the build is a check, and it failed
		label+=", smoke checks only"
		vm_scripts=()
	fi
	if [ -n "$trouble" ]; then
		echo "  GUEST KERNEL TROUBLE (not a test failure; stack traces in $log):"
		sed 's/^/  | /' <<<"$trouble"
		f=$((f + 1))
		why="${why:+$why; }guest kernel: $(head -n 1 <<<"$trouble" | sed 's/^\[[^]]*\] *//')"
	fi
	local boot
	boot=$(sed -n 's/^CWVM-UPTIME: init //p' "$tmp/console" | head -1)
	echo "  VM ($arch): $(($(date +%s) - vm_start)) s${boot:+, /init started at $boot of uptime}, console log $log"
	local line
	line=$(result_line "$label" "$ready" "$p" "$f" "$why" "$nskip")
	if [ "$arch" != amd64 ] && [ ${#vm_scripts[@]} -gt 0 ]; then
		line+=" (ran ${vm_scripts[*]%.sh})"
	fi
	vm_lines+=("$line")
	total_p=$((total_p + p)) total_f=$((total_f + f))
	[ "$f" -eq 0 ] || any_fail=1
}

if [ "$do_vm" = 1 ]; then
	for arch in ${CW_VM_ARCHES:-amd64 arm64}; do
		run_vm "$arch"
	done
fi

echo
[ -n "$host_line" ] && echo "$host_line"
for l in "${vm_lines[@]}"; do echo "$l"; done
echo "kernels: $total_p passed, $total_f failed"
[ "$any_fail" -eq 0 ] && [ "$total_f" -eq 0 ]
