#!/usr/bin/env bash
# One generation of `startrend optimize --shards N` as one Slurm job array.
# Give it to the coordinator as its launcher (on the login node, with the
# output directory on a file system every node sees):
#
#   startrend optimize SCENARIO.yaml -o /shared/opt --shards 16 \
#     --launcher deploy/slurm/optimize-generation.sh
#
# For every search generation the coordinator records the generation's
# runs in the shard stores OUT/shards/shard-i-of-N, then calls this script
# with the shard task's arguments and STARTREND_SHARDS=N. Called that way
# (outside a job) it submits itself, `sbatch --wait --array=0-(N-1)`, and
# returns when every task has ended; the coordinator then reads the shard
# stores. Inside the array, task i runs `startrend "$@" --shard i/N`: its
# share of the runs (run_id ≡ i mod N), journalled, resumable.
#
# sbatch options come from the environment (SBATCH_PARTITION,
# SBATCH_ACCOUNT, SBATCH_TIMELIMIT …; sbatch reads them itself) or from the
# #SBATCH lines below. The tasks inherit the environment (sbatch's
# default --export=ALL): STARTREND names the binary (the coordinator sets
# it to itself), STARTREND_SHARDS the count. A failed task fails the array
# and the coordinator reports it; resuming (--resume) reruns only the runs
# that did not finish. Stopping the coordinator (Ctrl-C) sends this script
# SIGTERM, and it cancels the array (scancel).
#SBATCH --job-name=startrend-optimize
#SBATCH --cpus-per-task=1
set -euo pipefail
: "${STARTREND_SHARDS:?STARTREND_SHARDS is not set: this script is run by startrend optimize --launcher}"
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
  # the coordinator's call: one job array per generation
  store=""
  prev=""
  for a in "$@"; do
    [ "$prev" = "--shard-store" ] && store=$a
    prev=$a
  done
  : "${store:?no --shard-store among the arguments}"
  # sbatch --wait in the background, so that a stopped coordinator (it
  # sends SIGTERM) cancels the array instead of leaving it running
  out="$store/slurm-submit.out"
  sbatch --wait --array=0-$((STARTREND_SHARDS - 1)) \
    --output="$store/slurm-%A_%a.out" "$0" "$@" > "$out" &
  pid=$!
  cancel() {
    id=$(grep -o '[0-9][0-9]*' "$out" 2>/dev/null | head -1 || true)
    [ -n "$id" ] && scancel "$id"
    kill "$pid" 2>/dev/null || true
    exit 130
  }
  trap cancel INT TERM
  wait "$pid"
  exit $?
fi
i=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
n=${SLURM_ARRAY_TASK_COUNT:-$STARTREND_SHARDS}
if [ "$n" != "$STARTREND_SHARDS" ]; then
  echo "the array has $n tasks, the coordinator runs $STARTREND_SHARDS shards" >&2
  exit 2
fi
exec "${STARTREND:-startrend}" "$@" --shard "$i/$n" --workers "${SLURM_CPUS_PER_TASK:-1}"
