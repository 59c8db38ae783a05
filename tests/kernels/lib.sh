# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers shared by tests/kernels/run.sh.

# hooks_summary AGENT_READY_JSON: "file=... socket=... network=..." from the hooks array of
# an agent_ready line. Hooks of one family sharing a section prefix are folded:
# cgroup/connect4 + cgroup/connect6 -> cgroup/connect4,6. A family with no hook: "none".
hooks_summary() {
	jq -r '
		def lcp: if length == 0 then "" else
			reduce .[1:][] as $s (.[0];
				. as $p | [range(0; [($p|length), ($s|length)] | min)
					   | select($p[.:.+1] != $s[.:.+1])] as $d
				| if ($d|length) > 0 then $p[:$d[0]] else $p[:([($p|length), ($s|length)] | min)] end)
			end;
		def fold: (map(sub("/[^/]*$"; "/")) | unique) as $secs
			| [ $secs[] as $sec
			    | [ .[] | select(startswith($sec)) | .[($sec|length):] ] as $names
			    | (if ($names|length) > 1 then ($names | lcp) else "" end) as $c
			    # never fold a whole name away (open + openat): back off to a "_" boundary
			    | (if any($names[]; . == $c) then ($c | sub("[^_]*$"; "")) else $c end) as $c
			    | $sec + $c + ([ $names[] | .[($c|length):] ] | join(",")) ]
			| join("+");
		[.hooks[]?] as $h
		| ["file", "socket", "network"]
		| map(. as $f | [$h[] | select(.family == $f) | .hook]
			| "\($f)=\(if length == 0 then "none" else fold end)")
		| join(" ")' <<<"$1"
}
