#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-vm.sh SAMPLES: the "unrelated syscalls" figure of `make bench` (tests/bench/
# syscalls.sh) inside Debian's 6.1 cloud kernel under qemu (amd64, TCG), the kernel EKS
# nodes run, where credwatch can use BPF trampolines (fentry/fexit, LSM). Called by
# tests/bench/run.sh; appends the VM's samples ("fig6<TAB>vm.<key><TAB>value") to SAMPLES.
#
# Software emulation makes absolute times meaningless; ratios between variants measured in
# one run, interleaved, still compare. By default the guest's clock counts instructions
# (qemu -icount shift=0: one instruction, one nanosecond; one vCPU, no multi-threaded TCG):
# what the guest measures no longer depends on how much CPU the host's other work leaves
# the emulator (on this shared 2-core machine the wall-clock ratios of two runs differed by
# 2x), only on the instructions executed. A "ns per call" is then the call's instruction
# path length, and a ratio the ratio of path lengths: what a syscall slow path or a BPF
# program adds, not what caches or the host's load do. The loop's wall time counts every
# instruction the one vCPU executed meanwhile (the agent's too), its CPU time only its own.
# BENCH_VM_ICOUNT= (empty) boots with multi-threaded TCG and real time instead. The VM is
# booted like the kernel matrix's
# (tests/kernels/run.sh: same kernel, same cached initramfs userland, same command line but
# cw.bench=1, which makes /init run syscalls.sh instead of the suites), with the bench
# programs added as a third cpio archive (the kernel unpacks them in order). While it runs,
# the host's load average is sampled every 2 s (vm.host_load1): the emulated CPUs get what
# the host's other work leaves them.
#
# Environment: BENCH_VM_ROUNDS (3: with -icount the rounds agree to 0.1 %),
# BENCH_VM_ITERS (20000), BENCH_VM_REPS (3), BENCH_VM_SETTLE (seconds after a start, 1),
# BENCH_VM_ICOUNT (qemu's -icount option, default shift=0), BENCH_VM_SMP (1 with -icount,
# else 2), BENCH_VM_MEM (MiB, 1024), BENCH_VM_TIMEOUT (seconds for the whole VM, 600),
# CW_KERNEL_CACHE (see run.sh).
# The console log is kept as build/kernels/bench-<release>.console.log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
samples=${1:?usage: bench-vm.sh SAMPLES}
CACHE=${CW_KERNEL_CACHE:-/var/cache/credwatch/kernels}
OUT=build/kernels
T0=$SECONDS
log() { echo "bench-vm [$((SECONDS - T0))s]: $*" >&2; }
sample() { printf 'fig6\tvm.%s\t%s\n' "$1" "$2" >>"$samples"; }

for f in build/credwatch build/bench/cwbench build/bench/floor build/tests/credsim; do
	[[ -x $f ]] || { log "$f missing (make bench builds it)"; exit 1; }
