# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# fakenode.sh: build a fake EKS worker node on this machine for credwatch integration tests.
# Source it, then:
#
#   fn_init                         run dir $FN_RUN, cgroup2 mount $FN_CG2, our cgroup subtree
#                                   $FN_CGBASE ($FN_CGREL relative to $FN_CG2), cleanup traps
#   fn_pod NAME [--qos guaranteed|burstable|besteffort] [--driver systemd|cgroupfs]
#               [--runtime containerd|crio]
#                                   kubelet-style cgroups + a network namespace holding the
#                                   credential endpoint addresses on lo. Exports POD_<NAME>_UID,
#                                   _CID, _CG, _CGREL, _NETNS, _SANDBOX_CID, _SANDBOX_CG,
#                                   _SANDBOX_CGREL, _QOS, _DRIVER, _RUNTIME
#   fn_in_pod NAME CMD...           run CMD as a process of the pod (cgroup, then netns)
#   fn_in_pod_bg NAME CMD...        same, in the background; prints the pid (also $FN_LAST_PID
#                                   when not called in a command substitution); output goes to
#                                   $FN_RUN/bg-<pid>.log
#   fn_sim NAME [credsim serve args...]
#                                   credsim in the pod's netns; exports SIM_<NAME>_LOG,
#                                   SIM_<NAME>_SECRETS, SIM_<NAME>_PID, SIM_<NAME>_CG
#   fn_on_cleanup CMD...            extra cleanup, run in reverse order before the built-ins
#   fn_tmpfs DIR                    mount a tmpfs at DIR (created if missing), unmounted at cleanup
#   fn_track_mount DIR              have cleanup unmount DIR (mounted by the test itself)
#   fn_track_pid PID                have cleanup kill PID (started by the test itself)
#   fn_pod_pids NAME                pids currently in the pod's container cgroup
#   fn_load NAME                    re-export POD_<NAME>_* / SIM_<NAME>_* (after a subshell)
#   fn_cleanup                      idempotent teardown; runs from the EXIT/INT/TERM traps
#
# NAME is a pod name made of [A-Za-z0-9_] (it is part of variable names), at most 20 chars.
# Every process the library starts carries FAKENODE_TAG=<run id> in its environment; cleanup
# ends only recorded pids (checked against their start time) and processes carrying the tag.
# Processes found in our cgroups without the tag are moved to the parent of $FN_CGBASE, not
# killed. Nothing here sends a packet: the endpoint addresses exist only inside the pod
# namespaces.
#
# Layout: pod container cgroups as kubelet makes them (see eks-node-facts.md section 4) under
# $FN_CGBASE; credsim runs in $FN_CGBASE/system.slice/credsim-<NAME>.service (node software,
# not part of the pod) inside the pod's netns. Pod netns are named cwt-<test pid>-<NAME>.
# Processes enter the netns with nsenter (no new mount namespace, unlike `ip netns exec`).
#
# State lives in files under $FN_RUN, so the functions also work from subshells, e.g.
# pid=$(fn_in_pod_bg a sleep 100), or check-style wrappers; the POD_*/SIM_* exports only reach
# the shell that called fn_pod/fn_sim: call fn_load NAME to get them after a subshell.
#
# Signals: bash runs the INT/TERM trap only after the current foreground command returns, so
# a runner that wants prompt cleanup should signal the test's process group, not only bash.

# never inherit another run's state through the environment
FN_RUN=
FN_CG2=
FN_CGBASE=
FN_CGREL=
FN_LAST_PID=
_FN_TAG=
_FN_OWNER=
_FN_CLEANED=

_fn_err() {
	echo "fakenode: $*" >&2
}

