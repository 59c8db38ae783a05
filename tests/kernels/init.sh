#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /init of the kernel-matrix VM (tests/kernels/run.sh boots it under qemu; see
# mkinitramfs.sh for what the initramfs holds). Mounts what a node has, runs the BPF
# integration suites from /credwatch, prints machine-readable lines on the console and powers
# off. The VM has no network device: the suites build network namespaces with lo only.
#
# Console protocol (one line each, at the start of a line; run.sh parses them):
#   CWVM-KERNEL: <uname -r>
#   CWVM-READY: <the agent_ready line of a short probe run>   or   CWVM-READY-FAILED: <rc>
#   CWVM-AGENT-ERR: <probe stderr line>                         (only if the probe failed)
#   CWVM-SUITE: <script> <passed> <failed> <seconds>
#   CWVM-RESULT: passed=<n> failed=<n>
#   CWVM-ARCH: <uname -m>
#   CWVM-BTF: <sha256 of /sys/kernel/btf/vmlinux>
#   CWVM-CHECK: PASS|FAIL <what>                                 (cw.smoke=1 only)
# Kernel command line options: cw.tests=a.sh,b.sh (the scripts to run, default all; run.sh
# decides which are skipped and says so),
# cw.suite_timeout=<seconds> (per script, default 240), cw.jobs=<n> (scripts run in
# parallel, default 1; the suites are written to tolerate other tests on the machine),
# cw.time_scale=<n> (CW_TIME_SCALE, default 8), cw.flood_n=<n> (CW_FLOOD_N, default 2000),
# cw.smoke=1 (no agent, no suites: checks that this VM and its userland work - the mounts
# below, bash, python3 with jsonschema and botocore, jq, a network namespace, credsim and
# cw_connect talking over lo in it - and prints one CWVM-CHECK line each; the arm64 VM is
# booted so while the arm64 agent does not build),
# cw.bench=1 (no suites: the "unrelated syscalls" figure of make bench, tests/bench/
# syscalls.sh, with cw.bench_rounds=, cw.bench_iters=, cw.bench_reps=, cw.bench_settle=;
# its samples are printed as "CWVM-BENCH: fig6<TAB>key<TAB>value" lines, then
# "CWVM-RESULT: bench rc=<exit status>"; tests/kernels/bench-vm.sh boots it).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/busybox HOME=/root TERM=dumb LANG=C.UTF-8
# software emulation (TCG) is several times slower: tests scale their timing checks by this
# (cw.time_scale= on the kernel command line changes it)
export CW_TIME_SCALE=8
# test_findings' flood of identical IMDSv1 requests: 2,000 here instead of 10,000 (the
# kernel side is the same per request; the emulated requests cost ~1 minute per 10,000)
export CW_FLOOD_N=2000
umask 022

# Stage 1 (PID 1 on the initramfs): "/" is the special rootfs, unlike a node's root file
# system (mount walks, /proc/<pid>/root, pivot/propagation behave differently). Copy the
# tree onto a tmpfs and switch_root into it, so the tests run on an ordinary mount, as on
# the host.
if [ ! -e /.cw-stage2 ]; then
	mount -t proc proc /proc
	mkdir -p /newroot
	mount -t tmpfs -o mode=0755 cwroot /newroot
	for d in /bin /sbin /lib /lib64 /usr /etc /credwatch /root /home /mnt /var /tmp /init; do
		[ -e "$d" ] || [ -L "$d" ] && cp -a "$d" /newroot/	# (no /lib64 on arm64)
	done
	mkdir -p /newroot/dev /newroot/proc /newroot/sys /newroot/run
	: >/newroot/.cw-stage2
	umount /proc
	exec /usr/bin/busybox switch_root /newroot /init
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t securityfs securityfs /sys/kernel/security
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# busybox applets (poweroff, and any command not carried) in a directory of their own, last
# in PATH, so that they never stand in for the real tools
mkdir -p /usr/local/busybox
/usr/bin/busybox --install -s /usr/local/busybox
ip link set lo up
hostname credwatch-vm

out() { printf '%s\n' "$*"; }

