#!/usr/bin/env bash
# What authentication costs on the hot read path, in one run: blob HEADs on kept-alive connections
# against Berth without auth, with htpasswd (Basic on every request, bcrypt cost 10) and with
# htpasswd plus its token server (a bearer token from /auth/token), side by side, as ratios to the
# one without; then the same for Distribution's registry without auth and with htpasswd.
#   bench/auth.sh [--rounds N] [--duration 10s] [--concurrency 16,64] [--no-distribution]
# Extra options go to `berth bench targets`. Installs apache2-utils (htpasswd) and docker-registry
# when missing, starts every registry on a free loopback port with filesystem storage in a temp
# folder, and stops every process it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need htpasswd apache2-utils

distribution=yes
args=()
for arg in "$@"; do
    case "$arg" in
        --no-distribution) distribution=no ;;
        *) args+=("$arg") ;;
    esac
done
[ "$distribution" = no ] || need docker-registry docker-registry

bench_name=auth
. "$here/bench/common.sh"

user=bench
password=bench-secret
htpasswd -Bbn -C 10 "$user" "$password" > "$work/htpasswd"

berths=()
start_berth() {
    local name=$1 credentials=""
    shift
    # Logging as in compare.sh: errors only, no access log, the same for all.
    serve_berth "$name" "" REGISTRY_LOG_LEVEL=error REGISTRY_LOG_ACCESSLOG_DISABLED=true "$@"
    [ $# -eq 0 ] || credentials="$user:$password@"
    berths+=(--target "$name=http://${credentials}127.0.0.1:$server_port=$server_pid")
}
start_berth none
start_berth basic REGISTRY_AUTH_HTPASSWD_PATH="$work/htpasswd"
start_berth bearer REGISTRY_AUTH_HTPASSWD_PATH="$work/htpasswd" REGISTRY_AUTH_TOKENSERVER_ENABLED=true

dists=()
start_distribution() {
    local name=$1 auth=$2 port credentials=""
    port=$(free_port)
    mkdir -p "$work/$name"
    cat > "$work/$name.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/$name
  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: auth-bench-secret
$auth
YAML
    docker-registry serve "$work/$name.yml" > "$work/$name.log" 2>&1 &
    pids+=($!)
    [ -z "$auth" ] || credentials="$user:$password@"
    dists+=(--target "$name=http://${credentials}127.0.0.1:$port=$!")
    wait_ready "$port" || { tail -5 "$work/$name.log" >&2; return 1; }
}
if [ "$distribution" = yes ]; then
    start_distribution dist-none ""
    start_distribution dist-basic "auth:
  htpasswd:
    realm: bench
    path: $work/htpasswd"
fi

echo "auth bench: htpasswd bcrypt cost 10; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $work"
# The same concurrency and duration for every registry; defaults unless given.
defaults=()
[[ " ${args[*]-} " == *" --duration"* ]] || defaults+=(--duration 10s)
[[ " ${args[*]-} " == *" --concurrency"* ]] || defaults+=(--concurrency 16)
bench() {
    "$JAVA_HOME/bin/java" -jar "$here/target/berth.jar" bench targets --scenario head-blob \
        "${defaults[@]}" "$@" ${args[@]+"${args[@]}"}
}
status=0
bench "${berths[@]}" || status=$?
if [ "$distribution" = yes ]; then
    bench "${dists[@]}" || status=$?
fi
exit "$status"
