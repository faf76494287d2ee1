#!/usr/bin/env bash
# The pull-through cache against Distribution's, in one run: a Distribution serves prepared images
# (the upstream); Berth with proxy.remoteurl and Distribution 2.8 in proxy mode, each over a folder
# of its own on the same disk, pull them through.
#   bench/proxy.sh [--rounds N] [--layers N] [--layer-mib N] [--clients N]
# Per round and per cache, in alternation: a cold pull of an image neither cache has seen (manifest
# by tag, then the config and layers three at a time, as docker and containerd fetch them), then
# warm pulls of the same image. Then N clients pull one new image at once (a cold rush), counting
# the blob GETs the upstream served. Prints medians and ratios (Distribution's time / Berth's).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need docker-registry docker-registry
need curl curl

rounds=5
layers=4
layer_mib=16
clients=8
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --layers) layers=$2; shift 2 ;;
        --layer-mib) layer_mib=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        *) echo "proxy bench: unknown option $1" >&2; exit 2 ;;
    esac
done

bench_name=proxy
. "$here/bench/common.sh"

distribution() { # distribution NAME PORT [PROXY_URL]
    mkdir -p "$work/$1"
    {
        printf 'version: 0.1\nlog:\n  level: error\n'
        # The caches log as Berth does below (errors, no access log); the upstream keeps its access log to count GETs.
        if [ -n "${3:-}" ]; then printf '  accesslog:\n    disabled: true\n'; fi
        printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  cache:\n    blobdescriptor: inmemory\n' "$work/$1"
        printf 'http:\n  addr: 127.0.0.1:%s\n  secret: proxy-bench\n' "$2"
        if [ -n "${3:-}" ]; then printf 'proxy:\n  remoteurl: %s\n' "$3"; fi
    } > "$work/$1.yml"
    docker-registry serve "$work/$1.yml" > "$work/$1.log" 2>&1 &
    pids+=($!)
}

