#!/usr/bin/env bash
# What notifications cost on pushes, in one run: blob pushes (1 MiB, one request each) and manifest
# pushes against Berth without notifications and Berth with two endpoints (local receivers that
# answer 200 at once), in alternation, as ratios to the one without. Every push's event is in the
# outbox on disk before its 201, so this is the price of that write.
#   bench/notify.sh [--rounds N] [--count 2000] [--concurrency 1,8] [--scenario push-monolithic,manifest-put]
# Extra options go to `berth bench targets` (1 MiB blobs there). Starts both registries and the receivers (python3) on
# free loopback ports with filesystem storage in a temp folder, and stops every process it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
command -v python3 >/dev/null || { echo "notify bench: python3 runs the receivers" >&2; exit 1; }

bench_name=notify
. "$here/bench/common.sh"

# A receiver: takes each POST and answers 200, counting the events it got.
receivers=()
for name in first second; do
    port=$(free_port)
    python3 - "$port" > "$work/receiver-$name.log" 2>&1 <<'PY' &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
events = 0
class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as most webhook servers
    def do_POST(self):
        global events
        body = self.rfile.read(int(self.headers["Content-Length"]))
        events += len(json.loads(body)["events"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Receiver).serve_forever()
PY
    pids+=($!)
    receivers+=("$port")
done

cat > "$work/notify.yml" <<YAML
version: 0.1
notifications:
  endpoints:
    - name: first
      url: http://127.0.0.1:${receivers[0]}/events
    - name: second
      url: http://127.0.0.1:${receivers[1]}/events
YAML

targets=()
# start_berth NAME [CONFIG [VAR=VALUE...]]; logging as in compare.sh: errors only, no access log, the same for both.
start_berth() {
    serve_berth "$1" "${2:-}" REGISTRY_LOG_LEVEL=error REGISTRY_LOG_ACCESSLOG_DISABLED=true "${@:3}"
    targets+=(--target "$1=http://127.0.0.1:$server_port=$server_pid")
}
start_berth none
debug_port=$(free_port)
start_berth two-endpoints "$work/notify.yml" REGISTRY_HTTP_DEBUG_ADDR="127.0.0.1:$debug_port"

echo "notify bench: two endpoints against none; $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); $work"
defaults=()
# The push scenarios make their blobs before a run, so they need a count, not a duration.
[[ " $* " == *" --count"* ]] || defaults+=(--count 2000) # shorter runs are all noise on a small machine
[[ " $* " == *" --concurrency"* ]] || defaults+=(--concurrency 1,8)
[[ " $* " == *" --scenario"* ]] || defaults+=(--scenario push-monolithic,manifest-put)
status=0
"$JAVA_HOME/bin/java" -jar "$here/target/berth.jar" bench targets "${targets[@]}" "${defaults[@]}" "$@" || status=$?
echo "notify bench: load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# Every event reached both receivers (the cleanup's deletes may still be on their way):
curl -sS "http://127.0.0.1:$debug_port/debug/notifications"; echo
exit "$status"
