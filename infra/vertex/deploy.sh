#!/usr/bin/env bash
# infra/vertex/deploy.sh --embeddings=gs://B/P --project=P --region=R [--displayName=NAME] [--endpoint=ENDPOINT]
#     [--machineType=T] [--replicas=1] [--waitMinutes=120] [--dryRun=true]
# Serves a 'symmim embed' output directory with Vertex AI Vector Search, in three gcloud steps:
#   1. gcloud ai indexes create: a batch index over <embeddings>/vertex, configured by the
#      <embeddings>/vertex-index-metadata.json that embed wrote (dimensions, DOT_PRODUCT_DISTANCE on
#      UNIT_L2_NORM vectors = our cosine, tree-AH), its contentsDeltaUri set to <embeddings>/vertex;
#      then waits for the build (tens of minutes).
#   2. gcloud ai index-endpoints create: a public endpoint (skipped with --endpoint).
#   3. gcloud ai index-endpoints deploy-index: deploys the index there; then waits for the deployment.
#
#   --embeddings        the gs:// directory of 'symmim embed --output=gs://...' (or a local run copied there with
#                       gcloud storage cp -r): Vertex AI reads the vectors from Cloud Storage only
#   --project, --region the GCP project and Vertex AI region (or GOOGLE_CLOUD_PROJECT / VERTEX_REGION); keep the
#                       bucket in that region
#   --displayName       of the index (default symmim-<last path part of --embeddings>); the endpoint is
#                       <displayName>-endpoint, the deployed index id the display name with [^A-Za-z0-9_] -> _
#   --endpoint          an existing index endpoint (id or projects/.../indexEndpoints/ID), e.g. a VPC or Private
#                       Service Connect one you made; default: create a public one
#   --machineType       of the deployment (default: Vertex's for the index's shardSize, e.g. e2-standard-2 for
#                       SHARD_SIZE_SMALL); --replicas: min = max replica count (default 1)
#   --waitMinutes       how long to wait for the build and for the deployment, each (default 120)
#   --dryRun=true       print the commands instead of running them (gcloud is not needed)
# Credentials: gcloud's (gcloud auth login, or a service account); the Vertex AI API must be enabled.
#
# Example:
#   infra/vertex/deploy.sh --embeddings=gs://my-bucket/symmim/embeddings-run --project=my-proj --region=us-central1
set -euo pipefail

die() { echo "deploy.sh: $*" >&2; exit 2; }
show() { printf '%q ' "$@"; echo; }

EMB=""
PROJECT="${GOOGLE_CLOUD_PROJECT:-}"
REGION="${VERTEX_REGION:-}"
NAME=""
ENDPOINT=""
MACHINE=""
REPLICAS=1
WAIT=120
DRY=false
POLL="${VERTEX_POLL_SECONDS:-60}"
for a in "$@"; do
  case "$a" in
    --embeddings=*) EMB="${a#*=}" ;;
    --project=*) PROJECT="${a#*=}" ;;
    --region=*) REGION="${a#*=}" ;;
    --displayName=*) NAME="${a#*=}" ;;
    --endpoint=*) ENDPOINT="${a#*=}" ;;
    --machineType=*) MACHINE="${a#*=}" ;;
    --replicas=*) REPLICAS="${a#*=}" ;;
    --waitMinutes=*) WAIT="${a#*=}" ;;
    --dryRun=*) DRY="${a#*=}" ;;
    --*=*) die "unknown flag ${a%%=*} (see the top of $0)" ;;
    *) die "flags are --name=value, got '$a'" ;;
  esac
