# Sourced by the bench scripts after scripts/tools.sh, with $here the repository and $bench_name the
# script's name: builds the jar, makes a work folder that goes away on exit with every process
# listed in $pids, and gives free_port, wait_ready and serve_berth.

# Build the jar now, so that its build is not measured as part of a Berth's start.
"$here/berth" --version >/dev/null

work=$(mktemp -d "${BERTH_BENCH_DIR:-/var/tmp}/berth-$bench_name.XXXXXX")
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

# wait_ready PORT: until a registry answers /v2/ there (a 401 too: it asks for credentials), for up to 10 s.
wait_ready() {
    for _ in $(seq 1 100); do
        if [[ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" 2>/dev/null)" =~ ^(200|401)$ ]]; then
            return 0
        fi
        sleep 0.1
    done
    echo "$bench_name bench: nothing answers on port $1" >&2
    return 1
}

# serve_berth NAME CONFIG [VAR=VALUE...]: ./berth serve CONFIG (none when empty) on a free loopback
# port, storing in $work/NAME with deletes on, in the environment given, its output in $work/NAME.log;
# once it answers, $server_port and $server_pid say where and which.
serve_berth() {
    local name=$1 config=$2
    shift 2
    server_port=$(free_port)
    mkdir -p "$work/$name"
    env REGISTRY_HTTP_ADDR="127.0.0.1:$server_port" \
        REGISTRY_HTTP_SECRET="$bench_name-bench-secret" \
        REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$work/$name" \
        REGISTRY_STORAGE_DELETE_ENABLED=true \
        "$@" "$here/berth" serve ${config:+"$config"} > "$work/$name.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    wait_ready "$server_port" || { tail -5 "$work/$name.log" >&2; return 1; }
}
