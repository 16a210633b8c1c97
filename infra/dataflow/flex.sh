#!/usr/bin/env bash
# infra/dataflow/flex.sh: build and run symmim's Dataflow Flex Templates, one per stage that runs as one job
# (prepare, pretrain, embed, evaluate, index).
#
#   flex.sh build <stage|all> --project=P --region=R --bucket=gs://B[/prefix]
#       [--repository=REGION-docker.pkg.dev/P/symmim] [--tag=VERSION] [--skipBuild=true] [--dryRun=true]
#   flex.sh run <stage> --project=P --region=R --bucket=gs://B[/prefix] [--jobName=NAME]
#       [--image=WORKER_IMAGE] [--gpu=auto|true|false] [--machineType=T] [--dryRun=true] [<stage flags> ...]
#
# build: builds the jars (mvn -DskipTests package), copies the pipelines jar and its runtime classpath
#   (pipelines/target/classpath.txt) into pipelines/target/flex-jars/, then per stage
#   'gcloud dataflow flex-template build gs://B/templates/<stage>.json': Cloud Build makes the launcher image
#   REPOSITORY/symmim-flex-<stage>:TAG from Google's Java 17 launcher base image with those jars in /template
#   (gcloud's own Dockerfile; FLEX_TEMPLATE_JAVA_CLASSPATH=/template/*) and
#   FLEX_TEMPLATE_JAVA_MAIN_CLASS=dev.symmim.pipelines.flex.<Stage>Template, and writes the template file with
#   infra/dataflow/metadata/<stage>.json (the stage's flags, generated from its options) and default
#   staging/temp locations under the bucket. The Artifact Registry repository must exist
#   (gcloud artifacts repositories create symmim --repository-format=docker --location=R).
# run: 'gcloud dataflow flex-template run' of gs://B/templates/<stage>.json; every other --name=value flag is
#   one of the stage's template parameters (checked against its metadata; see 'bin/symmim help <stage>').
#   GPU jobs (--gpu=auto: pretrain, embed, evaluate; as infra/dataflow/submit.sh) need --image, the worker image
#   (infra/dataflow/Dockerfile), and get Runner v2, one NVIDIA L4 per worker and a G2 machine (--machineType).
# --dryRun=true prints the commands instead of running them (no gcloud, no build needed).
# A bad argument ends the script with one line on stderr and exit status 2.
#
# Examples:
#   infra/dataflow/flex.sh build all --project=my-proj --region=us-central1 --bucket=gs://my-bucket/symmim
#   infra/dataflow/flex.sh run prepare --project=my-proj --region=us-central1 --bucket=gs://my-bucket/symmim \
#     --input=gs://my-bucket/raw/fashion-mnist --output=gs://my-bucket/prepared/fmnist
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
METADATA_DIR="$HOME_DIR/infra/dataflow/metadata"
JAR_DIR="$HOME_DIR/pipelines/target"
STAGED="$JAR_DIR/flex-jars"

die() { echo "flex.sh: $*" >&2; exit 2; }
USAGE="usage: flex.sh build <stage|all> | run <stage> --project=P --region=R --bucket=gs://B [--dryRun=true] [flags]"

# The stages are the templates whose metadata is committed (FlexTemplateMetadataTest keeps one per entry point).
STAGES=()
for f in "$METADATA_DIR"/*.json; do STAGES+=("$(basename "$f" .json)"); done

# The entry point a stage's metadata names (its description: "Runs `symmim <stage>` (<main class>) ...").
main_class() {
  grep -o 'dev\.symmim\.pipelines\.flex\.[A-Za-z]*Template' "$METADATA_DIR/$1.json" | head -n 1
}

# "name optional" per parameter of a stage's metadata (the generated JSON has one field per line).
parameters() {
  sed -n -e 's/^ *"name" : "\([^"]*\)",$/\1/p' -e 's/^ *"isOptional" : \(true\|false\).*/\1/p' "$METADATA_DIR/$1.json" \
    | sed -n '2,$p' | paste -d ' ' - -
}

[ $# -ge 1 ] || die "$USAGE"
ACTION="$1"
shift
case "$ACTION" in
  build|run) ;;
  *) die "unknown action '$ACTION'; $USAGE" ;;
