#!/usr/bin/env bash
# Compares StackExchange.Redis versions on our stream workload (eng/redis-client-bench/Program.cs
# says what is measured). Two versions cannot load in one process, so the benchmark is built once
# per version, into its own artifacts folder, and the builds run alternately (A B A B ...) against
# the test instance's Redis, so drift of the machine hits both alike.
#
#   eng/redis-client-bench.sh [--runs N] [--seconds S] [VERSION_A VERSION_B]
#
# Prints every run, then per scenario the median of each version and the ratio B/A; writes both
# under eng/redis-client-bench/results/ (git-ignored). The test instance's loopback ports and the
# CPU are shared by every checkout on the machine, so the whole run holds /tmp/rtmc-services.lock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH=$ROOT/eng/redis-client-bench
LOCK=/tmp/rtmc-services.lock

if [[ -z ${RTMC_BENCH_LOCKED:-} ]]; then
    RTMC_BENCH_LOCKED=1 exec flock "$LOCK" "$0" "$@"
fi

runs=3 seconds=3
versions=()
while (($#)); do
    case $1 in
    --runs) runs=${2:?}; shift 2 ;;
    --seconds) seconds=${2:?}; shift 2 ;;
    -*) echo "unknown option '$1'" >&2; exit 2 ;;
    *) versions+=("$1"); shift ;;
    esac
done
((${#versions[@]} == 0)) && versions=(2.13.23 3.4.35)
((${#versions[@]} == 2)) || { echo "give two versions (or none)" >&2; exit 2; }

say() { printf '==> %s\n' "$*" >&2; }

for v in "${versions[@]}"; do
    say "building the benchmark against StackExchange.Redis $v"
    dotnet build "$BENCH/RedisClientBench.csproj" -c Release -p:SeRedisVersion="$v" \
        --artifacts-path "$BENCH/.artifacts/$v" -nologo -v quiet >&2
done

# Redis of the test instance, stopped again afterwards unless it was running before.
cd "$ROOT"
if ! ./build.sh services status --instance test >/dev/null 2>&1; then
    trap './build.sh services stop --instance test >&2 || true' EXIT
fi
./build.sh services start --instance test >&2
eval "$(./build.sh services env --instance test)"

mkdir -p "$BENCH/results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=$BENCH/results/$stamp.tsv
summary=$BENCH/results/$stamp.summary.txt
printf 'run\tversion\tscenario\tops_per_s\titems_per_s\tp50_ms\tp99_ms\n' >"$out"
for ((run = 1; run <= runs; run++)); do
    for v in "${versions[@]}"; do
        say "run $run/$runs: $v"
        dotnet "$BENCH/.artifacts/$v/bin/RedisClientBench/release/RedisClientBench.dll" --seconds "$seconds" |
            sed "s/^/$run\t/" | tee -a "$out" >&2
    done
done

# Median per version and scenario (ops/s, p50, p99), then B/A.
awk -F'\t' -v a="${versions[0]}" -v b="${versions[1]}" '
    function median(key, col,   n, i, j, t, v) {
        n = split(vals[key, col], v, " ")
        for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
        return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    NR > 1 {
        if (!($3 in seen)) { seen[$3] = 1; order[++count] = $3 }
        for (c = 4; c <= 7; c++) vals[$2 SUBSEP $3, c] = vals[$2 SUBSEP $3, c] (vals[$2 SUBSEP $3, c] == "" ? "" : " ") $c
    }
    END {
        printf "median of %s runs each; ratio = %s / %s (ops/s: >1 means %s is faster; latency: <1 means it is faster)\n", runs, b, a, b
        printf "%-16s %12s %12s %7s   %9s %9s %6s   %9s %9s %6s\n", "scenario", a " ops/s", b " ops/s", "ratio", "p50 " a, "p50 " b, "ratio", "p99 " a, "p99 " b, "ratio"
        for (i = 1; i <= count; i++) {
            s = order[i]
            oa = median(a SUBSEP s, 4); ob = median(b SUBSEP s, 4)
            pa = median(a SUBSEP s, 6); pb = median(b SUBSEP s, 6)
            qa = median(a SUBSEP s, 7); qb = median(b SUBSEP s, 7)
            printf "%-16s %12.0f %12.0f %7.3f   %9.3f %9.3f %6.3f   %9.3f %9.3f %6.3f\n", s, oa, ob, ob / oa, pa, pb, pb / pa, qa, qb, qb / qa
        }
    }' runs="$runs" "$out" | tee "$summary"
say "results: $out, $summary"