tests='' suite_timeout=240 jobs=1 smoke=0 bench=0 bench_env=()
read -r -a cmdline </proc/cmdline
for w in "${cmdline[@]}"; do
	case $w in
	cw.tests=*) tests=${w#cw.tests=} ;;
	cw.suite_timeout=*) suite_timeout=${w#cw.suite_timeout=} ;;
	cw.jobs=*) jobs=${w#cw.jobs=} ;;
	cw.time_scale=*) CW_TIME_SCALE=${w#cw.time_scale=} ;;
	cw.flood_n=*) CW_FLOOD_N=${w#cw.flood_n=} ;;
	cw.smoke=*) smoke=${w#cw.smoke=} ;;
	cw.bench=*) bench=${w#cw.bench=} ;;
	cw.bench_rounds=*) bench_env+=("SB_ROUNDS=${w#*=}") ;;
	cw.bench_iters=*) bench_env+=("SB_ITERS=${w#*=}") ;;
	cw.bench_reps=*) bench_env+=("SB_REPS=${w#*=}") ;;
	cw.bench_settle=*) bench_env+=("SB_SETTLE=${w#*=}") ;;
	esac
done

# the console was quiet for the boot; from here on warnings print with their stack traces
# (soft lockups, RCU stalls, hung tasks), so a guest in trouble says where
echo "5 4 1 7" >/proc/sys/kernel/printk 2>/dev/null
cd /credwatch || { out "CWVM-RESULT: passed=0 failed=1"; poweroff -f; }
out "CWVM-KERNEL: $(uname -r)"
out "CWVM-UPTIME: init $(cut -d' ' -f1 /proc/uptime) s"
out "CWVM-ARCH: $(uname -m)"
out "CWVM-LSM: $(cat /sys/kernel/security/lsm 2>/dev/null)"
out "CWVM-BTF: $(sha256sum </sys/kernel/btf/vmlinux 2>/dev/null | cut -d' ' -f1)"

if [ "$bench" = 1 ]; then
	out "CWVM-UPTIME: bench start $(cut -d' ' -f1 /proc/uptime) s"
	env "${bench_env[@]}" SB_ECHO=CWVM-BENCH: SB_WAIT_MS=120000 SB_DIR=/tmp/sysbench \
		tests/bench/syscalls.sh vm /tmp/bench.tsv
	rc=$?
	out "CWVM-UPTIME: bench done $(cut -d' ' -f1 /proc/uptime) s"
	out "CWVM-RESULT: bench rc=$rc"
	sync
	poweroff -f
fi

