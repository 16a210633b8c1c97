#!/usr/bin/env bash
# gcs-server.sh [--port=4443] [--faultRate=0] [--faultSeed=0] [--quiet]
# Runs the test GCS JSON-API server (testing/gcs-server) in the foreground on 127.0.0.1, objects in
# memory; buckets are created through the API or on first write. Point any bin/symmim command at it
# with --gcsEndpoint=http://127.0.0.1:PORT/storage/v1/ and gs:// paths. Builds the jar when missing.
set -euo pipefail
HOME_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TARGET="$HOME_DIR/testing/gcs-server/target"
if ! ls "$TARGET"/symmim-gcs-server-*.jar >/dev/null 2>&1 || [ ! -f "$TARGET/classpath.txt" ]; then
  echo "gcs-server: building (first run)..." >&2
  (cd "$HOME_DIR" && mvn -q -B -DskipTests -pl testing/gcs-server -am package) >&2
fi
JAR="$(ls "$TARGET"/symmim-gcs-server-*.jar | grep -v -e sources -e tests | head -n 1)"
exec java ${GCS_SERVER_JAVA_OPTS:-} -cp "$JAR:$(cat "$TARGET/classpath.txt")" dev.symmim.testing.gcs.GcsServer "$@"