done
[ -n "$EMB" ] || die "--embeddings is required: the gs:// directory written by 'symmim embed --output=gs://...'"
[[ "$EMB" == gs://?* ]] || die "--embeddings=$EMB: must be gs://bucket/path; Vertex AI reads the vectors from Cloud Storage only (copy a local directory there with gcloud storage cp -r)"
[[ "$EMB" != *[\"\\[:space:]]* ]] || die "--embeddings=$EMB: quotes, backslashes and spaces are not supported"
EMB="${EMB%/}"
[ -n "$PROJECT" ] || die "--project is required (or set GOOGLE_CLOUD_PROJECT)"
[ -n "$REGION" ] || die "--region is required (or set VERTEX_REGION), e.g. us-central1: the region of the bucket"
[[ "$REPLICAS" =~ ^[1-9][0-9]*$ ]] || die "--replicas=$REPLICAS: must be a positive integer"
[[ "$WAIT" =~ ^[1-9][0-9]*$ ]] || die "--waitMinutes=$WAIT: must be a positive integer"
[ "$DRY" = true ] || [ "$DRY" = false ] || die "--dryRun=$DRY: must be true or false"
NAME="${NAME:-symmim-${EMB##*/}}"
[ "${#NAME}" -le 128 ] || die "--displayName=$NAME: at most 128 characters"
# A deployed index id starts with a letter and holds only letters, digits and underscores.
DEPLOYED_ID="$(printf '%s' "$NAME" | tr -c 'A-Za-z0-9_' '_')"
[[ "$DEPLOYED_ID" == [A-Za-z]* ]] || DEPLOYED_ID="symmim_$DEPLOYED_ID"
DEPLOYED_ID="${DEPLOYED_ID:0:128}"

META_SRC="$EMB/vertex-index-metadata.json"
CONTENTS="$EMB/vertex"
WHERE=("--project=$PROJECT" "--region=$REGION")
DEPLOY_FLAGS=("--deployed-index-id=$DEPLOYED_ID" "--display-name=$NAME" "--min-replica-count=$REPLICAS"
  "--max-replica-count=$REPLICAS")
[ -z "$MACHINE" ] || DEPLOY_FLAGS+=("--machine-type=$MACHINE")

if [ "$DRY" = true ]; then
  META="/tmp/symmim-vertex/index_metadata.json"
  echo "# 1. the index, over $CONTENTS"
  show gcloud storage cp "$META_SRC" "$META"
  echo "# set contentsDeltaUri in $META to $CONTENTS"
  show gcloud ai indexes create "--display-name=$NAME" "--metadata-file=$META" "${WHERE[@]}" "--format=value(name)"
  echo "# prints projects/.../indexes/INDEX_ID/operations/OPERATION_ID; wait until this prints True:"
  show gcloud ai operations describe OPERATION_ID --index=INDEX_ID "${WHERE[@]}" "--format=value(done)"
  echo "# 2. the endpoint"
  if [ -n "$ENDPOINT" ]; then
    echo "# --endpoint=$ENDPOINT given: none created"
  else
    show gcloud ai index-endpoints create "--display-name=$NAME-endpoint" --public-endpoint-enabled "${WHERE[@]}" \
      "--format=value(name)"
    echo "# prints projects/.../indexEndpoints/ENDPOINT_ID"
  fi
  echo "# 3. the deployment"
  show gcloud ai index-endpoints deploy-index "${ENDPOINT:-ENDPOINT_ID}" --index=INDEX_ID "${DEPLOY_FLAGS[@]}" \
    "${WHERE[@]}" "--format=value(name)"
  exit 0
fi

command -v gcloud >/dev/null || die "gcloud not found on PATH (install the Google Cloud SDK, or use --dryRun=true)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
META="$WORK/index_metadata.json"

# Waits for operation $1 (a full operation name) under $2 (--index=ID or --index-endpoint=ID); $3 says what it is.
wait_for() {
  local op="${1##*/}" deadline=$((SECONDS + WAIT * 60)) finished error
  while :; do
    finished="$(gcloud ai operations describe "$op" "$2" "${WHERE[@]}" "--format=value(done)")"
    if [ "$finished" = True ] || [ "$finished" = true ]; then
      error="$(gcloud ai operations describe "$op" "$2" "${WHERE[@]}" "--format=value(error.message)")"
      [ -z "$error" ] || { echo "deploy.sh: $3 failed: $error" >&2; exit 1; }
      return 0
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "deploy.sh: $3 not done after $WAIT min; follow it with: gcloud ai operations describe $op $2 ${WHERE[*]}" >&2
      exit 1
    fi
    sleep "$POLL"
  done
}

gcloud storage cp "$META_SRC" "$META" \
  || die "$META_SRC: cannot copy it (is $EMB a 'symmim embed' output, written since the file exists?)"
ESCAPED="$(printf '%s' "$CONTENTS" | sed -e 's/[|&\\]/\\&/g')"
sed -i -E "s|\"contentsDeltaUri\"[[:space:]]*:[[:space:]]*\"[^\"]*\"|\"contentsDeltaUri\" : \"$ESCAPED\"|" "$META"
grep -qF "\"contentsDeltaUri\" : \"$CONTENTS\"" "$META" || die "$META_SRC: no contentsDeltaUri to point at $CONTENTS"

echo "deploy.sh: creating index '$NAME' over $CONTENTS"
OP="$(gcloud ai indexes create "--display-name=$NAME" "--metadata-file=$META" "${WHERE[@]}" "--format=value(name)")"
[[ "$OP" == */indexes/*/operations/* ]] || { echo "deploy.sh: unexpected answer from gcloud ai indexes create: $OP" >&2; exit 1; }
INDEX="${OP#*/indexes/}"
INDEX="${INDEX%%/*}"
echo "deploy.sh: index $INDEX is building (tens of minutes; waiting up to $WAIT min)"
wait_for "$OP" "--index=$INDEX" "building index $INDEX"

if [ -z "$ENDPOINT" ]; then
  ENDPOINT="$(gcloud ai index-endpoints create "--display-name=$NAME-endpoint" --public-endpoint-enabled "${WHERE[@]}" \
    "--format=value(name)")"
  [ -n "$ENDPOINT" ] || { echo "deploy.sh: gcloud ai index-endpoints create returned no endpoint name" >&2; exit 1; }
fi
ENDPOINT_ID="${ENDPOINT##*/}"
echo "deploy.sh: deploying index $INDEX to endpoint $ENDPOINT_ID as $DEPLOYED_ID (waiting up to $WAIT min)"
OP="$(gcloud ai index-endpoints deploy-index "$ENDPOINT_ID" "--index=$INDEX" "${DEPLOY_FLAGS[@]}" "${WHERE[@]}" \
  "--format=value(name)")"
wait_for "$OP" "--index-endpoint=$ENDPOINT_ID" "deploying index $INDEX to endpoint $ENDPOINT_ID"
echo "deploy.sh: deployed. Queries (findNeighbors, deployed index $DEPLOYED_ID) go to the host printed by:"
show gcloud ai index-endpoints describe "$ENDPOINT_ID" "${WHERE[@]}" "--format=value(publicEndpointDomainName)"