if [ "$smoke" = 1 ]; then
	sp=0 sf=0
	check() {
		local what=$1
		shift
		local t0 t1
		t0=$(cut -d' ' -f1 /proc/uptime)
		if "$@" >/tmp/check.out 2>&1; then
			t1=$(cut -d' ' -f1 /proc/uptime)
			out "CWVM-CHECK: PASS $what ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s)"
			sp=$((sp + 1))
		else
			out "CWVM-CHECK: FAIL $what"
			while IFS= read -r l; do out "CWVM-CHECK-LOG: $l"; done < <(tail -n 5 /tmp/check.out)
			sf=$((sf + 1))
		fi
	}
	mounted() { awk -v t="$1" -v m="$2" '$3 == t && $2 == m { f = 1 } END { exit !f }' /proc/mounts; }
	for m in proc:/proc sysfs:/sys devtmpfs:/dev cgroup2:/sys/fs/cgroup bpf:/sys/fs/bpf \
		 tracefs:/sys/kernel/tracing securityfs:/sys/kernel/security; do
		check "mounted ${m%%:*} at ${m#*:}" mounted "${m%%:*}" "${m#*:}"
	done
	check "root is a tmpfs after switch_root" mounted tmpfs /
	check "bash runs (6*7 = 42)" test "$(bash -c 'echo $((6 * 7))')" = 42
	check "coreutils, grep, sed, awk run" test "$(printf 'b\na\n' | sort | head -1 | sed 's/a/x/' | grep x | awk '{ print $1 }')" = x
	check "jq runs" test "$(jq -n -c '{a: (1 + 1)}')" = '{"a":2}'
	check "python3 imports jsonschema and botocore" python3 -c 'import jsonschema, botocore.session, json; print(json.dumps(1))'
	# the test programs, over lo in a network namespace of their own (as the suites run them)
	netns_smoke() {
		ip link set lo up || return 1
		build/tests/credsim serve --listen 127.0.0.1:8080@imds --ready-file /tmp/sim.ready \
			--secrets-out /tmp/sim.secrets --log /tmp/sim.log &
		local sim=$! i tok rc=0
		for ((i = 0; i < 300; i++)); do
			[ -e /tmp/sim.ready ] && break
			sleep 0.1
		done
		# the token is a (simulated) secret: checked, never printed
		tok=$(curl -s -m 20 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
			http://127.0.0.1:8080/latest/api/token)
		[ -n "$tok" ] && grep -qxF -- "$tok" /tmp/sim.secrets || { echo "no IMDSv2 token from credsim"; rc=1; }
		build/tests/cw_connect -n 3 127.0.0.1 8080 || rc=1
		kill "$sim"
		wait "$sim"
		return $rc
	}
	check "credsim, curl and cw_connect in a network namespace (unshare -n)" \
		unshare -n bash -c "$(declare -f netns_smoke); netns_smoke"
	[ -x build/credwatch ] && check "the agent runs (--help)" build/credwatch --help
	out "CWVM-UPTIME: checks done $(cut -d' ' -f1 /proc/uptime) s"
	out "CWVM-RESULT: passed=$sp failed=$sf"
	sync
	poweroff -f
fi

# probe: the agent loads and attaches, and names its hooks in agent_ready
probe_rc=0 probe_start=$(date +%s)
build/credwatch run --duration 1 --output /tmp/probe.json 2>/tmp/probe.err || probe_rc=$?
ready=$(grep -m1 '"event":"agent_ready"' /tmp/probe.json 2>/dev/null)
out "CWVM-PROBE: exit $probe_rc after $(($(date +%s) - probe_start)) s"
if [ "$probe_rc" -eq 0 ] && [ -n "$ready" ]; then
	out "CWVM-READY: $ready"
else
	out "CWVM-READY-FAILED: $probe_rc"
	[ -n "$ready" ] && out "CWVM-READY: $ready"
fi
if [ "$probe_rc" -ne 0 ]; then
	while IFS= read -r l; do out "CWVM-AGENT-ERR: $l"; done </tmp/probe.err
fi

if [ -n "$tests" ]; then
	IFS=, read -r -a scripts <<<"$tests"
	scripts=("${scripts[@]/#/tests/integration/}")
else
	scripts=(tests/integration/test_*.sh)
fi
# longest first (script size as the estimate), for the work queue below
mapfile -t scripts < <(wc -c "${scripts[@]}" | sort -rn | awk '$2 != "total" { print $2 }')

# run_suite INDEX: run one script, print its output as one block when it ends (suites may
# run in parallel), leave "passed failed" in /tmp/results/INDEX
run_suite() {
	local t=${scripts[$1]} log=/tmp/results/$1.log start rc line p f
	start=$(date +%s)
	# timeout signals its whole process group: the script and everything it started
	timeout -k 10 "$suite_timeout" tests/integration/run.sh "$t" >"$log" 2>&1
	rc=$?
	line=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -n "$line" ]; then
		p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=$(grep -c '^PASS: ' "$log")
		f=$(grep -c '^FAIL: ' "$log")
		[ "$rc" -eq 124 ] && echo "FAIL: $t timed out after $suite_timeout s" >>"$log"
		f=$((f + 1))
	fi
	echo "CWVM-SUITE: $t $p $f $(($(date +%s) - start))" >>"$log"
	echo "$p $f" >"/tmp/results/$1"
	flock /tmp/results/console.lock cat "$log"
}

# $jobs workers take the next script from a shared counter
worker() {
	local i
	while :; do
		exec 9>>/tmp/results/queue.lock
		flock 9
		i=$(cat /tmp/results/next)
		echo $((i + 1)) >/tmp/results/next
		exec 9>&-
		[ "$i" -lt ${#scripts[@]} ] || return 0
		run_suite "$i"
	done
}

mkdir -p /tmp/results
echo 0 >/tmp/results/next
pids=()
for ((w = 0; w < jobs; w++)); do
	worker &
	pids+=($!)
done
wait "${pids[@]}"
passed=0 failed=0
for ((i = 0; i < ${#scripts[@]}; i++)); do
	read -r p f 2>/dev/null <"/tmp/results/$i" || { p=0 f=1; out "FAIL: ${scripts[$i]} left no result"; }
	passed=$((passed + p))
	failed=$((failed + f))
done
out "CWVM-RESULT: passed=$passed failed=$failed"
sync
poweroff -f
