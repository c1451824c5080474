#!/usr/bin/env bash
# One task of a startrend sweep split over a Slurm job array: task i of n
# runs shard i/n into OUT/shard-<i>. Submit with one task per shard,
#
#   sbatch --array=0-3 deploy/slurm/sweep-array.sh SCENARIO.yaml OUT [sweep flags]
#
# then merge the shards:  startrend merge OUT/shard-* -o OUT/merged
#
# The shard index is SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN and the count
# SLURM_ARRAY_TASK_COUNT, so any contiguous --array range works. Tasks run
# with --resume: a requeued or resubmitted task continues its shard where it
# stopped. Set STARTREND to the binary's path if it is not on PATH.
#SBATCH --job-name=startrend-sweep
#SBATCH --cpus-per-task=1
#SBATCH --output=startrend-sweep-%A_%a.out
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: sbatch --array=0-(N-1) $0 SCENARIO.yaml OUT [sweep flags]" >&2
  exit 2
fi
: "${SLURM_ARRAY_TASK_ID:?run this script as a Slurm job array (sbatch --array=0-N)}"
scenario=$1 out=$2
shift 2
i=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
n=${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT is not set}
mkdir -p "$out"
exec "${STARTREND:-startrend}" sweep "$scenario" -o "$out/shard-$i" --shard "$i/$n" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet "$@"