done
mkdir -p "$OUT"
tmp=$(mktemp -d /tmp/cw-benchvm.XXXXXX) || exit 1
qpid='' spid=''
cleanup() {
	if [[ -n $qpid ]] && kill -0 "$qpid" 2>/dev/null; then
		kill -TERM "$qpid" 2>/dev/null	# timeout(1), which passes it on to qemu
		wait "$qpid" 2>/dev/null
	fi
	if [[ -n $spid ]]; then
		kill -TERM "$spid" 2>/dev/null
		wait "$spid" 2>/dev/null
	fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vmlinuz=$(CW_ARCH=amd64 tests/kernels/fetch-kernel.sh) || { log "cannot fetch the 6.1 cloud kernel"; exit 1; }
rel=$(basename "$(dirname "$vmlinuz")")

# the initramfs userland, cached by tests/kernels/run.sh under the same key (built here if
# it is not cached yet, as run.sh would)
key=$({ cat tests/kernels/mkinitramfs.sh; stat -c %Y /var/lib/dpkg/status; } | sha256sum)
base=$CACHE/initramfs-base-${key:0:16}.cpio.gz
if [[ ! -s $base || ! -s $base.list ]]; then
	log "building the initramfs userland (once; cached as $base)"
	rm -f "$CACHE"/initramfs-base-*.cpio.gz "$CACHE"/initramfs-base-*.cpio.gz.list
	if ! CW_ARCH=amd64 tests/kernels/mkinitramfs.sh base "$base"; then
		rm -f "$base" "$base.list"
		log "initramfs build failed"
		exit 1
	fi
fi
CW_ARCH=amd64 CW_BUILD=build CW_BASE_LIST=$base.list \
	tests/kernels/mkinitramfs.sh project "$tmp/project.cpio.gz" || { log "initramfs build failed"; exit 1; }

# the bench part: the loop driver, the floor, the figure's script; and any library they need
# that neither the userland nor the agent's libraries (the project part) bring
b=$tmp/benchroot
mkdir -p "$b/credwatch/build/bench" "$b/credwatch/tests/bench"
cp -p build/bench/cwbench build/bench/floor "$b/credwatch/build/bench/"
cp -p tests/bench/syscalls.sh "$b/credwatch/tests/bench/"
have=$({ cat "$base.list"; ldd build/credwatch build/tests/* 2>/dev/null |
	grep -oE '/[^ ]+ \(0x' | grep -oE '^/[^ ]+'; } | sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' | sort -u)
extra=()
while read -r lib; do
	c=$(sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#' <<<"$lib")
	grep -qxF "$c" <<<"$have" && continue
	mkdir -p "$b$(dirname "$c")"
	cp -L "$lib" "$b$c"
	extra+=("$c")
done < <(ldd build/bench/cwbench build/bench/floor | grep -oE '/[^ ]+ \(0x' | grep -oE '^/[^ ]+' | sort -u)
((${#extra[@]})) && log "libraries added for the bench programs: ${extra[*]}"
(cd "$b" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
	gzip -6 >"$tmp/bench.cpio.gz" || { log "bench cpio failed"; exit 1; }
cat "$base" "$tmp/project.cpio.gz" "$tmp/bench.cpio.gz" >"$OUT/initrd-bench.gz"

icount=${BENCH_VM_ICOUNT-shift=0}
rounds=${BENCH_VM_ROUNDS:-3} iters=${BENCH_VM_ITERS:-20000} reps=${BENCH_VM_REPS:-3}
settle=${BENCH_VM_SETTLE:-1} smp=${BENCH_VM_SMP:-$([[ -n $icount ]] && echo 1 || echo 2)}
timeout=${BENCH_VM_TIMEOUT:-600}
append="console=ttyS0 quiet lsm=lockdown,capability,bpf panic=-1 mitigations=off cw.bench=1"
append+=" cw.bench_rounds=$rounds cw.bench_iters=$iters cw.bench_reps=$reps cw.bench_settle=$settle"
conslog=$OUT/bench-$rel.console.log
: >"$conslog"
log "booting $rel under qemu (TCG${icount:+, -icount $icount}, $smp CPUs): $rounds rounds, $iters calls x $reps per syscall"
sample qemu "tcg${icount:+ -icount $icount} -smp $smp -m ${BENCH_VM_MEM:-1024}; $append"
sample host_load_start "$(cut -d' ' -f1-3 /proc/loadavg)"
(while :; do
	printf 'fig6\tvm.host_load1\t%s\n' "$(cut -d' ' -f1 /proc/loadavg)" >>"$tmp/hostload"
	sleep 2
done) &
spid=$!
# shellcheck disable=SC2054 # (a comma in one qemu argument)
accel=(-accel tcg,thread=multi)
[[ -n $icount ]] && accel=(-accel tcg -icount "$icount")
timeout -k 10 "$timeout" qemu-system-x86_64 "${accel[@]}" -cpu max \
	-m "${BENCH_VM_MEM:-1024}" -smp "$smp" -nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$OUT/initrd-bench.gz" -append "$append" \
	</dev/null >"$conslog" 2>&1 &
qpid=$!
# progress as it comes
tail -n +1 -f --pid="$qpid" "$conslog" | sed -u 's/\r//g' |
	grep --line-buffered -E '^(syscalls \[|CWVM-(KERNEL|RESULT)|.*BUG: |.*Oops)' | sed -u 's/^/  /' >&2
wait "$qpid"
qrc=$?
qpid=
kill -TERM "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
cat "$tmp/hostload" >>"$samples" 2>/dev/null
sample host_load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
sample wall_s "$((SECONDS - T0))"
tr -d '\r' <"$conslog" >"$tmp/console"
sed -n 's/^CWVM-BENCH: //p' "$tmp/console" >>"$samples"
res=$(sed -n 's/^CWVM-RESULT: bench rc=//p' "$tmp/console" | tail -1)
trouble=$(grep -E 'BUG: soft lockup|rcu: INFO: .*detected stalls|self-detected stall|blocked for more than [0-9]+ seconds|Oops:|Kernel panic' "$tmp/console" | head -n 3 | tr '\n' ' ')
[[ -n $trouble ]] && sample guest_trouble "$trouble"
if [[ -z $res ]]; then
	log "the VM ended without a result (qemu exit $qrc$([[ $qrc == 124 ]] && echo ": timed out after $timeout s")); console tail:"
	tail -n 15 "$tmp/console" | sed 's/^/  | /' >&2
	sample status "no result (qemu exit $qrc)"
	exit 1
fi
sample status "bench rc=$res"
log "done (bench rc=$res); console log $conslog"
[[ $res == 0 ]]
