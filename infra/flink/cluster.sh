#!/usr/bin/env bash
# infra/flink/cluster.sh start|stop|status: a standalone Flink 1.19 session cluster on this machine,
# a JobManager and a TaskManager in separate JVMs, REST on 127.0.0.1:8081 (FLINK_REST_PORT).
# The jars come from Maven (infra/flink/pom.xml; flink-dist is not served); state, logs and pid
# files live in FLINK_CLUSTER_DIR (default infra/flink/target/cluster).
#
#   infra/flink/cluster.sh start      # returns once the REST API answers and a TaskManager has registered
#   bin/symmim prepare --runner=FlinkRunner --flinkMaster=localhost:8081 --input=... --output=...
#   infra/flink/cluster.sh stop
#
# Settings (environment): FLINK_REST_PORT (8081), FLINK_RPC_PORT (6123), FLINK_SLOTS (2),
# FLINK_TM_HEAP_MB (1536, the TaskManager's -Xmx), FLINK_JM_MEMORY (1024m), FLINK_START_TIMEOUT (90 s).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR="${FLINK_CLUSTER_DIR:-$HERE/target/cluster}"
LIB="$HERE/target/lib"
REST_PORT="${FLINK_REST_PORT:-8081}"
RPC_PORT="${FLINK_RPC_PORT:-6123}"
SLOTS="${FLINK_SLOTS:-2}"
TM_HEAP_MB="${FLINK_TM_HEAP_MB:-1536}"
TM_TASK_HEAP="$((TM_HEAP_MB - 128))m"
JM_MEMORY="${FLINK_JM_MEMORY:-1024m}"
TIMEOUT="${FLINK_START_TIMEOUT:-90}"
# Kryo and Beam's coders reflect into the JDK on Java 17 (the same set as bin/symmim).
OPENS=(--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED)

die() { echo "cluster.sh: $*" >&2; exit 1; }

jars() {
  if [ ! -f "$LIB/flink-runtime-1.19.0.jar" ] || [ ! -f "$LIB/pytorch-engine-0.36.0.jar" ]; then
    echo "cluster.sh: resolving the Flink jars (mvn -f infra/flink/pom.xml dependency:copy-dependencies)..." >&2
    mvn -B -ntp -q -f "$HERE/pom.xml" dependency:copy-dependencies >&2
  fi
  [ -f "$LIB/flink-runtime-1.19.0.jar" ] || die "no $LIB/flink-runtime-1.19.0.jar after mvn dependency:copy-dependencies"
}

alive() { [ -f "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

config() {
  mkdir -p "$DIR/conf" "$DIR/log" "$DIR/tmp"
  cat >"$DIR/conf/flink-conf.yaml" <<EOF
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: 127.0.0.1
jobmanager.memory.process.size: $JM_MEMORY
taskmanager.host: localhost
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: $SLOTS
# Flink's own start scripts derive these from the process size and pass them as -D flags; a
# TaskManager started directly needs them set (together FLINK_TM_HEAP_MB of heap + 1024m off-heap, metaspace and overhead).
taskmanager.cpu.cores: $SLOTS
taskmanager.memory.task.heap.size: $TM_TASK_HEAP
taskmanager.memory.task.off-heap.size: 64m
taskmanager.memory.network.min: 256m
taskmanager.memory.network.max: 256m
taskmanager.memory.managed.size: 128m
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.framework.off-heap.size: 128m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 192m
taskmanager.memory.jvm-overhead.max: 192m
parallelism.default: $SLOTS
rest.address: localhost
rest.bind-address: 127.0.0.1
rest.port: $REST_PORT
blob.server.port: 0
io.tmp.dirs: $DIR/tmp
classloader.check-leaked-classloader: false
# DJL (and the PyTorch natives it loads once per JVM) from the cluster's lib, not from each job's jars.
classloader.parent-first-patterns.additional: ai.djl.
EOF
}

# $1 = name, $2 = main class, $3 = heap; the rest are the main class's arguments.
launch() {
  local name="$1" main="$2" heap="$3"
  shift 3
  nohup java -Xmx"$heap" -Xms"$heap" "${OPENS[@]}" -Dlog.file="$DIR/log/$name.log" -Dai.djl.offline=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=info -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$LIB/*" "$main" --configDir "$DIR/conf" "$@" >"$DIR/log/$name.out" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

start() {
  if alive jobmanager || alive taskmanager; then
    die "already running (pids in $DIR); 'cluster.sh stop' first"
  fi
  if curl -s -o /dev/null "http://127.0.0.1:$REST_PORT/overview"; then
    die "port $REST_PORT already answers: another Flink (or something else) is running there"
  fi
  command -v curl >/dev/null || die "needs curl"
  jars
  config
  local t0=$SECONDS
  launch jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint 768m
  launch taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "${TM_HEAP_MB}m"
  # Ready = the REST API answers and reports a registered TaskManager with free slots.
  local overview="" name
  while [ $((SECONDS - t0)) -lt "$TIMEOUT" ]; do
    for name in jobmanager taskmanager; do
      alive "$name" || { tail -n 30 "$DIR/log/$name.out" >&2; stop >/dev/null 2>&1 || true; die "the $name exited during start (log: $DIR/log/$name.out)"; }
    done
    overview="$(curl -s "http://127.0.0.1:$REST_PORT/overview" || true)"
    if [[ "$overview" =~ \"taskmanagers\":([1-9]) ]] && [[ "$overview" =~ \"slots-available\":([1-9]) ]]; then
      echo "cluster.sh: Flink 1.19.0 up in $((SECONDS - t0)) s: REST http://localhost:$REST_PORT ($overview)"
      echo "cluster.sh: submit with --runner=FlinkRunner --flinkMaster=localhost:$REST_PORT; logs in $DIR/log"
      return 0
    fi
    sleep 1
  done
  tail -n 30 "$DIR/log/jobmanager.out" "$DIR/log/taskmanager.out" >&2 || true
  stop >/dev/null 2>&1 || true
  die "no TaskManager registered within $TIMEOUT s (last overview: ${overview:-none})"
}

stop() {
  local any=0 name
  for name in taskmanager jobmanager; do
    if alive "$name"; then
      local pid
      pid="$(cat "$DIR/$name.pid")"
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
      echo "cluster.sh: stopped the $name (pid $pid)"
      any=1
    fi
    rm -f "$DIR/$name.pid"
  done
  [ "$any" = 1 ] || echo "cluster.sh: not running"
}

status() {
  local name
  for name in jobmanager taskmanager; do
    if alive "$name"; then echo "$name: running (pid $(cat "$DIR/$name.pid"))"; else echo "$name: stopped"; fi
  done
  curl -s "http://127.0.0.1:$REST_PORT/overview" && echo
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: cluster.sh start|stop|status" ;;
esac
