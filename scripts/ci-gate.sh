#!/usr/bin/env bash
# A performance-regression gate for CI: run a scenario, judge it by its thresholds, compare
# it with stored baseline results, and publish the verdicts as Markdown and JUnit.
#
#   scripts/ci-gate.sh <scenario.yaml> [baseline-dir ...]
#
# With no baseline folder (the first run on a branch) only the thresholds gate. With one,
# `sockcap compare` flags regressions beyond the default allowances; with several, it
# measures run-to-run noise from their spread and flags only changes beyond it.
#
# Environment:
#   SOCKCAP          how to call sockcap (default: `sockcap` on PATH, else this checkout's dist/src/bin.js)
#   SOCKCAP_OUT      results parent folder (default: results)
#   SOCKCAP_RUN_ID   results folder name (default: ci-<UTC time>)
#   MAX_REGRESSION   extra allowances, space-separated: "latency.p99=5% throughput_per_s=-5%"
#   GITHUB_STEP_SUMMARY  when set (GitHub Actions), the Markdown is appended to the job summary
#
# Exit code: 0 when every gate passed; otherwise the first failure's code (1 threshold or
# regression, 2 bad input, 3 broken run, 4 saturated generator with --strict).
set -uo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 <scenario.yaml> [baseline-dir ...]" >&2
  exit 2
fi
scenario=$1
shift
baselines=("$@")

here=$(cd "$(dirname "$0")" && pwd)
if [[ -n "${SOCKCAP:-}" ]]; then
  read -r -a sockcap <<<"$SOCKCAP"
elif command -v sockcap >/dev/null 2>&1; then
  sockcap=(sockcap)
else
  sockcap=(node "$here/../dist/src/bin.js")
fi

out=${SOCKCAP_OUT:-results}
run_id=${SOCKCAP_RUN_ID:-ci-$(date -u +%Y%m%d-%H%M%S)}
current="$out/$run_id"
status=0

echo "== sockcap run $scenario -> $current"
"${sockcap[@]}" run "$scenario" --out "$out" --run-id "$run_id" --quiet \
  --junit "$current/thresholds.junit.xml" --markdown "$current/thresholds.md"
run_status=$?
if [[ $run_status -ne 0 ]]; then status=$run_status; fi

if [[ ${#baselines[@]} -gt 0 && -f "$current/run.json" ]]; then
  rules=()
  for rule in ${MAX_REGRESSION:-}; do rules+=(--max-regression "$rule"); done
  if [[ ${#baselines[@]} -eq 1 ]]; then
    against=("${baselines[0]}")
  else
    against=(--baseline "${baselines[@]}")
  fi
  echo "== sockcap compare ${baselines[*]} -> $current"
  "${sockcap[@]}" compare "${against[@]}" "$current" "${rules[@]}" \
    --out "$current" --junit "$current/compare.junit.xml" --markdown "$current/compare.md"
  compare_status=$?
  if [[ $status -eq 0 && $compare_status -ne 0 ]]; then status=$compare_status; fi
elif [[ ${#baselines[@]} -eq 0 ]]; then
  echo "== no baseline given: thresholds only (store this run's folder as the next baseline)"
fi

if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
  for file in "$current/thresholds.md" "$current/compare.md"; do
    if [[ -f "$file" ]]; then cat "$file" >>"$GITHUB_STEP_SUMMARY"; echo >>"$GITHUB_STEP_SUMMARY"; fi
  done
fi

echo "== results: $current (report.html, summary.csv, thresholds.csv, compare.csv)"
exit $status