esac
ALL=""
[ "$ACTION" = build ] && ALL=" or all"
[ $# -ge 1 ] && [[ "$1" != --* ]] || die "$ACTION needs a stage: one of ${STAGES[*]}$ALL"
STAGE="$1"
shift
if [ "$ACTION" = build ] && [ "$STAGE" = all ]; then
  SELECTED=("${STAGES[@]}")
elif [ -f "$METADATA_DIR/$STAGE.json" ]; then
  SELECTED=("$STAGE")
else
  die "unknown stage '$STAGE': one of ${STAGES[*]}$ALL"
fi

PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
REGION="${DATAFLOW_REGION:-}"
BUCKET=""
REPOSITORY=""
TAG=""
SKIP_BUILD=false
JOB_NAME=""
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
    --dryRun=*) DRY="${a#*=}" ;;
    --repository=*) [ "$ACTION" = build ] || die "$a: a build flag"; REPOSITORY="${a#*=}" ;;
    --tag=*) [ "$ACTION" = build ] || die "$a: a build flag"; TAG="${a#*=}" ;;
    --skipBuild=*) [ "$ACTION" = build ] || die "$a: a build flag"; SKIP_BUILD="${a#*=}" ;;
    --jobName=*) [ "$ACTION" = run ] || die "$a: a run flag"; JOB_NAME="${a#*=}" ;;
    --image=*) [ "$ACTION" = run ] || die "$a: a run flag (the worker image)"; IMAGE="${a#*=}" ;;
    --gpu=*) [ "$ACTION" = run ] || die "$a: a run flag"; GPU="${a#*=}" ;;
    --machineType=*) [ "$ACTION" = run ] || die "$a: a run flag"; MACHINE="${a#*=}" ;;
    --runner=*) die "$a: a Flex Template always runs on Dataflow" ;;
    --*=*) [ "$ACTION" = run ] || die "$a: build takes no stage flags (give them to 'flex.sh run')"; PASS+=("$a") ;;
    *) die "flags are --name=value, got '$a'" ;;
  esac
done
[ -n "$PROJECT" ] || die "--project is required (or set GOOGLE_CLOUD_PROJECT)"
[ -n "$REGION" ] || die "--region is required (or set DATAFLOW_REGION), e.g. us-central1 (it must offer L4 GPUs for GPU jobs)"
[[ "$BUCKET" == gs://?* ]] || die "--bucket=${BUCKET:-<unset>}: must be gs://bucket[/prefix] (templates, staging and temp files go there)"
BUCKET="${BUCKET%/}"
[ "$DRY" = true ] || [ "$DRY" = false ] || die "--dryRun=$DRY: must be true or false"
[ "$SKIP_BUILD" = true ] || [ "$SKIP_BUILD" = false ] || die "--skipBuild=$SKIP_BUILD: must be true or false"

# Prints the command (dry run) or runs it.
step() {
  if [ "$DRY" = true ]; then
    printf '%q ' "$@"
    echo
  else
    "$@"
  fi
}

if [ "$DRY" = false ]; then
  command -v gcloud >/dev/null || die "gcloud is not on the PATH (Google Cloud SDK); --dryRun=true prints the commands"
fi

if [ "$ACTION" = build ]; then
  VERSION="$(sed -n 's|^  <version>\(.*\)</version>$|\1|p' "$HOME_DIR/pom.xml" | head -n 1)"
  [ -n "$VERSION" ] || die "cannot read the project version from $HOME_DIR/pom.xml"
  REPOSITORY="${REPOSITORY:-$REGION-docker.pkg.dev/$PROJECT/symmim}"
  TAG="${TAG:-$VERSION}"
  [[ "$TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "--tag=$TAG: not a Docker tag"
  if [ "$SKIP_BUILD" = false ]; then
    step mvn -B -q -f "$HOME_DIR/pom.xml" -DskipTests package
  fi
  # The launcher's classpath is bin/symmim's: the pipelines jar, then its runtime classpath with the sibling
  # modules' jars from this checkout's target/ directories (what the build just made).
  if [ "$DRY" = true ]; then
    echo "# copy $JAR_DIR/symmim-pipelines-$VERSION.jar and the jars of $JAR_DIR/classpath.txt into $STAGED/"
  else
    [ -f "$JAR_DIR/classpath.txt" ] && [ -f "$JAR_DIR/symmim-pipelines-$VERSION.jar" ] \
      || die "$JAR_DIR has no symmim-pipelines-$VERSION.jar and classpath.txt: build without --skipBuild=true"
    rm -rf "$STAGED"
    mkdir -p "$STAGED"
    cp "$JAR_DIR/symmim-pipelines-$VERSION.jar" "$STAGED/"
    IFS=":" read -r -a ENTRIES < "$JAR_DIR/classpath.txt" || true
    for entry in "${ENTRIES[@]}"; do
      case "$entry" in
        */dev/symmim/symmim-*)
          name="$(basename "$entry")"
          for module in schemas model transforms testing/gcs-server; do
            if [ -f "$HOME_DIR/$module/target/$name" ]; then entry="$HOME_DIR/$module/target/$name"; break; fi
          done ;;
      esac
      cp "$entry" "$STAGED/"
    done
    echo "flex.sh: $(ls "$STAGED" | wc -l) jars in $STAGED" >&2
  fi
  for s in "${SELECTED[@]}"; do
    MAIN="$(main_class "$s")"
    [ -n "$MAIN" ] || die "$METADATA_DIR/$s.json names no entry point (regenerate it: see infra/README.md)"
    # --jar with a directory: gcloud copies it into the build context and the image gets its jars in /template/.
    step gcloud dataflow flex-template build "$BUCKET/templates/$s.json" \
      "--project=$PROJECT" \
      "--image-gcr-path=$REPOSITORY/symmim-flex-$s:$TAG" \
      --sdk-language=JAVA \
      --flex-template-base-image=JAVA17 \
      "--metadata-file=$METADATA_DIR/$s.json" \
      "--jar=$STAGED" \
      "--env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=$MAIN" \
      "--staging-location=$BUCKET/staging" \
      "--temp-location=$BUCKET/tmp"
  done
  exit 0
fi

# run: the stage flags are the template's parameters.
declare -A OPTIONAL=()
while read -r name optional; do
  OPTIONAL[$name]="$optional"
done < <(parameters "$STAGE")
declare -A GIVEN=()
for a in "${PASS[@]+"${PASS[@]}"}"; do
  name="${a%%=*}"
  name="${name#--}"
  value="${a#*=}"
  [ -n "${OPTIONAL[$name]+x}" ] || die "--$name: not a parameter of the $STAGE template (its flags: 'bin/symmim help $STAGE', or $METADATA_DIR/$STAGE.json)"
  [ -z "${GIVEN[$name]+x}" ] || die "--$name is given twice; give it once"
  GIVEN[$name]="$value"
  case "$name" in
    input|output|data|embeddings|checkpoint)
      [[ "$value" == gs://* ]] || die "$a: not gs://; the launcher and the Dataflow workers cannot read this machine's disk" ;;
  esac
done
for name in "${!OPTIONAL[@]}"; do
  if [ "${OPTIONAL[$name]}" = false ] && [ -z "${GIVEN[$name]+x}" ]; then
    die "--$name is required by the $STAGE template (see 'bin/symmim help $STAGE')"
  fi
done
case "$STAGE" in
  prepare|index) GPU_DEFAULT=false ;;
  *) GPU_DEFAULT=true ;;
esac
case "$GPU" in
  auto) GPU="$GPU_DEFAULT" ;;
  true|false) ;;
  *) die "--gpu=$GPU: must be auto, true or false" ;;
