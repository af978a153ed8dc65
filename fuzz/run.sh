#!/usr/bin/env bash
# Builds every fuzz target once, replays the saved regressions, then fuzzes
# each target in turn and prints a table of what each run did.
#
#   fuzz/run.sh [SECONDS]        fuzz each target for SECONDS (default 30)
#   fuzz/run.sh -n RUNS          fuzz each target for RUNS executions
#
# Environment:
#   FUZZ_TARGETS     targets to run (default: all, in the order below)
#   FUZZ_SANITIZER   none (default) or address
#   FUZZ_TRACE_COMPARES=0  build without libFuzzer's comparison tracing: for
#                    long runs, several times the executions a second, at
#                    the cost of guidance through comparisons
#   FUZZ_KEEP_GOING=1  go on after a failure (libFuzzer's fork mode): for long
#                    runs while a known bug is open; failures are still counted
#   DOPPEL_FUZZ_RESTORE=confined   restore target: check confinement only
#
# Exits 1 when a target crashes, fails an invariant, times out or runs out of
# memory (its input is saved under fuzz/artifacts/TARGET/), 2 on bad usage.
set -euo pipefail
cd "$(dirname "$0")"

seconds=30
runs=
if [[ ${1:-} == -n ]]; then
    [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh [SECONDS | -n RUNS]" >&2; exit 2; }
    runs=$2
elif [[ $# -gt 0 ]]; then
    [[ $1 =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh [SECONDS | -n RUNS]" >&2; exit 2; }
    seconds=$1
fi

targets=${FUZZ_TARGETS:-"decode jsonl scan_text damage diff restore clean_roundtrip signatures index"}
sanitizer=${FUZZ_SANITIZER:-none}
keep_going=${FUZZ_KEEP_GOING:-}
# cargo fuzz passes -Z flags to rustc; the stable toolchain accepts them so.
export RUSTC_BOOTSTRAP=1
# One rayon thread: the work per input is small, and libFuzzer runs one
# input at a time.
export RAYON_NUM_THREADS=1
# Release build with debug assertions, so arithmetic overflow panics.
build_flags=(--sanitizer "$sanitizer" -O -a)
[[ ${FUZZ_TRACE_COMPARES:-1} == 0 ]] && build_flags+=(--no-trace-compares)

max_len() {
    case $1 in
        restore) echo 65536 ;;  # seeds hold the whole manifest and a cleaned file
        signatures) echo 16384 ;;  # a signed corpus of eight files is 11 KB
        index) echo 8192 ;;  # the generated corpus indexed: a manifest and a segment, 4 KB
        *) echo 4096 ;;
    esac
}

echo "fuzz: building (sanitizer $sanitizer)"
cargo fuzz build "${build_flags[@]}"

mkdir -p work/logs
# Seeds made by today's code: the manifest of `clean` for restore, the files
# of `sign` and of `index create` for signatures and index.
for seeded in restore signatures index; do
    [[ " $targets " == *" $seeded "* ]] || continue
    mkdir -p "work/seeds/$seeded"
    DOPPEL_FUZZ_DUMP_SEEDS=work/seeds/$seeded DOPPEL_FUZZ_RESTORE=confined \
        cargo fuzz run "${build_flags[@]}" "$seeded" "work/seeds/$seeded" -- -runs=0 \
        >"work/logs/$seeded-seeds.log" 2>&1 || {
        cat "work/logs/$seeded-seeds.log" >&2
        echo "fuzz: $seeded: making seeds failed" >&2
        exit 1
    }
done

failed=()
for target in $targets; do
    shopt -s nullglob
    regressions=(regressions/"$target"/*)
    shopt -u nullglob
    for input in "${regressions[@]}"; do
        log=work/logs/$target-regression-$(basename "$input").log
        if ! cargo fuzz run "${build_flags[@]}" "$target" "$input" -- -runs=1 >"$log" 2>&1; then
            echo "fuzz: $target: regression $input fails (see fuzz/$log)" >&2
            failed+=("$target:$(basename "$input")")
        fi
    done
    ((${#regressions[@]})) && echo "fuzz: $target: ${#regressions[@]} regression inputs replayed"
done

limit=(-max_total_time="$seconds")
[[ -n $runs ]] && limit=(-runs="$runs")
printf '%-16s %12s %8s %9s %7s %7s %s\n' target executions seconds exec/s cov ft result
for target in $targets; do
    mkdir -p "work/corpus/$target" "corpus/$target"
    seeds=("corpus/$target")
    [[ -d work/seeds/$target ]] && seeds+=("work/seeds/$target")
    log=work/logs/$target.log
    start=$(date +%s)
    status=0
    args=(-max_len="$(max_len "$target")" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 "${limit[@]}")
    [[ -f dict/$target.dict ]] && args+=(-dict="dict/$target.dict")
    [[ -n $keep_going ]] && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    cargo fuzz run "${build_flags[@]}" "$target" "work/corpus/$target" "${seeds[@]}" -- "${args[@]}" \
        >"$log" 2>&1 || status=$?
    elapsed=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    result=ok
    if [[ -n $keep_going ]]; then
        # Fork mode's status lines: "#EXECS: cov: … oom/timeout/crash: A/B/C …".
        last=$(grep -E '^#[0-9]+:' "$log" | tail -1)
        execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
        rate=$((${execs:-0} / (elapsed > 0 ? elapsed : 1)))
        failures=$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+)\/([0-9]+)\/([0-9]+).*/\1 \2 \3/p' <<<"$last")
        read -r ooms timeouts crashes <<<"${failures:-0 0 0}"
        if ((ooms + timeouts + crashes > 0)); then
            status=1
            result="$crashes crashes, $timeouts timeouts, $ooms OOMs:"
        fi
    fi
    if ((status != 0)); then
        result="${result/#ok/} FAILED (see fuzz/$log; inputs in fuzz/artifacts/$target/)"
        result=${result# }
        failed+=("$target")
    fi
    printf '%-16s %12s %8s %9s %7s %7s %s\n' "$target" "${execs:-?}" "$elapsed" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$result"
done

if ((${#failed[@]})); then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all targets passed"
