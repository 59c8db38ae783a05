# shellcheck shell=bash
# findings.sh: extras for tests/integration/test_findings.sh on top of fakenode.sh (source
# fakenode.sh first). Only the public fakenode API is used, so this keeps working while
# fakenode.sh changes underneath.
#
#   fw_container POD CNAME [--env K=V]... [--image IMG]
#                                   a second container CNAME in pod POD (after fn_pod_state POD
#                                   and fn_volumes POD): its own container cgroup next to the
#                                   app container's, and its own OCI spec (config.json) derived
#                                   from the app container's: same sandbox, pod and annotations,
#                                   container-name CNAME, env = the base env (no AWS_* variables)
#                                   plus the --env values, only the service-account volume
#                                   mounted (like a container the webhook skipped). Everything
#                                   lives under $FN_CGBASE and $FN_ROOT, so fn_cleanup removes it.
#   fw_in_container POD CNAME CMD...
#                                   run CMD as a process of that container: fn_in_pod POD (tag,
#                                   netns), then the process moves itself into the second
#                                   container's cgroup before exec'ing CMD (same pid throughout).
#   fw_get POD CNAME KEY            CG, CGREL, CID or CONFIG of that container.

_fw_err() {
	echo "findings.sh: $*" >&2
}

fw_get() {
	local f=$FN_RUN/fw-ctr-$1-$2 line
	[[ -f $f ]] || { _fw_err "no container $2 in pod $1 (fw_container first)"; return 1; }
	while IFS= read -r line; do
		[[ ${line%%=*} == "$3" ]] && { echo "${line#*=}"; return 0; }
	done <"$f"
	return 1
}

fw_container() {
	local pod=${1-} cname=${2-} image= envjson='[]' v
	(($# >= 2)) || { _fw_err "usage: fw_container POD CNAME [--env K=V]... [--image IMG]"; return 1; }
	shift 2
	while (($#)); do
		case $1 in
		--env)
			[[ ${2-} == [A-Za-z_]*=* && ${2-} != *$'\n'* ]] || { _fw_err "bad --env '${2-}'"; return 1; }
			envjson=$(jq -c --arg e "$2" '. + [$e]' <<<"$envjson") || return 1
			shift 2 ;;
		--image) image=${2-}; shift 2 ;;
		*) _fw_err "fw_container: unknown option $1"; return 1 ;;
		esac
	done
	[[ $cname =~ ^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$ ]] || { _fw_err "bad container name '$cname'"; return 1; }
	fn_load "$pod" || return 1
	local cidv="POD_${pod}_CID" cgv="POD_${pod}_CG" cgrelv="POD_${pod}_CGREL" cfgv="POD_${pod}_CONFIG"
	local oldcid=${!cidv-} cg=${!cgv-} cgrel=${!cgrelv-} cfg=${!cfgv-}
	[[ -n $oldcid && -n $cg && -n $cfg ]] || { _fw_err "pod $pod: fn_pod_state first"; return 1; }
	[[ -f $cfg ]] || { _fw_err "pod $pod: app config.json not written ($cfg)"; return 1; }
	[[ -e $FN_RUN/fw-ctr-$pod-$cname ]] && { _fw_err "container $cname exists in $pod"; return 1; }
	local cid ncg ncgrel ncfg leaf
	cid=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	leaf=${cg##*/}
	[[ $leaf == *"$oldcid"* ]] || { _fw_err "cannot derive the cgroup name from $leaf"; return 1; }
	ncg=${cg%/*}/${leaf/"$oldcid"/"$cid"}
	ncgrel=${cgrel%/*}/${leaf/"$oldcid"/"$cid"}
	ncfg=${cfg/"$oldcid"/"$cid"}
	mkdir "$ncg" || return 1
	mkdir -p "${ncfg%/*}" || return 1
	jq --arg old "$oldcid" --arg new "$cid" --arg cname "$cname" --arg image "$image" \
		--argjson extra "$envjson" '
		.process.env = ([.process.env[] | select(startswith("AWS_") | not)] + $extra)
		| .linux.cgroupsPath |= sub($old; $new)
		| .annotations["io.kubernetes.cri.container-name"] = $cname
		| (if $image != "" then .annotations["io.kubernetes.cri.image-name"] = $image else . end)
		| .mounts = [.mounts[]
			| select(((.source | test("/volumes/kubernetes\\.io~projected/")) | not)
				 or (.source | test("/kube-api-access-[^/]*$")))
			| if .destination == "/dev/termination-log"
			  then .source = (.source | sub("/containers/[^/]*/[^/]*$";
					"/containers/\($cname)/\($new[0:8])"))
			  else . end]
		' "$cfg" >"$ncfg.fw-tmp" && mv -f "$ncfg.fw-tmp" "$ncfg" || return 1
	printf '%s\n' "CID=$cid" "CG=$ncg" "CGREL=$ncgrel" "CONFIG=$ncfg" >"$FN_RUN/fw-ctr-$pod-$cname"
}

fw_in_container() {
	local pod=${1-} cname=${2-} cg
	(($# >= 3)) || { _fw_err "usage: fw_in_container POD CNAME CMD..."; return 1; }
	cg=$(fw_get "$pod" "$cname" CG) || return 1
	shift 2
	fn_in_pod "$pod" /bin/sh -c '
		echo $$ >"$0/cgroup.procs" || { echo "findings.sh: cannot join $0" >&2; exit 125; }
		exec "$@"' "$cg" "$@"
}
