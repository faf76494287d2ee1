#!/usr/bin/env bash
# Berth against CNCF Distribution on this machine, side by side in one run.
#   bench/compare.sh [--storage filesystem|s3|both] [--rounds N] [--only label,label] [--json FILE]
# Installs Distribution's registry when missing (Debian package docker-registry), starts it and
# Berth on free loopback ports with equivalent settings (filesystem storage in one folder on the
# same disk, in-memory descriptor cache, deletes enabled), runs the target suite against both in
# alternation, prints medians, ratios, CPU per operation and peak RSS, and stops both servers.
# With --storage s3 (or both, after the filesystem suite) it starts s3proxy (Maven Central, run
# from its own classpath, filesystem backend in the work folder) behind a relay that completes
# its answers for Distribution 2.8, points both registries at a bucket of it each (redirects off,
# so that the registries serve the bytes) and runs the "s3 ..." blob push and pull lines, whose
# names match the filesystem lines they sit beside.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need docker-registry docker-registry

storage=filesystem
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --storage) storage=$2; shift 2 ;;
        --storage=*) storage=${1#*=}; shift ;;
        *) args+=("$1"); shift ;;
    esac
done
case "$storage" in
    filesystem|s3|both) ;;
    *) echo "compare: --storage is filesystem, s3 or both, not $storage" >&2; exit 2 ;;
esac

bench_name=compare
. "$here/bench/common.sh"

# Stops what the last start_* started, so that the next pair has the machine to itself.
stop_started() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    pids=()
}

start_filesystem_pair() {
    dist_port=$(free_port)
    mkdir -p "$work/distribution" "$work/berth"
    cat > "$work/distribution.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/distribution
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$dist_port
  secret: compare-secret
YAML
    docker-registry serve "$work/distribution.yml" > "$work/distribution.log" 2>&1 &
    pids+=($!)
    dist_pid=$!

    berth_port=$(free_port)
    # Logging as Distribution's above: errors only, no access log.
    REGISTRY_LOG_LEVEL=error \
    REGISTRY_LOG_ACCESSLOG_DISABLED=true \
    REGISTRY_HTTP_ADDR=127.0.0.1:$berth_port \
    REGISTRY_HTTP_SECRET=compare-secret \
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=$work/berth \
    REGISTRY_STORAGE_DELETE_ENABLED=true \
        "$here/berth" serve > "$work/berth.log" 2>&1 &
    pids+=($!)
    berth_pid=$!
}

# s3proxy's classpath, resolved once by Maven from scripts/s3proxy/pom.xml (it cannot share Berth's).
s3proxy_classpath() {
    local file="$here/target/s3proxy.classpath"
    if [ ! -s "$file" ] || [ "$here/scripts/s3proxy/pom.xml" -nt "$file" ]; then
        mkdir -p "$here/target"
        mvn -q -B -f "$here/scripts/s3proxy/pom.xml" dependency:build-classpath -Dmdep.outputFile="$file" >&2
    fi
    cat "$file"
}

wait_port() {
    for _ in $(seq 1 300); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "compare: nothing listens on port $1" >&2
    return 1
}

start_s3_pair() {
    s3_port=$(free_port)
    # With the filesystem backend every folder of its base directory is a bucket.
    mkdir -p "$work/s3/berth" "$work/s3/distribution"
    cat > "$work/s3proxy.properties" <<PROPERTIES
s3proxy.endpoint=http://127.0.0.1:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=compare
s3proxy.credential=compare-credential
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3
jclouds.identity=compare
jclouds.credential=compare-credential
PROPERTIES
    cat > "$work/s3proxy-logback.xml" <<XML
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender"><encoder><pattern>%msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
XML
    "$JAVA_HOME/bin/java" -Xmx1g -Dlogback.configurationFile="$work/s3proxy-logback.xml" -cp "$(s3proxy_classpath)" \
        org.gaul.s3proxy.Main --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
    pids+=($!)
    s3_pid=$!
    wait_port "$s3_port"
    # Both registries reach s3proxy through the same relay, which completes the ListParts answers
    # Distribution 2.8 needs (see berth bench s3-relay --help): the same extra hop for both.
    relay_port=$(free_port)
    "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx256m -jar "$here/target/berth.jar" bench s3-relay \
        --listen "$relay_port" --to "http://127.0.0.1:$s3_port" > "$work/s3-relay.log" 2>&1 &
    pids+=($!)
    wait_port "$relay_port"

    dist_port=$(free_port)
    cat > "$work/distribution-s3.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  s3:
    region: us-east-1
    regionendpoint: http://127.0.0.1:$relay_port
    bucket: distribution
    accesskey: compare
    secretkey: compare-credential
    secure: false
    v4auth: true
  redirect:
    disable: true
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$dist_port
  secret: compare-secret
YAML
    # Its AWS SDK refuses a custom CA bundle with its own HTTP transport; the endpoint is plain HTTP anyway.
    env -u AWS_CA_BUNDLE docker-registry serve "$work/distribution-s3.yml" > "$work/distribution-s3.log" 2>&1 &
    pids+=($!)
    dist_pid=$!

    # A writer buffers one S3 part (storage.s3.chunksize, 10 MiB) in the heap: more heap than the
    # launcher's filesystem default, for the concurrent pushes. Cache and logging as Distribution's.
    berth_port=$(free_port)
    JAVA_OPTS="${BERTH_S3_JAVA_OPTS:--XX:+UseSerialGC -Xms64m -Xmx256m -XX:MaxDirectMemorySize=64m}" \
    REGISTRY_HTTP_ADDR=127.0.0.1:$berth_port \
    REGISTRY_HTTP_SECRET=compare-secret \
    REGISTRY_STORAGE=s3 \
    REGISTRY_STORAGE_S3_REGION=us-east-1 \
    REGISTRY_STORAGE_S3_REGIONENDPOINT=http://127.0.0.1:$relay_port \
    REGISTRY_STORAGE_S3_BUCKET=berth \
    REGISTRY_STORAGE_S3_ACCESSKEY=compare \
    REGISTRY_STORAGE_S3_SECRETKEY=compare-credential \
    REGISTRY_STORAGE_REDIRECT_DISABLE=true \
    REGISTRY_STORAGE_DELETE_ENABLED=true \
    REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=inmemory \
    REGISTRY_LOG_LEVEL=error \
    REGISTRY_LOG_ACCESSLOG_DISABLED=true \
        "$here/berth" serve > "$work/berth-s3.log" 2>&1 &
    pids+=($!)
    berth_pid=$!
}

run_suite() {
    wait_ready "$dist_port" || { tail -5 "$work"/distribution*.log >&2; return 1; }
    wait_ready "$berth_port" || { tail -5 "$work"/berth*.log >&2; return 1; }
    echo "compare: $1 storage; distribution $(docker-registry --version 2>&1 | head -1) pid $dist_pid port $dist_port;" \
        "berth pid $berth_pid port $berth_port; $(nproc) cores; $work"
    "$JAVA_HOME/bin/java" -jar "$here/target/berth.jar" bench compare --suite "$1" \
        --berth "http://127.0.0.1:$berth_port" --berth-pid "$berth_pid" \
        --distribution "http://127.0.0.1:$dist_port" --distribution-pid "$dist_pid" \
        --data-dir "$work" ${args[@]+"${args[@]}"}
}

status=0
if [ "$storage" != s3 ]; then
    start_filesystem_pair
    run_suite filesystem || status=$?
    stop_started
fi
if [ "$storage" != filesystem ]; then
    start_s3_pair
    run_suite s3 || status=$?
    stop_started
fi
exit "$status"