esac
JOB_NAME="${JOB_NAME:-symmim-$STAGE-$(date -u +%Y%m%d-%H%M%S)}"
[[ "$JOB_NAME" =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]] || die "--jobName=$JOB_NAME: lowercase letters, digits and '-', starting with a letter"

ARGS=(gcloud dataflow flex-template run "$JOB_NAME"
  "--project=$PROJECT" "--region=$REGION"
  "--template-file-gcs-location=$BUCKET/templates/$STAGE.json"
  "--staging-location=$BUCKET/staging" "--temp-location=$BUCKET/tmp")
OPTIONS=()
if [ "$GPU" = true ]; then
  [ -n "$IMAGE" ] || die "--image is required with a GPU: the worker image with CUDA libtorch (infra/dataflow/Dockerfile)"
  # Runner v2 (custom containers, GPUs); one L4 per worker on a G2 machine, its driver installed by Dataflow.
  ARGS+=("--additional-experiments=use_runner_v2" "--worker-machine-type=${MACHINE:-g2-standard-8}")
  OPTIONS+=("dataflowServiceOptions=worker_accelerator=type:nvidia-l4;count:1;install-nvidia-driver")
elif [ -n "$MACHINE" ]; then
  ARGS+=("--worker-machine-type=$MACHINE")
fi
if [ -n "$IMAGE" ]; then
  OPTIONS+=("sdkContainerImage=$IMAGE")
fi
if [ ${#OPTIONS[@]} -gt 0 ]; then
  ARGS+=("--additional-pipeline-options=$(IFS=,; echo "${OPTIONS[*]}")")
fi
for a in "${PASS[@]+"${PASS[@]}"}"; do
  value="${a#*=}"
  parameter="${a#--}"
  if [[ "$value" == *,* ]]; then
    # gcloud splits --parameters on commas; '^D^' makes D the separator instead (gcloud topic escaping).
    delimiter=""
    for d in '~' '|' '#' '@' '%'; do
      if [[ "$value" != *"$d"* ]]; then delimiter="$d"; break; fi
    done
    [ -n "$delimiter" ] || die "$a: the value holds commas and every separator gcloud could use instead"
    parameter="^$delimiter^$parameter"
  fi
  ARGS+=("--parameters=$parameter")
done
step "${ARGS[@]}"
