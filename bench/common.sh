# Sourced by bench/compare.sh and bench/cache.sh after scripts/tools.sh, with $here the repository
# and $bench_name the script's name: builds the jar, makes a work folder that goes away on exit
# with every process listed in $pids, and gives free_port and wait_ready.

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
