#!/usr/bin/env bash
# Offline garbage collection, Berth against CNCF Distribution 2.8 (Debian's docker-registry), on the
# same generated filesystem root: 200 repositories holding 10,000 blobs (9 images of a config and
# 3 layers each, tagged, plus 5 blobs per repository that no manifest references). Each round gives
# both a fresh copy of the root (so both read a warm page cache) and times the whole command, JVM
# start included; prints the medians, their ratio, and what each deleted.
#   bench/gc.sh [--rounds N] [--repositories N]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_name=gc
. "$here/scripts/tools.sh"
find_jdk
rounds=3
repositories=200
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --repositories) repositories=$2; shift 2 ;;
        *) echo "usage: bench/gc.sh [--rounds N] [--repositories N]" >&2; exit 2 ;;
    esac
done
command -v docker-registry >/dev/null || need docker-registry docker-registry
. "$here/bench/common.sh"

# The root, written as a registry would lay it out (blobs, revision, tag and layer links).
python3 - "$work/root" "$repositories" <<'PY'
import hashlib, json, os, sys
root, repositories = sys.argv[1], int(sys.argv[2])
v2 = os.path.join(root, "docker/registry/v2")
def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
def blob(data):
    hex = hashlib.sha256(data).hexdigest()
    write(f"{v2}/blobs/sha256/{hex[:2]}/{hex}/data", data)
    return "sha256:" + hex
def link(path, digest):
    write(path, digest.encode())
for r in range(repositories):
    repo = f"{v2}/repositories/bench/repo{r:03d}"
    def layer(data, media):
        d = blob(data)
        link(f"{repo}/_layers/sha256/{d[7:]}/link", d)
        return {"mediaType": media, "digest": d, "size": len(data)}
    for i in range(9):
        config = layer(json.dumps({"repo": r, "image": i}).encode(), "application/vnd.oci.image.config.v1+json")
        layers = [layer(os.urandom(512), "application/vnd.oci.image.layer.v1.tar+gzip") for _ in range(3)]
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": config, "layers": layers}).encode()
        d = blob(manifest)
        link(f"{repo}/_manifests/revisions/sha256/{d[7:]}/link", d)
        link(f"{repo}/_manifests/tags/v{i}/current/link", d)
        link(f"{repo}/_manifests/tags/v{i}/index/sha256/{d[7:]}/link", d)
    for _ in range(5):
        layer(os.urandom(512), "application/octet-stream")
PY
blobs=$(find "$work/root/docker/registry/v2/blobs" -name data | wc -l)
echo "gc bench: $blobs blobs in $repositories repositories; $rounds rounds" >&2

run() { # run NAME COMMAND...: a fresh copy of the root, then the command timed in ms; its output in $work/NAME.out
    local name=$1; shift
    rm -rf "$work/copy" && cp -a "$work/root" "$work/copy"
    printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$work/copy" > "$work/config.yml"
    local start end
    start=$(date +%s%N)
    "$@" "$work/config.yml" > "$work/$name.out" 2>&1
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# A collection is a short-lived process: the launcher's heap settings, and C1 only, since C2 would
# compile code the run has finished with by then.
export JAVA_OPTS="${JAVA_OPTS:--XX:+UseSerialGC -Xms32m -Xmx96m -Xss512k -XX:TieredStopAtLevel=1}"
berth_ms=(); distribution_ms=()
for _ in $(seq 1 "$rounds"); do
    distribution_ms+=("$(run distribution docker-registry garbage-collect)")
    berth_ms+=("$(run berth "$here/berth" garbage-collect)")
done
d=$(printf '%s\n' "${distribution_ms[@]}" | median)
b=$(printf '%s\n' "${berth_ms[@]}" | median)
echo "distribution: $(grep -Eo '[0-9]+ blobs marked, [0-9]+ blobs and [0-9]+ manifests eligible for deletion' "$work/distribution.out")"
echo "berth:        $(grep -E 'manifests and [0-9]+ blobs \(' "$work/berth.out" | grep -v INFO | tail -1)"
echo "runs (ms): distribution ${distribution_ms[*]}; berth ${berth_ms[*]}"
printf '| blobs | repositories | Distribution 2.8 ms | Berth ms | Berth faster |\n| ---: | ---: | ---: | ---: | ---: |\n'
printf '| %d | %d | %d | %d | %.1fx |\n' "$blobs" "$repositories" "$d" "$b" "$(echo "$d / $b" | bc -l)"
