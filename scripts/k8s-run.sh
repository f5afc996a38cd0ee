#!/usr/bin/env bash
# Runs a scenario as <shards> pods of a Kubernetes Indexed Job (deploy/k8s/job.yaml), all
# starting at one time, copies every pod's results and merges them into one results folder.
#
#   scripts/k8s-run.sh <scenario.yaml> <shards> [namespace]
#
# Steps: a ConfigMap <job>-scenario from the scenario file; the Job with the shard count,
# job name, start time and image filled in; wait until every pod has finished its run (a
# pod turns Ready then, and holds its results); `kubectl cp` each pod's /results to
# results/<job>/shard-<i>; tell the pods they may exit; wait for the Job to complete (or
# fail, when a shard did); `sockcap merge` into results/<job>-merged.
#
# Environment:
#   SOCKCAP_IMAGE          the image built by deploy/k8s/Dockerfile (default: sockcap:latest)
#   SOCKCAP_JOB_NAME       the Job's name, also the run id (default: sockcap-<UTC time>)
#   SOCKCAP_START_DELAY    seconds from now to the shared start: time to schedule and pull (default: 60)
#   SOCKCAP_TIMEOUT        seconds to wait for the pods to finish their runs (default: 1800)
#   SOCKCAP_ALLOW_PARTIAL  1: merge even when shards are missing (sockcap merge --allow-partial)
#   SOCKCAP_OUT            results parent folder (default: results)
#   SOCKCAP                how to call sockcap for the merge (default: `sockcap` on PATH, else this checkout's dist/src/bin.js)
#   SOCKCAP_DRY_RUN        1: print the Job that would be applied and stop (needs no cluster)
#   KUBECTL                the kubectl to use (default: kubectl)
#
# Exit code: the merge's when it fails, else the first shard's non-zero exit code (1
# threshold failed, 2 bad input, 3 broken run, 4 saturated generator), else 0.
set -euo pipefail

die() {
  echo "k8s-run: $*" >&2
  exit 2
}

if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 <scenario.yaml> <shards> [namespace]" >&2
  exit 2
fi
scenario=$1
shards=$2
namespace=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
manifest="$here/../deploy/k8s/job.yaml"

[[ -f "$scenario" ]] || die "no scenario file at $scenario"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "<shards>: expected a whole number of at least 1, got \"$shards\""
[[ -f "$manifest" ]] || die "no Job manifest at $manifest"