# /proc/PID/stat after the "(comm) " part, i.e. from field 3 (state) on; fails if gone.
_fn_stat_rest() {
	local stat=
	{ IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null
	[[ -n $stat ]] || return 1
	echo "${stat##*) }"
}

# Start time of a pid in clock ticks (field 22 of /proc/PID/stat), empty if gone.
_fn_starttime() {
	local rest
	rest=$(_fn_stat_rest "$1") || return 0
	local -a f
	read -r -a f <<<"$rest"
	echo "${f[19]-}"
}

# True if pid is alive and not a zombie (no fork: called in polling loops).
_fn_alive() {
	local stat=
	{ IFS= read -r stat <"/proc/$1/stat"; } 2>/dev/null
	[[ -n $stat ]] || return 1
	stat=${stat##*) }
	[[ ${stat:0:1} != Z && ${stat:0:1} != X ]]
}

_fn_has_tag() {
	local e
	[[ -n $_FN_TAG && -r /proc/$1/environ ]] || return 1
	{
		while IFS= read -r -d '' e; do
			[[ $e == "FAKENODE_TAG=$_FN_TAG" ]] && return 0
		done <"/proc/$1/environ"
	} 2>/dev/null
	return 1
}

# " pid ppid ... 1 " for this shell: these are never killed or moved
_fn_ancestors() {
	local p=$BASHPID k v out=" "
	while [[ -n $p && $p != 0 ]]; do
		out+="$p "
		v=
		{
			while read -r k v _; do
				[[ $k == PPid: ]] && break
				v=
			done <"/proc/$p/status"
		} 2>/dev/null
		p=$v
	done
	echo "$out"
}

_fn_record_pid() {
	local st
	st=$(_fn_starttime "$1")
	[[ -n $st ]] && echo "$1 $st" >>"$FN_RUN/pids"
	return 0
}

_fn_need_init() {
	if [[ -z $FN_RUN || ! -d $FN_RUN ]]; then
		_fn_err "call fn_init first"
		return 1
	fi
}

_fn_valid_name() {
	if [[ ! $1 =~ ^[A-Za-z0-9_]{1,20}$ ]]; then
		_fn_err "bad pod name '$1' (want [A-Za-z0-9_]{1,20})"
		return 1
	fi
}

# cgroup2 mount point from /proc/self/mountinfo (field 5; fstype follows the " - " separator)
_fn_find_cg2() {
	local line mp fstype
	while IFS= read -r line; do
		fstype=${line#* - }
		fstype=${fstype%% *}
		[[ $fstype == cgroup2 ]] || continue
		mp=$(echo "$line" | awk '{print $5}')
		printf '%b\n' "${mp//\\/\\0}"	# undo \040-style octal escapes
		return 0
	done </proc/self/mountinfo
	return 1
}

fn_init() {
	if [[ $(id -u) != 0 ]]; then
		_fn_err "must run as root (creates cgroups and network namespaces)"
		return 1
	fi
	if [[ -n $_FN_TAG && -z $_FN_CLEANED ]]; then
		_fn_err "fn_init called twice"
		return 1
	fi
	local cmd
	for cmd in ip nsenter awk; do
		command -v "$cmd" >/dev/null || { _fn_err "missing command: $cmd"; return 1; }
	done
	FN_CG2=$(_fn_find_cg2) || { _fn_err "no cgroup2 mount in /proc/self/mountinfo"; return 1; }
	[[ -w $FN_CG2/cgroup.procs ]] || { _fn_err "cgroup2 at $FN_CG2 not writable"; return 1; }
	FN_RUN=$(mktemp -d /tmp/cwtest.XXXXXX)
	_FN_TAG="cwtest-$$-${FN_RUN##*.}"
	_FN_OWNER=$BASHPID
	_FN_CLEANED=
	: >"$FN_RUN/pids"
	: >"$FN_RUN/netns"
	: >"$FN_RUN/mounts"
	mkdir "$FN_RUN/cleanup.d" "$FN_RUN/pods"
	echo 0 >"$FN_RUN/seq"
	FN_CGREL="cwtest-$$"
	[[ -e $FN_CG2/$FN_CGREL ]] && FN_CGREL="cwtest-$$-${FN_RUN##*.}"
	FN_CGBASE="$FN_CG2/$FN_CGREL"
	# record before creating so a failure halfway is still cleaned up
	echo "$FN_CGBASE" >"$FN_RUN/cgbase"
	trap '_fn_trap EXIT' EXIT
	trap '_fn_trap INT' INT
	trap '_fn_trap TERM' TERM
	if ! mkdir "$FN_CGBASE"; then
		_fn_err "cannot create $FN_CGBASE"
		return 1
	fi
	export FN_RUN FN_CG2 FN_CGBASE FN_CGREL
}

_fn_trap() {
	local rc=$? sig=$1
	# subshells do not inherit traps, but be careful anyway
	[[ $BASHPID == "$_FN_OWNER" ]] || return 0
	fn_cleanup
	case $sig in
	INT) trap - INT; exit 130 ;;
	TERM) trap - TERM; exit 143 ;;
	esac
	return $rc
}

fn_on_cleanup() {
	_fn_need_init || return 1
	local n f
	n=$(($(cat "$FN_RUN/seq") + 1))
	echo "$n" >"$FN_RUN/seq"
	f=$(printf '%s/cleanup.d/%06d' "$FN_RUN" "$n")
	printf '%q ' "$@" >"$f"
}

fn_track_pid() {
	_fn_need_init || return 1
	_fn_record_pid "$1"
}

fn_track_mount() {
	_fn_need_init || return 1
	echo "$1" >>"$FN_RUN/mounts"
}

fn_tmpfs() {
	_fn_need_init || return 1
	mkdir -p "$1"
	echo "$1" >>"$FN_RUN/mounts"
	mount -t tmpfs -o "size=${2:-4m},mode=0755" tmpfs "$1"
}

_fn_rand_hex64() {
	od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
}

fn_pod() {
	_fn_need_init || return 1
	local name=${1-} qos=burstable driver=systemd runtime=containerd
	_fn_valid_name "$name" || return 1
	shift
	while (($#)); do
		case $1 in
		--qos) qos=${2-}; shift 2 || return 1 ;;
		--driver) driver=${2-}; shift 2 || return 1 ;;
		--runtime) runtime=${2-}; shift 2 || return 1 ;;
		*) _fn_err "fn_pod: unknown option $1"; return 1 ;;
		esac
	done
	case $qos in
	guaranteed|burstable|besteffort) ;;
	*) _fn_err "bad --qos $qos"; return 1 ;;
	esac
	case $driver in systemd|cgroupfs) ;; *) _fn_err "bad --driver $driver"; return 1 ;; esac
	case $runtime in containerd|crio) ;; *) _fn_err "bad --runtime $runtime"; return 1 ;; esac
	if [[ -e $FN_RUN/pods/$name ]]; then
		_fn_err "pod $name exists"
		return 1
	fi

	local uid cid sid poddir cdir sdir extra=
	uid=$(cat /proc/sys/kernel/random/uuid)
	cid=$(_fn_rand_hex64)
	sid=$(_fn_rand_hex64)
	if [[ $driver == systemd ]]; then
		local u_=${uid//-/_}
		if [[ $qos == guaranteed ]]; then
			poddir="kubepods.slice/kubepods-pod${u_}.slice"
		else
			poddir="kubepods.slice/kubepods-${qos}.slice/kubepods-${qos}-pod${u_}.slice"
		fi
		if [[ $runtime == crio ]]; then
			cdir="$poddir/crio-$cid.scope"
			sdir="$poddir/crio-$sid.scope"
			extra="$poddir/crio-conmon-$cid.scope"
		else
			cdir="$poddir/cri-containerd-$cid.scope"
			sdir="$poddir/cri-containerd-$sid.scope"
		fi
	else
		if [[ $qos == guaranteed ]]; then
			poddir="kubepods/pod$uid"
		else
			poddir="kubepods/$qos/pod$uid"
		fi
		if [[ $runtime == crio ]]; then
			cdir="$poddir/crio-$cid"
			sdir="$poddir/crio-$sid"
			extra="$poddir/crio-conmon-$cid"
		else
			cdir="$poddir/$cid"
			sdir="$poddir/$sid"
		fi
	fi
	mkdir -p "$FN_CGBASE/$cdir" "$FN_CGBASE/$sdir" || return 1
	[[ -n $extra ]] && { mkdir -p "$FN_CGBASE/$extra" || return 1; }

	local ns="cwt-$$-$name"
	ip netns add "$ns" || return 1
	echo "$ns" >>"$FN_RUN/netns"	# cleaned up even if the setup below fails
	_fn_setup_netns "$ns" || return 1

	local v
	{
		echo "UID=$uid"
		echo "CID=$cid"
		echo "CG=$FN_CGBASE/$cdir"
		echo "CGREL=$FN_CGREL/$cdir"
		echo "NETNS=$ns"
		echo "SANDBOX_CID=$sid"
		echo "SANDBOX_CG=$FN_CGBASE/$sdir"
		echo "SANDBOX_CGREL=$FN_CGREL/$sdir"
		echo "QOS=$qos"
		echo "DRIVER=$driver"
		echo "RUNTIME=$runtime"
	} >"$FN_RUN/pods/$name"
	fn_load "$name"
}

# (Re-)export POD_<NAME>_* and, once fn_sim ran, SIM_<NAME>_* into the calling shell: needed
# when fn_pod/fn_sim ran in a subshell.
fn_load() {
	_fn_need_init || return 1
	local name=${1-} k v
	_fn_valid_name "$name" || return 1
	[[ -f $FN_RUN/pods/$name ]] || { _fn_err "no pod named '$name'"; return 1; }
	while IFS='=' read -r k v; do
		printf -v "POD_${name}_$k" '%s' "$v"
		export "POD_${name}_$k"
	done <"$FN_RUN/pods/$name"
	if [[ -f $FN_RUN/sim-$name.env ]]; then
		while IFS='=' read -r k v; do
			printf -v "SIM_${name}_$k" '%s' "$v"
			export "SIM_${name}_$k"
		done <"$FN_RUN/sim-$name.env"
	fi
	return 0
}

# Configure a pod netns: lo up, IPv6 on, endpoint addresses local, DAD-free and usable.
# One `ip -batch` for all of it (few processes: they are slow under the kernel matrix's
# emulated VM).
_fn_setup_netns() {
	local ns=$1 i out
	nsenter --net="/run/netns/$ns" sh -c '
		for f in all default lo; do
			echo 0 > /proc/sys/net/ipv6/conf/$f/disable_ipv6 || exit 1
		done' || { _fn_err "cannot enable IPv6 in $ns"; return 1; }
	ip -n "$ns" -batch - <<-EOF || return 1
		link set lo up
		addr add 169.254.169.254/32 dev lo
		addr add 169.254.170.23/32 dev lo
		addr add 169.254.170.2/32 dev lo
		addr add fd00:ec2::254/128 dev lo nodad
		addr add fd00:ec2::23/128 dev lo nodad
	EOF
	for ((i = 0; i < 50; i++)); do
		out=$(ip -n "$ns" -6 addr show dev lo)
		if [[ $out != *tentative* && $out == *fd00:ec2::254/128* && $out == *fd00:ec2::23/128* ]]; then
			return 0
		fi
		sleep 0.1
	done
	_fn_err "IPv6 addresses in $ns never became usable"
	return 1
}