# Up to 30 s each: a JVM starting on a loaded machine takes a while. What failed shows its log.
ready() {
    wait_ready "$2" || wait_ready "$2" || wait_ready "$2" || { echo "proxy bench: $1 did not start:" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
}
upstream_port=$(free_port)
distribution upstream "$upstream_port"
upstream=http://127.0.0.1:$upstream_port
# Distribution in proxy mode asks its upstream at start, and stops when it cannot reach it.
ready upstream "$upstream_port"
dist_port=$(free_port)
distribution distribution "$dist_port" "$upstream"
berth_port=$(free_port)
mkdir -p "$work/berth"
REGISTRY_LOG_LEVEL=error REGISTRY_LOG_ACCESSLOG_DISABLED=true REGISTRY_HTTP_ADDR=127.0.0.1:$berth_port \
REGISTRY_HTTP_SECRET=proxy-bench REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY=$work/berth \
REGISTRY_STORAGE_CACHE_BLOBDESCRIPTOR=inmemory REGISTRY_PROXY_REMOTEURL=$upstream \
    "$here/berth" serve > "$work/berth.log" 2>&1 &
pids+=($!)
ready distribution "$dist_port"
ready berth "$berth_port"

# push_blob REPO FILE: a monolithic upload as Distribution 2.8 takes it (POST, then PUT with the body).
push_blob() {
    local digest location
    digest=sha256:$(sha256sum "$2" | cut -d' ' -f1)
    location=$(curl -sS -o /dev/null -D - -X POST "$upstream/v2/$1/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    case "$location" in http*) ;; *) location=$upstream$location ;; esac
    curl -sS -f -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$2" \
        "$location$([[ $location == *\?* ]] && echo '&' || echo '?')digest=$digest"
    echo "$digest"
}

# push_image REPO: a config and $layers random layers of $layer_mib MiB under tag 1; writes the blob digests to REPO's list.
push_image() {
    local repo=$1 dir="$work/images/$1" entries="" digest config
    mkdir -p "$dir"
    printf '{"architecture":"amd64","os":"linux","bench":"%s"}' "$repo" > "$dir/config"
    config=$(push_blob "$repo" "$dir/config")
    echo "$config" > "$dir/blobs"
    for i in $(seq 1 "$layers"); do
        head -c "$((layer_mib * 1024 * 1024))" /dev/urandom > "$dir/layer$i"
        digest=$(push_blob "$repo" "$dir/layer$i")
        echo "$digest" >> "$dir/blobs"
        entries+="${entries:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$digest\",\"size\":$((layer_mib * 1024 * 1024))}"
        rm "$dir/layer$i"
    done
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
        "$config" "$(stat -c %s "$dir/config")" "$entries" > "$dir/manifest"
    curl -sS -f -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
        --data-binary "@$dir/manifest" "$upstream/v2/$repo/manifests/1"
}

# pull PORT REPO: prints the milliseconds a whole pull took; fails on any status but 200.
pull() {
    local start end
    start=$(date +%s%N)
    [ "$(curl -sS -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://127.0.0.1:$1/v2/$2/manifests/1")" = 200 ] || { echo "proxy bench: manifest pull failed on $1" >&2; return 1; }
    xargs -P 3 -I{} sh -c 'test "$(curl -sS -o /dev/null -w "%{http_code}" "$0")" = 200 || { echo "proxy bench: blob pull failed: $0" >&2; exit 255; }' \
        "http://127.0.0.1:$1/v2/$2/blobs/{}" < "$work/images/$2/blobs"
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "proxy bench: pushing $((rounds * 2 + 3)) images of $layers x $layer_mib MiB to the upstream" >&2
for r in $(seq 1 "$rounds"); do push_image "bench/berth-$r"; push_image "bench/dist-$r"; done
push_image bench/rush-berth
push_image bench/rush-dist
push_image bench/warmup
# Not measured: the first requests of a JVM run interpreted, and each cache's first pull pays for that.
pull "$berth_port" bench/warmup > /dev/null
pull "$dist_port" bench/warmup > /dev/null
# Same bytes per cache and round, different images: each cold pull fetches everything from the upstream.

: > "$work/berth-cold"; : > "$work/dist-cold"; : > "$work/berth-warm"; : > "$work/dist-warm"
for r in $(seq 1 "$rounds"); do
    pull "$berth_port" "bench/berth-$r" >> "$work/berth-cold"
    pull "$dist_port" "bench/dist-$r" >> "$work/dist-cold"
    for _ in 1 2 3; do
        pull "$berth_port" "bench/berth-$r" >> "$work/berth-warm"
        pull "$dist_port" "bench/dist-$r" >> "$work/dist-warm"
    done
done

# rush PORT REPO: $clients whole pulls at once; prints the milliseconds until the last ended.
rush() {
    local start end pulls=() failed=0
    start=$(date +%s%N)
    for _ in $(seq 1 "$clients"); do
        pull "$1" "$2" > /dev/null &
        pulls+=($!)
    done
    for pid in "${pulls[@]}"; do wait "$pid" || failed=1; done
    [ "$failed" = 0 ] || return 1
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

upstream_gets() { grep -c "\"GET /v2/$1/blobs/sha256:[0-9a-f]* HTTP/1.1\" 200 " "$work/upstream.log" || true; }
berth_rush=$(rush "$berth_port" bench/rush-berth)
dist_rush=$(rush "$dist_port" bench/rush-dist)

mib=$(( (layers * layer_mib) ))
ratio() { awk -v d="$1" -v b="$2" 'BEGIN {printf "%.2f", d / b}'; }
row() { printf '%-44s %10s %14s %8s\n' "$@"; }
bc=$(median < "$work/berth-cold"); dc=$(median < "$work/dist-cold")
bw=$(median < "$work/berth-warm"); dw=$(median < "$work/dist-warm")
echo
echo "Pull-through cache, image of $layers x $layer_mib MiB + config, $rounds rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
row "" "Berth ms" "Distribution ms" "ratio"
row "cold pull (medians of $rounds)" "$bc" "$dc" "$(ratio "$dc" "$bc")"
row "warm pull (medians of $((rounds * 3)))" "$bw" "$dw" "$(ratio "$dw" "$bw")"
row "$clients clients pulling one new image at once" "$berth_rush" "$dist_rush" "$(ratio "$dist_rush" "$berth_rush")"
row "upstream blob GETs during that rush" "$(upstream_gets bench/rush-berth)" "$(upstream_gets bench/rush-dist)" ""
echo "($mib MiB per pull; ratio = Distribution's time / Berth's: above 1, Berth is faster)"
