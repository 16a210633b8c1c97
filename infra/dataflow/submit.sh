#!/usr/bin/env bash
# infra/dataflow/submit.sh <command> --project=P --region=R --bucket=gs://B [--image=IMAGE] [--gpu=auto|true|false]
#     [--machineType=T] [--dryRun=true] [<command flags> ...]
# Submits one symmim command to Dataflow through bin/symmim with --runner=DataflowRunner. The job's jars
# are the pipelines' runtime classpath, staged by the runner. Every command runs there with gs:// paths:
# pretrain commits its checkpoints to a gs:// --output (and resumes from it when resubmitted), evaluate
# writes its metrics and report to a gs:// --output, embed loads a gs:// --checkpoint on every worker.
#
#   --project, --region     the GCP project and Dataflow region (or GOOGLE_CLOUD_PROJECT / DATAFLOW_REGION)
#   --bucket                gs://bucket[/prefix] for --tempLocation (BUCKET/tmp) and --stagingLocation (BUCKET/staging)
#   --image                 worker image (infra/dataflow/Dockerfile, pushed to Artifact Registry); becomes
#                           --sdkContainerImage; required with a GPU
#   --gpu                   auto (default: a GPU for embed; none for prepare and index),
#                           true or false. A GPU worker gets one NVIDIA L4 with its driver installed by Dataflow
#                           and a G2 machine (--machineType, default g2-standard-8)
#   --dryRun=true           print the command instead of running it
# Every other flag goes to the command (see 'bin/symmim help <command>'); paths must be gs:// since workers
# have no access to this machine's disk. Credentials: Application Default Credentials (gcloud auth
# application-default login, or a service account on the submitting VM).
#
# Example:
#   infra/dataflow/submit.sh prepare --project=my-proj --region=us-central1 --bucket=gs://my-bucket/symmim \
#     --input=gs://my-bucket/raw/fashion-mnist --output=gs://my-bucket/prepared/fmnist
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "submit.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: submit.sh <prepare|pretrain|embed|evaluate|index> --project=P --region=R --bucket=gs://B [--image=IMAGE] [flags]"
COMMAND="$1"
shift
case "$COMMAND" in
  prepare|index) GPU_DEFAULT=false ;;
  pretrain|embed|evaluate) GPU_DEFAULT=true ;;
  *) die "unknown command '$COMMAND': one of prepare, pretrain, embed, evaluate, index" ;;
esac

PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
REGION="${DATAFLOW_REGION:-}"
BUCKET=""
IMAGE=""
GPU=auto
MACHINE=""
DRY=false
PASS=()
for a in "$@"; do
  case "$a" in
    --project=*) PROJECT="${a#*=}" ;;
    --region=*) REGION="${a#*=}" ;;
    --bucket=*) BUCKET="${a#*=}" ;;
    --image=*) IMAGE="${a#*=}" ;;
    --gpu=*) GPU="${a#*=}" ;;
    --machineType=*) MACHINE="${a#*=}" ;;
    --dryRun=*) DRY="${a#*=}" ;;
    --runner=*) die "$a: the runner is DataflowRunner here (use bin/symmim for other runners)" ;;
    --*=*) PASS+=("$a") ;;
    *) die "flags are --name=value, got '$a'" ;;
  esac
done
[ -n "$PROJECT" ] || die "--project is required (or set GOOGLE_CLOUD_PROJECT)"
[ -n "$REGION" ] || die "--region is required (or set DATAFLOW_REGION), e.g. us-central1 (it must offer L4 GPUs for GPU jobs)"
[[ "$BUCKET" == gs://* ]] || die "--bucket=${BUCKET:-<unset>}: must be gs://bucket[/prefix] (temp and staging files go there)"
BUCKET="${BUCKET%/}"
case "$GPU" in
  auto) GPU="$GPU_DEFAULT" ;;
  true|false) ;;
  *) die "--gpu=$GPU: must be auto, true or false" ;;
esac
[ "$DRY" = true ] || [ "$DRY" = false ] || die "--dryRun=$DRY: must be true or false"
for a in "${PASS[@]+"${PASS[@]}"}"; do
  case "$a" in
    --checkpoint=gs://*) ;;  # downloaded once per worker JVM
    --checkpoint=*)
      # A local checkpoint is loaded by every worker from that path: it must exist there on this machine (the
      # plan reads it) and in the worker image (COPY it there in a Dockerfile built FROM infra/dataflow's).
      echo "submit.sh: note: $a is read from local disk by the launcher and by every worker (bake it into the image, or give the gs:// run directory)" >&2 ;;
    --input=*|--output=*|--data=*|--embeddings=*)
      [[ "${a#*=}" == gs://* ]] || die "$a: not gs://; Dataflow workers cannot read or write this machine's disk" ;;
  esac
done

ARGS=("$COMMAND" --runner=DataflowRunner "--project=$PROJECT" "--region=$REGION"
  "--tempLocation=$BUCKET/tmp" "--stagingLocation=$BUCKET/staging")
if [ "$GPU" = true ]; then
  [ -n "$IMAGE" ] || die "--image is required with a GPU: the worker image with CUDA libtorch (infra/dataflow/Dockerfile)"
  # Dataflow Runner v2 (needed for custom containers and GPUs); one L4 per worker, driver installed by Dataflow.
  ARGS+=("--experiments=use_runner_v2"
    "--dataflowServiceOptions=worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver"
    "--workerMachineType=${MACHINE:-g2-standard-8}")
  # --device stays auto: it picks the GPU on the workers ('gpu' is checked on this, GPU-less, launcher).
elif [ -n "$MACHINE" ]; then
  ARGS+=("--workerMachineType=$MACHINE")
fi
if [ -n "$IMAGE" ]; then
  ARGS+=("--sdkContainerImage=$IMAGE")
fi
ARGS+=("${PASS[@]+"${PASS[@]}"}")

if [ "$DRY" = true ]; then
  printf '%q ' "$HOME_DIR/bin/symmim" "${ARGS[@]}"
  echo
  exit 0
fi
exec "$HOME_DIR/bin/symmim" "${ARGS[@]}"
