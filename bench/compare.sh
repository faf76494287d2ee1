#!/usr/bin/env bash
# Berth against CNCF Distribution on this machine, side by side in one run.
#   bench/compare.sh [--rounds N] [--only label,label] [--json FILE]
# Installs Distribution's registry when missing (Debian package docker-registry), starts it and
# Berth on free loopback ports with equivalent settings (filesystem storage in one folder on the
# same disk, in-memory descriptor cache, deletes enabled), runs the target suite against both in
# alternation, prints medians, ratios, CPU per operation and peak RSS, and stops both servers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need docker-registry docker-registry

# Build the jar now, so that its build is not measured as part of Berth's start.
"$here/berth" --version >/dev/null

work=$(mktemp -d "${BERTH_BENCH_DIR:-/var/tmp}/berth-compare.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

wait_ready() {
    for _ in $(seq 1 100); do
        if curl -fsS "http://127.0.0.1:$1/v2/" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "compare: nothing answers on port $1" >&2
    return 1
}

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

wait_ready "$dist_port"
wait_ready "$berth_port"
echo "compare: distribution $(docker-registry --version 2>&1 | head -1) pid $dist_pid port $dist_port; berth pid $berth_pid port $berth_port; $(nproc) cores; $work"

"$JAVA_HOME/bin/java" -jar "$here/target/berth.jar" bench compare \
    --berth "http://127.0.0.1:$berth_port" --berth-pid "$berth_pid" \
    --distribution "http://127.0.0.1:$dist_port" --distribution-pid "$dist_pid" \
    --data-dir "$work" "$@"