_fn_pod_get() {
	local name=$1 key=$2 line
	if [[ ! -f $FN_RUN/pods/$name ]]; then
		_fn_err "no pod named '$name'"
		return 1
	fi
	while IFS= read -r line; do
		[[ ${line%%=*} == "$key" ]] && { echo "${line#*=}"; return 0; }
	done <"$FN_RUN/pods/$name"
	return 1
}

# The launcher: tagged, moves itself into cgroup $1, enters netns $2, execs the rest. The pid
# stays the same through every exec, so the pid we record is CMD's pid.
_fn_exec_in() {
	local cg=$1 ns=$2
	shift 2
	exec env "FAKENODE_TAG=$_FN_TAG" /bin/sh -c '
		echo $$ > "$1/cgroup.procs" || { echo "fakenode: cannot join $1" >&2; exit 125; }
		ns=$2; shift 2
		exec nsenter --net="$ns" -- "$@"' fakenode-launch "$cg" "/run/netns/$ns" "$@"
}

fn_in_pod() {
	_fn_need_init || return 1
	local name=${1-} cg ns
	(($# >= 2)) || { _fn_err "usage: fn_in_pod NAME CMD..."; return 1; }
	cg=$(_fn_pod_get "$name" CG) && ns=$(_fn_pod_get "$name" NETNS) || return 1
	shift
	(_fn_exec_in "$cg" "$ns" "$@")
}

fn_in_pod_bg() {
	_fn_need_init || return 1
	local name=${1-} cg ns tmp pid
	(($# >= 2)) || { _fn_err "usage: fn_in_pod_bg NAME CMD..."; return 1; }
	cg=$(_fn_pod_get "$name" CG) && ns=$(_fn_pod_get "$name" NETNS) || return 1
	shift
	tmp=$(mktemp "$FN_RUN/bg.XXXXXX")
	(_fn_exec_in "$cg" "$ns" "$@") </dev/null >"$tmp" 2>&1 &
	pid=$!
	_fn_record_pid "$pid"
	mv -f "$tmp" "$FN_RUN/bg-$pid.log"
	FN_LAST_PID=$pid
	echo "$pid"
}

fn_pod_pids() {
	local cg
	cg=$(_fn_pod_get "${1-}" CG) || return 1
	cat "$cg/cgroup.procs"
}

fn_sim() {
	_fn_need_init || return 1
	local name=${1-} ns bin simcg pid i has_listen=0 a
	ns=$(_fn_pod_get "$name" NETNS) || return 1
	shift
	bin=${CREDSIM:-build/tests/credsim}
	if [[ ! -x $bin ]]; then
		_fn_err "credsim binary not found at $bin (set CREDSIM)"
		return 1
	fi
	bin=$(readlink -f "$bin")
	for a in "$@"; do
		[[ $a == --listen || $a == --listen=* ]] && has_listen=1
	done
	local args=(serve)
	if ((!has_listen)); then
		args+=(--listen 169.254.169.254:80 --listen '[fd00:ec2::254]:80'
		       --listen 169.254.170.23:80 --listen '[fd00:ec2::23]:80'
		       --listen 169.254.170.2:80)
	fi
	local log=$FN_RUN/sim-$name.log sec=$FN_RUN/sim-$name.secrets
	local ready=$FN_RUN/sim-$name.ready err=$FN_RUN/sim-$name.err
	rm -f "$ready"
	args+=(--log "$log" --secrets-out "$sec" --ready-file "$ready" "$@")
	# the simulator is node infrastructure, not part of the pod: its own cgroup
	simcg=$FN_CGBASE/system.slice/credsim-$name.service
	mkdir -p "$simcg" || return 1
	(_fn_exec_in "$simcg" "$ns" "$bin" "${args[@]}") </dev/null >"$err" 2>&1 &
	pid=$!
	_fn_record_pid "$pid"
	for ((i = 0; i < 50; i++)); do
		[[ -s $ready ]] && break
		if ! _fn_alive "$pid"; then
			_fn_err "credsim for $name exited: $(cat "$err")"
			return 1
		fi
		sleep 0.1
	done
	if [[ ! -s $ready ]]; then
		_fn_err "credsim for $name not ready after 5 s: $(cat "$err")"
		return 1
	fi
	printf '%s\n' "LOG=$log" "SECRETS=$sec" "PID=$pid" "CG=$simcg" >"$FN_RUN/sim-$name.env"
	fn_load "$name"
}

# SIGTERM, wait up to ~1 s, SIGKILL, wait up to ~2 s. Arguments: pids (already vetted).
_fn_kill_list() {
	local p i left
	(($#)) || return 0
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	for ((i = 0; i < 20; i++)); do
		left=0
		for p in "$@"; do _fn_alive "$p" && left=1; done
		((left)) || return 0
		sleep 0.05
	done
	for p in "$@"; do _fn_alive "$p" && kill -KILL "$p" 2>/dev/null; done
	for ((i = 0; i < 40; i++)); do
		left=0
		for p in "$@"; do _fn_alive "$p" && left=1; done
		((left)) || return 0
		sleep 0.05
	done
	_fn_err "processes did not die: $*"
}

fn_cleanup() {
	local -
	set +e +u
	[[ -n $_FN_CLEANED || -z $FN_RUN ]] && return 0
	local run=$FN_RUN f p st ns m cgbase d victims=() anc
	anc=$(_fn_ancestors)

	# 1. registered cleanup commands, newest first
	if [[ -d $run/cleanup.d ]]; then
		local cmds=("$run"/cleanup.d/*) i
		for ((i = ${#cmds[@]} - 1; i >= 0; i--)); do
			f=${cmds[i]}
			[[ -f $f ]] || continue
			# in a subshell: a command that exits must not end the cleanup
			(eval "$(cat "$f")") || _fn_err "cleanup command failed: $(cat "$f")"
		done
	fi

	# 2. recorded pids (only if still the same process: start time matches) and anything
	#    carrying our tag (descendants of what we started), all in one TERM/KILL round; then
	#    once more for stragglers forked meanwhile
	local _round
	for _round in 1 2; do
		victims=()
		if [[ -f $run/pids ]]; then
			while read -r p st; do
				[[ -n $p && $anc != *" $p "* ]] || continue
				[[ $(_fn_starttime "$p") == "$st" ]] && _fn_alive "$p" &&
					victims+=("$p")
			done <"$run/pids"
		fi
		for d in /proc/[0-9]*; do
			p=${d#/proc/}
			[[ $anc == *" $p "* ]] && continue
			_fn_has_tag "$p" && _fn_alive "$p" && victims+=("$p")
		done
		_fn_kill_list "${victims[@]}"
	done

	# 3. network namespaces
	if [[ -f $run/netns ]]; then
		while read -r ns; do
			[[ -n $ns && -e /run/netns/$ns ]] && ip netns delete "$ns"
		done <"$run/netns"
	fi

	# 4. mounts, newest first
	if [[ -s $run/mounts ]]; then
		tac "$run/mounts" | while read -r m; do
			[[ -n $m ]] || continue
			while mountpoint -q "$m" 2>/dev/null; do
				umount "$m" 2>/dev/null || umount -l "$m" || break
			done
		done
	fi

	# 5. cgroups, deepest first; untagged leftovers go to the parent of our subtree
	cgbase=
	[[ -f $run/cgbase ]] && cgbase=$(cat "$run/cgbase")
	if [[ -n $cgbase && ${cgbase##*/} == cwtest-* && -d $cgbase ]]; then
		while IFS= read -r d; do
			[[ -f $d/cgroup.procs ]] || continue
			for p in $(cat "$d/cgroup.procs" 2>/dev/null); do
				if _fn_has_tag "$p" && [[ $anc != *" $p "* ]]; then
					_fn_kill_list "$p"
				else
					echo "$p" >"${cgbase%/*}/cgroup.procs" ||
						_fn_err "cannot move pid $p out of $d"
				fi
			done
			rmdir "$d" 2>/dev/null || _fn_err "cannot remove cgroup $d"
		done < <(find "$cgbase" -depth -type d 2>/dev/null)
	fi

	# 6. the run dir
	_FN_CLEANED=1
	if [[ $run == /tmp/cwtest.* && -d $run ]]; then
		rm -rf -- "$run"
	fi
	return 0
}

# ---------------------------------------------------------------------------------------------
# Node state: kubelet projected volumes, tokens, containers' mount namespaces.
#
#   fn_root                         the fake host root ($FN_ROOT, created on first use): the
#                                   agent runs with --host-root "$FN_ROOT"
#   fn_volumes NAME [--sa] [--irsa] [--pod-identity]
#                                   kubelet projected volumes for pod NAME, each its own tmpfs
#                                   at $FN_ROOT/var/lib/kubelet/pods/<uid>/volumes/
#                                   kubernetes.io~projected/<vol>, written in the atomic-writer
#                                   layout (token -> ..data/token, ..data -> ..<timestamp>).
#                                   Tokens are fixture JWTs from credsim mkjwt (synthetic
#                                   signature, recorded in $FN_RUN/secrets). Exports
#                                   POD_<NAME>_VOL_SA / _VOL_IRSA / _VOL_PI (volume dirs).
#   fn_rotate NAME VOLVAR           rotate one volume's token like the kubelet: new timestamped
#                                   dir, then rename() a new ..data over the old (VOLVAR: SA,
#                                   IRSA or PI)
#   fn_in_container NAME CMD...     like fn_in_pod, plus a private mount namespace in which the
#                                   pod's volumes are bind-mounted read-only at the in-container
#                                   paths (/var/run/secrets/...), on a private tmpfs over /run so
#                                   nothing is created on the host. Extra binds: FN_BINDS="src:dst ..."
#   fn_pod_state NAME [--namespace NS] [--name PODNAME] [--service-account SA]
#               [--container CNAME] [--image IMG] [--env K=V]... [--host-network]
#               [--no-config] [--delay-config SECONDS] [--no-sandbox-config] [--no-logs]
#                                   what the runtime and the kubelet leave on the node for pod
#                                   NAME (after fn_pod; eks-node-facts.md section 5), below
#                                   $FN_ROOT: the OCI spec (config.json) of the app container
#                                   and of the sandbox - containerd: run/containerd/
#                                   io.containerd.runtime.v2.task/k8s.io/<id>/config.json with
#                                   io.kubernetes.cri.* annotations; CRI-O (fn_pod --runtime
#                                   crio): var/lib/containers/storage/overlay-containers/<id>/
#                                   userdata/config.json with io.kubernetes.cri-o.* and
#                                   io.kubernetes.pod.* annotations - and the log directory
#                                   var/log/pods/<ns>_<podname>_<uid>/<container>/. The app
#                                   spec carries process.env (the --env values, PATH, HOSTNAME,
#                                   KUBERNETES_SERVICE_*), the pod's projected volumes as bind
#                                   mounts (host path -> in-container path) and a network
#                                   namespace; --host-network leaves the network (and, with
#                                   containerd, UTS) namespace out of the sandbox spec - a
#                                   containerd app spec always joins the sandbox's namespaces by
#                                   path, a CRI-O one has none then. Defaults: namespace $FN_NAMESPACE or
#                                   "default", pod name NAME lowercased with '_' as '-',
#                                   service account $FN_SA or sa-<podname>, container "app".
#                                   --no-config: no app config.json (its directory exists);
#                                   --delay-config S: rendered now, renamed into place by a
#                                   background job after S seconds (tracked for cleanup), so
#                                   without volumes made later (for those: --no-config,
#                                   fn_volumes, then fn_pod_config --delay S);
#                                   --no-sandbox-config, --no-logs: leave those out. Call it
#                                   before fn_volumes: fn_volumes then puts these names in the
#                                   token claims and rewrites the app config.json with the
#                                   volume mounts.
#                                   The sandbox's network namespace is bind-mounted where
#                                   its spec names it (var/run/netns/cni-<id> or, CRI-O,
#                                   var/run/netns/<id>), unmounted at cleanup.
#                                   Exports POD_<NAME>_K8S_NAMESPACE, _K8S_NAME, _K8S_SA,
#                                   _CONTAINER, _IMAGE, _CONFIG (app config.json path, also
#                                   when not written), _SANDBOX_CONFIG, _LOGDIR. The --env
#                                   values are kept in $FN_RUN/pods/NAME.env only.
#   fn_pod_config NAME [--delay SECONDS] [--after FILE]
#                                   write the app container's config.json now, or render it
#                                   now and rename it into place from a background job after
#                                   SECONDS - counted from when FILE exists, with --after (at
#                                   most 60 s of waiting) - e.g. after fn_pod_state --no-config
#                                   and fn_volumes: a container whose spec shows up late
# ---------------------------------------------------------------------------------------------

FN_ROOT=${FN_ROOT-}
FN_CREDSIM=${CREDSIM:-$PWD/build/tests/credsim}

fn_root() {
	_fn_need_init || return 1
	FN_ROOT=$FN_RUN/root
	mkdir -p "$FN_ROOT"
	export FN_ROOT
}

# _fn_atomic_write DIR FILE CONTENT...: one atomic-writer generation (pairs of name, content)
_fn_atomic_write() {
	local dir=$1 ts gen name
	shift
	ts=$(date -u +%Y_%m_%d_%H_%M_%S).$(od -An -tu4 -N4 /dev/urandom | tr -d ' ')
	gen="..$ts"
	mkdir "$dir/$gen" || return 1
	while (($# >= 2)); do
		name=$1
		printf '%s' "$2" >"$dir/$gen/$name"
		chmod 0644 "$dir/$gen/$name"
		shift 2
	done
	# new ..data symlink, then rename() over the old one: the kubelet's switch
	ln -s "$gen" "$dir/..data_tmp" && mv -T "$dir/..data_tmp" "$dir/..data"
}

# _fn_pod_ns NAME / _fn_pod_k8s_name NAME / _fn_pod_sa NAME: the pod's namespace, name and
# service account: from fn_pod_state when it ran, else $FN_NAMESPACE / NAME / $FN_SA
_fn_pod_ns() {
	_fn_pod_get "$1" K8S_NAMESPACE 2>/dev/null || echo "${FN_NAMESPACE:-default}"
}

_fn_pod_k8s_name() {
	_fn_pod_get "$1" K8S_NAME 2>/dev/null || echo "$1"
}

_fn_pod_sa() {
	_fn_pod_get "$1" K8S_SA 2>/dev/null || echo "${FN_SA:-sa-$1}"
}

# _fn_mkjwt NAME AUD: a fixture token for pod NAME
_fn_mkjwt() {
	local name=$1 aud=$2 uid
	uid=$(_fn_pod_get "$name" UID) || return 1
	"$FN_CREDSIM" mkjwt --iss "https://oidc.eks.us-east-1.amazonaws.com/id/CWTESTCLUSTER" \
		--aud "$aud" --ns "$(_fn_pod_ns "$name")" --pod "$(_fn_pod_k8s_name "$name")" \
		--pod-uid "$uid" --sa "$(_fn_pod_sa "$name")" \
		--sa-uid "$(cat /proc/sys/kernel/random/uuid)" \
		--node cwtest-node --secrets-out "$FN_RUN/secrets"
}

# _fn_volume NAME VOL FILES...: tmpfs volume + atomic-writer content; echoes the dir
_fn_volume() {
	local name=$1 vol=$2 uid dir
	shift 2
	uid=$(_fn_pod_get "$name" UID) || return 1
	dir=$FN_ROOT/var/lib/kubelet/pods/$uid/volumes/kubernetes.io~projected/$vol
	fn_tmpfs "$dir" 1m || return 1
	_fn_atomic_write "$dir" "$@" || return 1
	local f
	while (($# >= 2)); do
		f=$1
		ln -s "..data/$f" "$dir/$f" || return 1
		shift 2
	done
	echo "$dir"
}

fn_volumes() {
	_fn_need_init || return 1
	[[ -n $FN_ROOT ]] || fn_root
	local name=${1-} dir var
	shift
	while (($#)); do
		case $1 in
		--sa)
			dir=$(_fn_volume "$name" "kube-api-access-$(od -An -tx1 -N3 /dev/urandom | tr -d ' ' | cut -c1-5)" \
				token "$(_fn_mkjwt "$name" https://kubernetes.default.svc)" \
				ca.crt "-----BEGIN CERTIFICATE-----fixture-----END CERTIFICATE-----" \
				namespace "$(_fn_pod_ns "$name")") || return 1
			var=SA ;;
		--irsa)
			dir=$(_fn_volume "$name" aws-iam-token token "$(_fn_mkjwt "$name" sts.amazonaws.com)") || return 1
			var=IRSA ;;
		--pod-identity)
			dir=$(_fn_volume "$name" eks-pod-identity-token eks-pod-identity-token \
				"$(_fn_mkjwt "$name" pods.eks.amazonaws.com)") || return 1
			var=PI ;;
		*) _fn_err "fn_volumes: unknown option $1"; return 1 ;;
		esac
		echo "VOL_$var=$dir" >>"$FN_RUN/pods/$name"
		shift
	done
	# the app container's spec lists the volumes as mounts
	if [[ $(_fn_pod_get "$name" STATE_CFG 2>/dev/null) == now ]]; then
		_fn_state_write "$name" app || return 1
	fi
	fn_load "$name"
}

fn_rotate() {
	local name=$1 var=$2 dir file aud
	dir=$(_fn_pod_get "$name" "VOL_$var") || return 1
	case $var in
	SA) file=token aud=https://kubernetes.default.svc ;;
	IRSA) file=token aud=sts.amazonaws.com ;;
	PI) file=eks-pod-identity-token aud=pods.eks.amazonaws.com ;;
	esac
	local old
	old=$(readlink "$dir/..data")
	if [[ $var == SA ]]; then
		_fn_atomic_write "$dir" token "$(_fn_mkjwt "$name" "$aud")" \
			ca.crt "$(cat "$dir/ca.crt")" namespace "$(cat "$dir/namespace")" || return 1
	else
		_fn_atomic_write "$dir" "$file" "$(_fn_mkjwt "$name" "$aud")" || return 1
	fi
	rm -rf "${dir:?}/$old"
}

fn_in_container() {
	_fn_need_init || return 1
	local name=${1-} cg ns binds="" v d
	(($# >= 2)) || { _fn_err "usage: fn_in_container NAME CMD..."; return 1; }
	cg=$(_fn_pod_get "$name" CG) && ns=$(_fn_pod_get "$name" NETNS) || return 1
	shift
	if d=$(_fn_pod_get "$name" VOL_SA 2>/dev/null); then
		binds+=" $d:/run/secrets/kubernetes.io/serviceaccount"
	fi
	if d=$(_fn_pod_get "$name" VOL_IRSA 2>/dev/null); then
		binds+=" $d:/run/secrets/eks.amazonaws.com/serviceaccount"
	fi
	if d=$(_fn_pod_get "$name" VOL_PI 2>/dev/null); then
		binds+=" $d:/run/secrets/pods.eks.amazonaws.com/serviceaccount"
	fi
	binds+=" ${FN_BINDS:-}"
	(exec env "FAKENODE_TAG=$_FN_TAG" "FN_CT_BINDS=$binds" /bin/sh -c '
		echo $$ > "$1/cgroup.procs" || { echo "fakenode: cannot join $1" >&2; exit 125; }
		ns=$2; shift 2
		exec nsenter --net="$ns" -- unshare -m --propagation private -- /bin/sh -c "
			mount -t tmpfs -o size=1m,mode=0755 cwtest-run /run || exit 125
			for b in \$FN_CT_BINDS; do
				src=\${b%%:*}; dst=\${b#*:}
				mkdir -p \"\$dst\" && mount --bind \"\$src\" \"\$dst\" &&
					mount -o remount,bind,ro \"\$dst\" || exit 125
			done
			exec \"\$@\"" fakenode-container "$@"' fakenode-launch "$cg" "/run/netns/$ns" "$@")
}

# ---------------------------------------------------------------------------------------------
# Pod metadata as the runtime and the kubelet leave it on the node (fn_pod_state).

FN_PAUSE_IMAGE=${FN_PAUSE_IMAGE:-602401143452.dkr.ecr.us-east-1.amazonaws.com/eks/pause:3.5}

# DNS label / subdomain checks for the names written into the fixtures
_fn_dns_label() {
	[[ $1 =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]]
}

_fn_dns_subdomain() {
	((${#1} <= 253)) && [[ $1 =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]]
}

# _fn_state_json NAME app|sandbox: the OCI runtime spec of the pod's app container or sandbox
# on stdout, as containerd (CRI plugin) or CRI-O writes it
_fn_state_json() {
	local name=$1 which=$2 k v
	local uid cid sid rt driver cgrel ns pod sa cname image hostnet envf
	uid=$(_fn_pod_get "$name" UID) && cid=$(_fn_pod_get "$name" CID) &&
		sid=$(_fn_pod_get "$name" SANDBOX_CID) && rt=$(_fn_pod_get "$name" RUNTIME) &&
		driver=$(_fn_pod_get "$name" DRIVER) && ns=$(_fn_pod_get "$name" K8S_NAMESPACE) &&
		pod=$(_fn_pod_get "$name" K8S_NAME) && sa=$(_fn_pod_get "$name" K8S_SA) &&
		cname=$(_fn_pod_get "$name" CONTAINER) && image=$(_fn_pod_get "$name" IMAGE) &&
		hostnet=$(_fn_pod_get "$name" HOSTNET) || return 1
	envf=$FN_RUN/pods/$name.env
	if [[ $which == app ]]; then
		cgrel=$(_fn_pod_get "$name" CGREL) || return 1
	else
		cgrel=$(_fn_pod_get "$name" SANDBOX_CGREL) || return 1
		cid=$sid
	fi
	# runc's cgroupsPath: "slice:prefix:id" with the systemd driver, a path with cgroupfs
	local cgpath poddir=${cgrel%/*} prefix=cri-containerd
	[[ $rt == crio ]] && prefix=crio
	if [[ $driver == systemd ]]; then
		cgpath="${poddir##*/}:$prefix:$cid"
	else
		cgpath=/${cgrel#"$FN_CGREL"/}
	fi
	# projected volumes, as the kubelet passes them: host path -> in-container path
	local mounts='[]' dir dst var
	if [[ $which == app ]]; then
		for var in SA IRSA PI; do
			dir=$(_fn_pod_get "$name" "VOL_$var" 2>/dev/null) || continue
			case $var in
			SA) dst=/var/run/secrets/kubernetes.io/serviceaccount ;;
			IRSA) dst=/var/run/secrets/eks.amazonaws.com/serviceaccount ;;
			PI) dst=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount ;;
			esac
			mounts=$(jq -c --arg src "${dir#"$FN_ROOT"}" --arg dst "$dst" \
				'. + [{destination: $dst, type: "bind", source: $src,
				       options: ["rbind", "rprivate", "ro"]}]' <<<"$mounts") || return 1
		done
	fi
	# a stable fake pid for the sandbox's namespaces (/proc/<pid>/ns/...), a pinned netns name
	local spid=$((0x${sid:0:4} % 30000 + 2000)) nsid
	nsid=$(printf '%s-%s-%s-%s-%s' "${sid:8:8}" "${sid:16:4}" "${sid:20:4}" "${sid:24:4}" "${sid:28:12}")
	jq -n --arg rt "$rt" --arg which "$which" --arg id "$cid" --arg sid "$sid" \
		--arg uid "$uid" --arg ns "$ns" --arg pod "$pod" --arg sa "$sa" --arg cname "$cname" \
		--arg image "$image" --arg pause "$FN_PAUSE_IMAGE" --argjson hostnet "$hostnet" \
		--arg cgpath "$cgpath" --argjson projected "$mounts" --arg spid "$spid" \
		--arg nsid "$nsid" --arg created "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" \
		--rawfile envraw "$envf" '
	def logdir: "/var/log/pods/\($ns)_\($pod)_\($uid)";
	def app: $which == "app";
	def crio_name: "k8s_\($pod)_\($ns)_\($uid)_0";
	def rundir: if $rt == "crio" then "/run/containers/storage/overlay-containers/\($sid)/userdata"
		else "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/\($sid)" end;
	def libdir: if $rt == "crio" then "/run/containers/storage/overlay-containers/\($sid)/userdata"
		else "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/\($sid)" end;
	def hostname: if $hostnet then "ip-10-0-17-42.ec2.internal" else $pod end;
	def env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		  "HOSTNAME=\(hostname)"] +
		 ($envraw | split("\n") | map(select(length > 0))) +
		 ["KUBERNETES_SERVICE_HOST=10.100.0.1", "KUBERNETES_SERVICE_PORT=443",
		  "KUBERNETES_SERVICE_PORT_HTTPS=443", "KUBERNETES_PORT=tcp://10.100.0.1:443",
		  "KUBERNETES_PORT_443_TCP=tcp://10.100.0.1:443", "KUBERNETES_PORT_443_TCP_PROTO=tcp",
		  "KUBERNETES_PORT_443_TCP_PORT=443", "KUBERNETES_PORT_443_TCP_ADDR=10.100.0.1"];
	def base_mounts: [
		{destination: "/proc", type: "proc", source: "proc",
		 options: ["nosuid", "noexec", "nodev"]},
		{destination: "/dev", type: "tmpfs", source: "tmpfs",
		 options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
		{destination: "/dev/pts", type: "devpts", source: "devpts",
		 options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
		{destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
		 options: ["nosuid", "noexec", "nodev"]},
		{destination: "/sys", type: "sysfs", source: "sysfs",
		 options: ["nosuid", "noexec", "nodev", "ro"]},
		{destination: "/dev/shm", type: "bind", source: "\(rundir)/shm",
		 options: ["rbind", "ro", "nosuid", "nodev", "noexec"]}];
	def app_mounts: [
		{destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
		 options: ["nosuid", "noexec", "nodev", "relatime", "ro"]},
		{destination: "/etc/hosts", type: "bind", source: "/var/lib/kubelet/pods/\($uid)/etc-hosts",
		 options: ["rbind", "rprivate", "rw"]},
		{destination: "/dev/termination-log", type: "bind",
		 source: "/var/lib/kubelet/pods/\($uid)/containers/\($cname)/\($id[0:8])",
		 options: ["rbind", "rprivate", "rw"]},
		{destination: "/etc/hostname", type: "bind", source: "\(libdir)/hostname",
		 options: ["rbind", "rprivate", "rw"]},
		{destination: "/etc/resolv.conf", type: "bind", source: "\(libdir)/resolv.conf",
		 options: ["rbind", "rprivate", "rw"]}] + $projected;
	# containerd: a container always joins its sandbox'"'"'s network, IPC and UTS namespaces by
	# path, hostNetwork or not (the sandbox'"'"'s are then the host'"'"'s); only the sandbox spec of
	# a hostNetwork pod has no network (and no UTS) namespace (seen on containerd 1.6, tests/cri)
	def netns: if app and $rt == "containerd" then [{type: "network", path: "/proc/\($spid)/ns/net"}]
		elif $hostnet then []
		elif $rt == "crio" then [{type: "network", path: "/var/run/netns/\($nsid)"}]
		else [{type: "network", path: "/var/run/netns/cni-\($nsid)"}] end;
	def namespaces: [{type: "pid"}] +
		(if app and $rt == "containerd" then
			[{type: "ipc", path: "/proc/\($spid)/ns/ipc"}, {type: "uts", path: "/proc/\($spid)/ns/uts"}]
		 elif $hostnet and $rt == "containerd" then [{type: "ipc"}]
		 else [{type: "ipc"}, {type: "uts"}] end) +
		[{type: "mount"}] + netns + [{type: "cgroup"}];
	def labels: {"io.kubernetes.pod.name": $pod, "io.kubernetes.pod.namespace": $ns,
		     "io.kubernetes.pod.uid": $uid} +
		(if app then {"io.kubernetes.container.name": $cname}
		 else {"io.kubernetes.container.name": "POD"} end);
	def annotations:
		if $rt == "containerd" then
			if app then {
				"io.kubernetes.cri.container-name": $cname,
				"io.kubernetes.cri.container-type": "container",
				"io.kubernetes.cri.image-name": $image,
				"io.kubernetes.cri.sandbox-id": $sid,
				"io.kubernetes.cri.sandbox-name": $pod,
				"io.kubernetes.cri.sandbox-namespace": $ns,
				"io.kubernetes.cri.sandbox-uid": $uid}
			else {
				"io.kubernetes.cri.container-type": "sandbox",
				"io.kubernetes.cri.sandbox-cpu-period": "100000",
				"io.kubernetes.cri.sandbox-cpu-quota": "0",
				"io.kubernetes.cri.sandbox-cpu-shares": "2",
				"io.kubernetes.cri.sandbox-id": $sid,
				"io.kubernetes.cri.sandbox-log-directory": logdir,
				"io.kubernetes.cri.sandbox-memory": "0",
				"io.kubernetes.cri.sandbox-name": $pod,
				"io.kubernetes.cri.sandbox-namespace": $ns,
				"io.kubernetes.cri.sandbox-uid": $uid} end
		elif app then labels + {
			"io.kubernetes.container.hash": "a1b2c3d4",
			"io.kubernetes.container.restartCount": "0",
			"io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
			"io.kubernetes.container.terminationMessagePolicy": "File",
			"io.kubernetes.pod.terminationGracePeriod": "30",
			"io.kubernetes.cri-o.Annotations": ({"io.kubernetes.container.hash": "a1b2c3d4",
				"io.kubernetes.container.restartCount": "0"} | tojson),
			"io.kubernetes.cri-o.ContainerID": $id,
			"io.kubernetes.cri-o.ContainerType": "container",
			"io.kubernetes.cri-o.Created": $created,
			"io.kubernetes.cri-o.Image": $image,
			"io.kubernetes.cri-o.ImageName": $image,
			"io.kubernetes.cri-o.ImageRef": "sha256:\($id[0:8])\($sid[0:56])",
			"io.kubernetes.cri-o.Labels": (labels | tojson),
			"io.kubernetes.cri-o.LogPath": "\(logdir)/\($cname)/0.log",
			"io.kubernetes.cri-o.Metadata": ({name: $cname} | tojson),
			"io.kubernetes.cri-o.MountPoint": "/var/lib/containers/storage/overlay/\($id)/merged",
			"io.kubernetes.cri-o.Name": "k8s_\($cname)_\($pod)_\($ns)_\($uid)_0",
			"io.kubernetes.cri-o.ResolvPath": "\(rundir)/resolv.conf",
			"io.kubernetes.cri-o.SandboxID": $sid,
			"io.kubernetes.cri-o.SandboxName": crio_name,
			"io.kubernetes.cri-o.SeccompProfilePath": "",
			"io.kubernetes.cri-o.Stdin": "false",
			"io.kubernetes.cri-o.StdinOnce": "false",
			"io.kubernetes.cri-o.TTY": "false"}
		else labels + {
			"io.kubernetes.cri-o.Annotations": ({"kubernetes.io/config.source": "api"} | tojson),
			"io.kubernetes.cri-o.CgroupParent": ($cgpath | split(":")[0]),
			"io.kubernetes.cri-o.ContainerID": $sid,
			"io.kubernetes.cri-o.ContainerName": "k8s_POD_\($pod)_\($ns)_\($uid)_0",
			"io.kubernetes.cri-o.ContainerType": "sandbox",
			"io.kubernetes.cri-o.Created": $created,
			"io.kubernetes.cri-o.HostName": hostname,
			"io.kubernetes.cri-o.HostNetwork": ($hostnet | tostring),
			"io.kubernetes.cri-o.HostnamePath": "\(rundir)/hostname",
			"io.kubernetes.cri-o.Image": $pause,
			"io.kubernetes.cri-o.KubeName": $pod,
			"io.kubernetes.cri-o.Labels": (labels | tojson),
			"io.kubernetes.cri-o.LogPath": "\(logdir)/\($sid).log",
			"io.kubernetes.cri-o.Metadata": ({name: $pod, uid: $uid, namespace: $ns} | tojson),
			"io.kubernetes.cri-o.MountPoint": "/var/lib/containers/storage/overlay/\($sid)/merged",
			"io.kubernetes.cri-o.Name": crio_name,
			"io.kubernetes.cri-o.Namespace": $ns,
			"io.kubernetes.cri-o.NamespaceOptions": ({pid: 1} | tojson),
			"io.kubernetes.cri-o.PrivilegedRuntime": "false",
			"io.kubernetes.cri-o.ResolvPath": "\(rundir)/resolv.conf",
			"io.kubernetes.cri-o.RuntimeHandler": "",
			"io.kubernetes.cri-o.SandboxID": $sid,
			"io.kubernetes.cri-o.SandboxName": crio_name,
			"io.kubernetes.cri-o.SeccompProfilePath": "",
			"io.kubernetes.cri-o.ShmPath": "\(rundir)/shm"} end;
	{
		ociVersion: "1.1.0",
		process: ({
			user: (if app then {uid: 0, gid: 0, additionalGids: [0]} else {uid: 65535, gid: 65535} end),
			args: (if app then ["/bin/sh", "-c", "sleep infinity"] else ["/pause"] end),
			env: (if app then env else ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] end),
			cwd: "/",
			capabilities: (["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
				"CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP",
				"CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
				"CAP_AUDIT_WRITE"] as $c | {bounding: $c, effective: $c, permitted: $c}),
			noNewPrivileges: (app | not),
			oomScoreAdj: (if app then 996 else -998 end)}
			+ (if app then {} else {apparmorProfile: "cri-containerd.apparmor.d"} end)),
		# containerd writes root.readonly only when true (the sandbox)
		root: ({path: (if $rt == "crio" then "/var/lib/containers/storage/overlay/\($id)/merged" else "rootfs" end)}
		       + (if app then {} else {readonly: true} end)),
		mounts: (base_mounts + (if app then app_mounts else [] end)),
		annotations: annotations,
		linux: {
			resources: {devices: [{allow: false, access: "rwm"}],
				    cpu: {shares: (if app then 102 else 2 end), period: 100000}},
			cgroupsPath: $cgpath,
			namespaces: namespaces,
			maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
				"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
				"/sys/firmware", "/sys/devices/virtual/powercap"],
			readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]}
	}
	# containerd sets a hostname on the sandbox only: its containers join the sandbox'"'"'s UTS
	# namespace (seen on containerd 1.6 by tests/cri)
	+ (if app and $rt == "containerd" then {} else {hostname: hostname} end)'
}

# _fn_state_write NAME app|sandbox: write (or replace, atomically) that config.json
_fn_state_write() {
	local name=$1 which=$2 f tmp
	if [[ $which == app ]]; then
		f=$(_fn_pod_get "$name" CONFIG) || return 1
	else
		f=$(_fn_pod_get "$name" SANDBOX_CONFIG) || return 1
	fi
	mkdir -p "${f%/*}" || return 1
	tmp=$f.cwtest-tmp
	_fn_state_json "$name" "$which" >"$tmp" || { rm -f "$tmp"; return 1; }
	mv -f "$tmp" "$f"
}

fn_pod_state() {
	_fn_need_init || return 1
	[[ -n $FN_ROOT ]] || fn_root
	local name=${1-}
	_fn_valid_name "$name" || return 1
	[[ -f $FN_RUN/pods/$name ]] || { _fn_err "no pod named '$name' (fn_pod first)"; return 1; }
	if _fn_pod_get "$name" STATE_CFG >/dev/null 2>&1; then
		_fn_err "fn_pod_state: already called for $name"
		return 1
	fi
	shift
	local pname=${name,,} ns=${FN_NAMESPACE:-default} sa='' cname=app
	local image=public.ecr.aws/docker/library/busybox:1.36 hostnet=false cfg=now delay=
	local sandbox=1 logs=1 envf=$FN_RUN/pods/$name.env
	pname=${pname//_/-}
	: >"$envf" || return 1
	while (($#)); do
		case $1 in
		--namespace) ns=${2-}; shift 2 || return 1 ;;
		--name) pname=${2-}; shift 2 || return 1 ;;
		--service-account) sa=${2-}; shift 2 || return 1 ;;
		--container) cname=${2-}; shift 2 || return 1 ;;
		--image) image=${2-}; shift 2 || return 1 ;;
		--env)
			if [[ ${2-} != [A-Za-z_]*=* || ${2-} == *$'\n'* ]]; then
				_fn_err "fn_pod_state: bad --env '${2-}' (want K=V on one line)"
				return 1
			fi
			printf '%s\n' "$2" >>"$envf"
			shift 2 ;;
		--host-network) hostnet=true; shift ;;
		--no-config) cfg=none; shift ;;
		--delay-config)
			delay=${2-}
			[[ $delay =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
				{ _fn_err "fn_pod_state: bad --delay-config '$delay'"; return 1; }
			cfg=delay
			shift 2 ;;
		--no-sandbox-config) sandbox=0; shift ;;
		--no-logs) logs=0; shift ;;
		*) _fn_err "fn_pod_state: unknown option $1"; return 1 ;;
		esac
	done
	[[ -n $sa ]] || sa=${FN_SA:-sa-$pname}
	_fn_dns_label "$ns" || { _fn_err "fn_pod_state: bad namespace '$ns'"; return 1; }
	_fn_dns_subdomain "$pname" || { _fn_err "fn_pod_state: bad pod name '$pname'"; return 1; }
	_fn_dns_subdomain "$sa" || { _fn_err "fn_pod_state: bad service account '$sa'"; return 1; }
	_fn_dns_label "$cname" || { _fn_err "fn_pod_state: bad container name '$cname'"; return 1; }
	[[ -n $image && $image != *[[:space:]]* ]] || { _fn_err "fn_pod_state: bad image"; return 1; }

	local uid cid sid rt cfgfile sfile logdir
	uid=$(_fn_pod_get "$name" UID) && cid=$(_fn_pod_get "$name" CID) &&
		sid=$(_fn_pod_get "$name" SANDBOX_CID) && rt=$(_fn_pod_get "$name" RUNTIME) || return 1
	if [[ $rt == crio ]]; then
		cfgfile=$FN_ROOT/var/lib/containers/storage/overlay-containers/$cid/userdata/config.json
		sfile=$FN_ROOT/var/lib/containers/storage/overlay-containers/$sid/userdata/config.json
	else
		cfgfile=$FN_ROOT/run/containerd/io.containerd.runtime.v2.task/k8s.io/$cid/config.json
		sfile=$FN_ROOT/run/containerd/io.containerd.runtime.v2.task/k8s.io/$sid/config.json
	fi
	logdir=$FN_ROOT/var/log/pods/${ns}_${pname}_$uid
	{
		echo "K8S_NAMESPACE=$ns"
		echo "K8S_NAME=$pname"
		echo "K8S_SA=$sa"
		echo "CONTAINER=$cname"
		echo "IMAGE=$image"
		echo "HOSTNET=$hostnet"
		echo "CONFIG=$cfgfile"
		echo "SANDBOX_CONFIG=$sfile"
		echo "LOGDIR=$logdir"
		echo "STATE_CFG=$cfg"
	} >>"$FN_RUN/pods/$name"

	# the task directories exist before the runtime writes the spec
	mkdir -p "${cfgfile%/*}" "${sfile%/*}" || return 1
	# the sandbox's network namespace where its spec says it is (containerd's CNI netns
	# /var/run/netns/cni-<id>, CRI-O's /var/run/netns/<id>): a bind mount of the pod's netns,
	# as the runtime leaves it on a node
	if [[ $hostnet != true ]]; then
		local nsid nsfile
		nsid=$(printf '%s-%s-%s-%s-%s' "${sid:8:8}" "${sid:16:4}" "${sid:20:4}" "${sid:24:4}" "${sid:28:12}")
		nsfile=$FN_ROOT/var/run/netns/$([[ $rt == crio ]] || echo cni-)$nsid
		mkdir -p "${nsfile%/*}" && : >"$nsfile" || return 1
		echo "$nsfile" >>"$FN_RUN/mounts"
		mount --bind "/run/netns/$(_fn_pod_get "$name" NETNS)" "$nsfile" || return 1
	fi
	if ((sandbox)); then
		_fn_state_write "$name" sandbox || return 1
	fi
	if ((logs)); then
		mkdir -p "$logdir/$cname" && : >"$logdir/$cname/0.log" || return 1
	fi
	fn_load "$name"
	case $cfg in
	now) _fn_state_write "$name" app ;;
	delay) fn_pod_config "$name" --delay "$delay" ;;
	esac
}

