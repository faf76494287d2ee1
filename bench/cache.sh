#!/usr/bin/env bash
# The descriptor cache's effect on the hot read path, in one run: Berth without a cache, with the
# in-memory cache and with the Redis cache, side by side, reported as ratios to the one without.
#   bench/cache.sh [--rounds N] [--count N] [--concurrency 16,64]
# Installs redis-server when missing (Debian package), starts it and three Berths on free loopback
# ports (filesystem storage in one folder on the same disk, deletes enabled), runs blob HEAD and
# manifest HEAD/GET by digest against each in alternation, prints medians and ratios, stops them all.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need redis-server redis-server

bench_name=cache
. "$here/bench/common.sh"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no > "$work/redis.log" 2>&1 &
pids+=($!)
redis_pid=$!

targets=()
start_berth() {
    serve_berth "$1" "" "${@:2}"
    targets+=(--target "$1=http://127.0.0.1:$server_port=$server_pid")
}
start_berth none
start_berth inmemory REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=inmemory
start_berth redis REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=redis REGISTRY_REDIS_ADDR="127.0.0.1:$redis_port"
echo "cache bench: $(redis-server --version | cut -d' ' -f3) pid $redis_pid port $redis_port; $(nproc) cores; $work"

"$JAVA_HOME/bin/java" -jar "$here/target/berth.jar" bench cache "${targets[@]}" "$@"
