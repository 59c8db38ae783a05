#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel matrix: run the BPF integration suites (tests/integration/test_*.sh, minus those in
# SKIP below) on the host kernel and on Debian's 6.1 LTS cloud kernel booted under qemu
# (software emulation: KVM hangs on this machine), and print one line per kernel:
#
#   kernel <release>: hooks file=<...> socket=<...> network=<...>; N passed, N failed[, N skipped]
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
# fetch-kernel.sh), CW_VM_TIMEOUT (seconds for the whole VM, default 1500), CW_VM_SMP (2),
# CW_VM_MEM (MiB, 2048), CW_VM_TESTS (comma-separated script names, default all),
# CW_VM_SUITE_TIMEOUT (seconds per script inside the VM, default 600), CW_VM_JOBS (scripts
# run in parallel inside the VM, default 2).
#
# The VM has no network device (-nic none); the suites build their own network namespaces
# with lo only, as on the host. Full logs: build/kernels/host.log and
# build/kernels/<release>.console.log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=tests/kernels/lib.sh
. tests/kernels/lib.sh

# Suites not run by the kernel matrix, with the reason (printed and counted as skipped).
declare -A SKIP=(
	[test_harness.sh]="self-test of the fake-node harness and credsim: compiles with gcc and loads no BPF (run by 'make integration' on the host)"
	[test_probes.sh]="the agent's rules for failed opens (audit, reconnaissance): the kernel side is test_files' failed opens, run on every kernel"
	[test_association.sh]="the agent's reading of pods' projected volumes: the kernel side is test_findings' IMDS requests, run on every kernel"
)

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
VM_TIMEOUT=${CW_VM_TIMEOUT:-1500}
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

total_p=0 total_f=0 any_fail=0 host_line='' vm_line=''
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

# result_line RELEASE READY-JSON PASSED FAILED
result_line() {
	local hooks
	if [ -n "$2" ]; then hooks=$(hooks_summary "$2"); else hooks="none (the agent did not start)"; fi
	local line="kernel $1: hooks $hooks; $3 passed, $4 failed"
	[ ${#skipped[@]} -gt 0 ] && line+=", ${#skipped[@]} skipped"
	echo "$line"
}

# show the interesting lines of a suite log as they come
progress() {
	grep --line-buffered -E '^(=== .*: [0-9]+ passed|FAIL: |CWVM-(KERNEL|SUITE|READY-FAILED)|credwatch: error)' |
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
	host_line=$(result_line "$rel" "$ready" "$p" "$f")
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
	host_line="kernel $(uname -r): hooks $hooks; ${p:-0} passed, ${f:-1} failed (the integration suite)"
fi

# --- Debian 6.1 under qemu ------------------------------------------------------------------
vm_fail() {
	vm_line="kernel ${1:-6.1}: hooks unknown; 0 passed, 1 failed ($2)"
	total_f=$((total_f + 1))
	any_fail=1
}

if [ "$do_vm" = 1 ]; then
	vm_start=$(date +%s)
	if ! vmlinuz=$(tests/kernels/fetch-kernel.sh); then
		vm_fail "" "cannot fetch the 6.1 cloud kernel"
	else
		rel=$(basename "$(dirname "$vmlinuz")")
		echo "kernels: booting $rel under qemu (TCG)"
		# the userland part of the initramfs, cached: it changes only with the installed
		# packages or mkinitramfs.sh
		key=$({ cat tests/kernels/mkinitramfs.sh; stat -c %Y /var/lib/dpkg/status; } | sha256sum)
		base=$CACHE/initramfs-base-${key:0:16}.cpio.gz
		if [ ! -s "$base" ] || [ ! -s "$base.list" ]; then
			echo "  building the initramfs userland (once; cached as $base)"
			rm -f "$CACHE"/initramfs-base-*.cpio.gz "$CACHE"/initramfs-base-*.cpio.gz.list
			tests/kernels/mkinitramfs.sh base "$base" || { rm -f "$base" "$base.list"; vm_fail "$rel" "initramfs build failed"; }
		fi
	fi
	if [ -n "${rel-}" ] && [ -s "${base-}" ] &&
	   CW_BASE_LIST=$base.list tests/kernels/mkinitramfs.sh project "$tmp/project.cpio.gz"; then
		cat "$base" "$tmp/project.cpio.gz" >"$OUT/initrd.gz"
		log=$OUT/$rel.console.log
		: >"$log"
		tests=$(IFS=,; echo "${scripts[*]}")
		# mitigations=off: page-table isolation makes every syscall flush the emulated TLB
		# under TCG; it changes nothing for BPF programs loaded by root
		append="console=ttyS0 quiet lsm=lockdown,capability,bpf panic=-1 mitigations=off"
		append+=" cw.tests=$tests cw.suite_timeout=${CW_VM_SUITE_TIMEOUT:-600} cw.jobs=${CW_VM_JOBS:-2}"
		timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu "${CW_VM_CPU:-max}" \
			-m "${CW_VM_MEM:-2048}" -smp "${CW_VM_SMP:-2}" -nographic -no-reboot -nic none \
			-kernel "$vmlinuz" -initrd "$OUT/initrd.gz" -append "$append" \
			</dev/null >"$log" 2>&1 &
		qpid=$!
		tail -n +1 -f --pid="$qpid" "$log" | tr -d '\r' | progress
		wait "$qpid"
		qrc=$?
		qpid=
		tr -d '\r' <"$log" >"$tmp/console"
		res=$(grep -E '^CWVM-RESULT: ' "$tmp/console" | tail -1)
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
			echo "  the VM ended without a result (qemu exit $qrc$([ "$qrc" = 124 ] && echo ": timed out after $VM_TIMEOUT s")); console tail:"
			tail -n 15 "$tmp/console" | sed 's/^/  | /'
			p=$(grep -cE '^PASS: ' "$tmp/console")
			f=$(($(grep -cE '^FAIL: ' "$tmp/console") + 1))
		fi
		echo "  VM: $(($(date +%s) - vm_start)) s, console log $log"
		vm_line=$(result_line "$rel" "$ready" "$p" "$f")
		total_p=$((total_p + p)) total_f=$((total_f + f))
		[ "$f" -eq 0 ] || any_fail=1
	elif [ -n "${rel-}" ] && [ -s "${base-}" ]; then
		vm_fail "$rel" "initramfs build failed"
	fi
fi

echo
[ -n "$host_line" ] && echo "$host_line"
[ -n "$vm_line" ] && echo "$vm_line"
echo "kernels: $total_p passed, $total_f failed"
[ "$any_fail" -eq 0 ] && [ "$total_f" -eq 0 ]