job=${SOCKCAP_JOB_NAME:-sockcap-$(date -u +%Y%m%d-%H%M%S)}
# A Job name becomes its pods' names and a label value: lower case, digits and dashes.
[[ "$job" =~ ^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$ ]] || die "SOCKCAP_JOB_NAME: expected lower-case letters, digits and dashes (at most 52), got \"$job\""
image=${SOCKCAP_IMAGE:-sockcap:latest}
[[ "$image" =~ ^[^[:space:]|\"]+$ ]] || die "SOCKCAP_IMAGE: expected an image reference, got \"$image\""
start_delay=${SOCKCAP_START_DELAY:-60}
[[ "$start_delay" =~ ^[0-9]+$ ]] || die "SOCKCAP_START_DELAY: expected seconds, got \"$start_delay\""
timeout=${SOCKCAP_TIMEOUT:-1800}
[[ "$timeout" =~ ^[1-9][0-9]*$ ]] || die "SOCKCAP_TIMEOUT: expected seconds, got \"$timeout\""
# One absolute time for every pod, so the shards' schedules line up (nodes' clocks in sync).
start_at=$(node -e 'console.log(new Date(Date.now() + Number(process.argv[1]) * 1000).toISOString())' "$start_delay")

# The lines of job.yaml that differ from run to run; each must be found, or the file has
# changed shape and this script would apply something else than it says.
render_job() {
  local rendered
  rendered=$(sed \
    -e "s/^  name: sockcap\$/  name: $job/" \
    -e "s/job-name: sockcap\$/job-name: $job/" \
    -e "s/^  completions: [0-9][0-9]*\$/  completions: $shards/" \
    -e "s/^  parallelism: [0-9][0-9]*\$/  parallelism: $shards/" \
    -e "s/{ name: SHARD_COUNT, value: \"[0-9]*\" }/{ name: SHARD_COUNT, value: \"$shards\" }/" \
    -e "s/{ name: START_AT, value: \"[^\"]*\" }/{ name: START_AT, value: \"$start_at\" }/" \
    -e "s|image: sockcap:latest\$|image: $image|" \
    -e "s/name: sockcap-scenario\$/name: $job-scenario/" \
    "$manifest")
  local expected
  for expected in "  name: $job" "job-name: $job" "  completions: $shards" "  parallelism: $shards" \
    "name: SHARD_COUNT, value: \"$shards\"" "name: START_AT, value: \"$start_at\"" "image: $image" "name: $job-scenario"; do
    grep -qF -- "$expected" <<<"$rendered" || die "$manifest has no line this script can turn into '$expected'"
  done
  printf '%s\n' "$rendered"
}

job_yaml=$(render_job)
if [[ "${SOCKCAP_DRY_RUN:-}" == 1 ]]; then
  echo "# ConfigMap $job-scenario from $scenario, then:"
  printf '%s\n' "$job_yaml"
  exit 0
fi

kubectl_bin=${KUBECTL:-kubectl}
command -v "$kubectl_bin" >/dev/null 2>&1 ||
  die "kubectl not found (looked for \"$kubectl_bin\"): install it, or point KUBECTL at it, and make sure it reaches your cluster"
if [[ -z "$namespace" ]]; then
  namespace=$("$kubectl_bin" config view --minify --output 'jsonpath={..namespace}' 2>/dev/null || true)
  namespace=${namespace:-default}
fi
k() { "$kubectl_bin" --namespace "$namespace" "$@"; }

if [[ -n "${SOCKCAP:-}" ]]; then
  read -r -a sockcap <<<"$SOCKCAP"
elif command -v sockcap >/dev/null 2>&1; then
  sockcap=(sockcap)
else
  [[ -f "$here/../dist/src/bin.js" ]] || die "sockcap not found for the merge: run npm run build, or set SOCKCAP"
  sockcap=(node "$here/../dist/src/bin.js")
fi

out=${SOCKCAP_OUT:-results}
collected="$out/$job"
merged="$out/$job-merged"
[[ ! -e "$collected" && ! -e "$merged" ]] || die "$collected or $merged exists already: pick another SOCKCAP_JOB_NAME"

echo "k8s-run: job $job, $shards shards, namespace $namespace, image $image, start at $start_at"
k create configmap "$job-scenario" --from-file=scenario.yaml="$scenario" --dry-run=client --output yaml | k apply -f - >/dev/null
printf '%s\n' "$job_yaml" | k apply -f - >/dev/null

# Every pod must exist before `kubectl wait` can wait for them all.
deadline=$((SECONDS + start_delay + 60))
while [[ $(k get pods --selector "job-name=$job" --output name | wc -l) -lt $shards ]]; do
  ((SECONDS < deadline)) || die "fewer than $shards pods of job/$job after $((start_delay + 60)) s: kubectl -n $namespace describe job/$job"
  sleep 2
done

# A pod turns Ready when its run is over; one that failed outright never will.
echo "k8s-run: waiting for the runs to finish (at most $timeout s)"
deadline=$((SECONDS + timeout))
until k wait --for=condition=Ready pod --selector "job-name=$job" --timeout=10s >/dev/null 2>&1; do
  failed=$(k get pods --selector "job-name=$job" --field-selector status.phase=Failed --output name)
  [[ -z "$failed" ]] || die "a pod failed before its results could be copied (see: kubectl -n $namespace logs ${failed%%$'\n'*}): $(tr '\n' ' ' <<<"$failed")"
  ((SECONDS < deadline)) || die "runs not finished after $timeout s: kubectl -n $namespace get pods --selector job-name=$job"
done

pods=$(k get pods --selector "job-name=$job" \
  --output jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{"\n"}{end}')
# Copy every pod's results before releasing any: a pod that exits non-zero fails the Job
# (backoffLimit 0), and Kubernetes then ends the pods still holding their results.
status=0
dirs=()
mkdir -p "$collected"
while read -r pod index; do
  [[ -n "$pod" ]] || continue
  [[ "$index" =~ ^[0-9]+$ ]] || die "pod $pod has no job-completion-index annotation: is job/$job an Indexed Job?"
  shard_dir="$collected/shard-$((index + 1))"
  k cp --container sockcap "$pod:/results" "$shard_dir" >/dev/null
  code=$(cat "$shard_dir/exit-code" 2>/dev/null || echo 3)
  echo "k8s-run: shard $((index + 1))/$shards ($pod) exited $code, results in $shard_dir"
  if [[ "$code" != 0 && $status == 0 ]]; then status=$code; fi
  [[ ! -f "$shard_dir/$job/run.json" ]] || dirs+=("$shard_dir/$job")
done <<<"$pods"
while read -r pod _; do
  [[ -z "$pod" ]] || k exec "$pod" --container sockcap -- touch /results/collected
done <<<"$pods"

condition=Complete
[[ $status == 0 ]] || condition=Failed
k wait --for=condition=$condition "job/$job" --timeout=120s >/dev/null

((${#dirs[@]} > 0)) || die "no shard wrote results: kubectl -n $namespace logs --selector job-name=$job"
partial=()
[[ "${SOCKCAP_ALLOW_PARTIAL:-}" != 1 ]] || partial=(--allow-partial)
merge_status=0
"${sockcap[@]}" merge "${dirs[@]}" ${partial[@]+"${partial[@]}"} --out "$merged" || merge_status=$?
if ((merge_status != 0)); then
  echo "k8s-run: merge failed (exit $merge_status); the shards' results are in $collected" >&2
  exit "$merge_status"
fi
echo "k8s-run: merged results in $merged (delete the run with: kubectl -n $namespace delete job/$job configmap/$job-scenario)"
exit "$status"