# fn_pod_config NAME [--delay SECONDS]: write the app container's config.json now (e.g. after
# fn_pod_state --no-config and fn_volumes), or from a background job after SECONDS
fn_pod_config() {
	_fn_need_init || return 1
	local name=${1-} delay= after=
	_fn_valid_name "$name" || return 1
	_fn_pod_get "$name" STATE_CFG >/dev/null || { _fn_err "fn_pod_state $name first"; return 1; }
	shift
	while (($#)); do
		case $1 in
		--delay) delay=${2-}; shift 2 || return 1 ;;
		--after) after=${2-}; shift 2 || return 1 ;;
		*) _fn_err "fn_pod_config: unknown option $1"; return 1 ;;
		esac
	done
	[[ -n $after && -z $delay ]] && delay=0
	if [[ -z $delay ]]; then
		_fn_state_write "$name" app
		return
	fi
	[[ $delay =~ ^[0-9]+(\.[0-9]+)?$ ]] || { _fn_err "fn_pod_config: bad --delay '$delay'"; return 1; }
	# rendered now (that takes a while), renamed into place after the delay: the file appears
	# at that moment, complete
	local f tmp
	f=$(_fn_pod_get "$name" CONFIG) || return 1
	tmp=$f.cwtest-next
	_fn_state_json "$name" app >"$tmp" || { rm -f "$tmp"; return 1; }
	env "FAKENODE_TAG=$_FN_TAG" sh -c '
		i=0
		while [ -n "$4" ] && [ ! -e "$4" ]; do
			i=$((i + 1))
			[ $i -le 1200 ] || { echo "fakenode: $4 never appeared" >&2; exit 1; }
			sleep 0.05
		done
		sleep "$1" && exec mv -f "$2" "$3"' fakenode-config \
		"$delay" "$tmp" "$f" "$after" </dev/null >>"$FN_RUN/state-$name.log" 2>&1 &
	_fn_record_pid "$!"
}
