#!/bin/sh
# bench/run.sh BUILDDIR: the benchmarks, one table each (`make bench`).
# Root only (the sampling bench creates up to 1,000 cgroups in a sandbox
# under its own cgroup and removes them). Not part of `make check`.
set -u
b=${1:-.}
echo "== sampling: cgov vs the pread floor vs libcgroup; cgovd RSS and CPU at 1 Hz (RSS again after 75 s: a minute rolled up)"
"$b/bench/bench_sample" --cgovd "$b/cgovd" --daemon-seconds 75
echo
echo "== governing: cgovd at 1 Hz with and without the shipped policies, beside the pread floor (N=1000 twice: the machine may be shared)"
"$b/bench/bench_sample" --cgovd "$b/cgovd" --governing "$(dirname "$0")/../policies" \
	--sizes 100,1000,1000 --daemon-seconds 20
echo
echo "== store: inserts per second, bytes per container-sample, top query"
"$b/bench/bench_store"
echo
echo "== governor: deciding, per container and per tick, on the shipped policies"
"$b/bench/bench_govern" --policies "$(dirname "$0")/../policies"
echo
echo "== noisy neighbours: a victim's throughput alone, beside a hog, beside a governed hog"
bash "$(dirname "$0")/bench_noisy.sh" "$b"
echo
echo "== history: 30 days x 1000 containers generated, top/report/simulate over them, retention"
sh "$(dirname "$0")/bench_history.sh" "$b"
