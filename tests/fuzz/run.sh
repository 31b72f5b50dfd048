#!/bin/sh
# run.sh — runs the libFuzzer targets built by `make fuzz`, each for
# FUZZ_SECONDS (default 600) from the committed seed corpus, at nice 19 and at
# most FUZZ_PARALLEL (default 2) at a time, one process each, so a shared
# machine keeps its other work. New inputs go to a scratch corpus under
# FUZZ_OUT, never into the source tree; crashes are left there as
# <target>-crash-* with the log, and the script fails if any target did.
#
# The seeds in corpus/<target>/ come from tests/fixtures and themes/:
# procnet/ the recorded /proc/net tables behind their selector byte (tcp 0,
# udp 1, tcp6 2, udp6 3), netlink/ the recorded sock_diag dumps behind theirs
# (tcp 0, udp 1; +2 unaligned), theme/ the shipped themes, filter/ every
# filter string of tests/test_filter.c, one a file.
#
# usage: tests/fuzz/run.sh FUZZ_BIN_DIR [TARGET...]
#   TARGETs: procnet netlink filter theme (default all)
set -u

bindir=${1:?usage: run.sh FUZZ_BIN_DIR [TARGET...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-600}
parallel=${FUZZ_PARALLEL:-2}
out=${FUZZ_OUT:-$bindir/fuzz-out}
targets=${*:-procnet netlink filter theme}

run_one() {
	t=$1
	mkdir -p "$out/corpus-$t"
	nice -n 19 "$bindir/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$out/$t-" \
		"$out/corpus-$t" "$here/corpus/$t" >"$out/$t.log" 2>&1
	echo "$t: exit $? ($(grep -c '' "$out/$t.log") log lines, $out/$t.log)"
}

mkdir -p "$out"
status=0
running=0
pids=
for t in $targets; do
	[ -x "$bindir/fuzz_$t" ] || { echo "no $bindir/fuzz_$t: run make fuzz" >&2; exit 2; }
	run_one "$t" &
	pids="$pids $!"
	running=$((running + 1))
	if [ "$running" -ge "$parallel" ]; then
		for p in $pids; do wait "$p"; done
		pids=
		running=0
	fi
done
for p in $pids; do wait "$p"; done

for t in $targets; do
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov: .* ft: ' "$out/$t.log" |
		tail -n 3 | sed "s/^/$t: /"
	if ls "$out/$t-"crash-* "$out/$t-"leak-* "$out/$t-"timeout-* "$out/$t-"oom-* >/dev/null 2>&1; then
		echo "$t: FINDINGS in $out/$t-*" >&2
		status=1
	fi
done
exit $status
