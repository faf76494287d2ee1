#!/usr/bin/env bash
# Offline garbage collection, Berth against Distribution 2.8, on copies of one storage root.
#   bench/gc.sh [--rounds N] [--repositories N] [--plain-only] [--no-verify] [--no-berth] [--berth LAUNCHER]
# Writes a filesystem root in Distribution's layout with bench/GcRoot.java (200 repositories of ten
# images each, about 10,400 blobs, a fifth of them garbage and two fifths with --delete-untagged;
# the file says what is in it), checks it with Distribution (its garbage-collect --dry-run finds the
# blobs and manifests the generator expects; skopeo pulls a Docker image and a multi-arch index
# from it served by Distribution), then for each round copies it twice (cp -a, then sync) and runs
# `docker-registry garbage-collect` on one copy and `berth garbage-collect` on the other, in
# alternating order, timing wall and CPU (user + system) of each. After every run it checks the
# blobs deleted and the revision links left against the generator's expectation; the two sets of
# deleted blobs must be equal. Then the same with --delete-untagged, where they differ by design:
# Distribution 2.8 deletes the platform images of multi-arch indexes and every untagged referrer
# (distribution#3178); Berth keeps those of kept images. Prints the medians and the ratios
# Distribution / Berth (how many times faster Berth is). Installs docker-registry when missing.
# Berth runs through its launcher (./berth, or --berth another checkout's), with its default JAVA_OPTS
# unless JAVA_OPTS is set.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
find_jdk
find_maven
need docker-registry docker-registry
export LC_ALL=C

rounds=3
repositories=200
modes=(plain untagged)
verify=yes
berth=yes
launcher=$here/berth
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --repositories) repositories=$2; shift 2 ;;
        --plain-only) modes=(plain); shift ;;
        --no-verify) verify=no; shift ;;
        --no-berth) berth=no; shift ;;
        --berth) launcher=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        *) echo "gc bench: unknown option $1" >&2; exit 2 ;;
    esac
done

bench_name=gc
. "$here/bench/common.sh"

# The first launch after a build makes the launcher's class-data archive; this one does, not a timed run.
# picocli answers an unknown command's --help with the top-level help, so look for the flag.
if [ "$berth" = yes ] && ! "$launcher" garbage-collect --help 2>&1 | grep -q -- --delete-untagged; then
    echo "gc bench: this berth has no garbage-collect command; measuring Distribution alone" >&2
    berth=no
fi

v2=docker/registry/v2
echo "gc bench: $(date -u +%FT%TZ), commit $(git -C "$here" rev-parse --short HEAD), berth $launcher, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg), $(docker-registry --version | cut -d' ' -f2-), $work"
"$JAVA_HOME/bin/java" "$here/bench/GcRoot.java" "$work/root" "$work/expected" "$repositories"
find "$work/root/$v2/blobs" -name data -printf '%h %s\n' | sed 's#^.*/#sha256:#' | sort > "$work/all.sizes"
cut -d' ' -f1 "$work/all.sizes" > "$work/all.blobs"

# config NAME ROOT [ADDR]: the configuration both collectors read, in $work/NAME.yml.
config() {
    cat > "$work/$1.yml" <<YAML
version: 0.1
storage:
  filesystem:
    rootdirectory: $2
  delete:
    enabled: true
http:
  addr: ${3:-127.0.0.1:5000}
  secret: gc-bench-secret
YAML
}

# timed NAME COMMAND...: runs COMMAND with its output in $work/NAME.log and "wall user system"
# seconds in $work/NAME.time.
timed() {
    local name=$1 TIMEFORMAT='%R %U %S'
    shift
    if ! { time "$@" > "$work/$name.log" 2>&1; } 2> "$work/$name.time"; then
        echo "gc bench: $name failed:" >&2
        tail -5 "$work/$name.log" >&2
        return 1
    fi
}

# Blobs present in a root, and the revision links as repository@digest, sorted.
blobs_in() {
    find "$1/$v2/blobs" -name data -printf '%h\n' | sed 's#^.*/#sha256:#' | sort
}
revisions_in() {
    find "$1/$v2/repositories" -path '*/_manifests/revisions/sha256/*/link' -printf '%h\n' \
        | sed "s#^$1/$v2/repositories/##; s#/_manifests/revisions/sha256/#@sha256:#" | sort
}
mib() {
    awk 'NR == FNR { size[$1] = $2; next } { total += size[$1] } END { printf "%.1f", total / 1048576 }' \
        "$work/all.sizes" "$1"
}

failures=0
# check NAME ROOT EXPECTED: compares what a collector left in ROOT with $work/expected/EXPECTED.*.
check() {
    local name=$1 root=$2 expected=$work/expected/$3 lost kept
    blobs_in "$root" | comm -23 "$work/all.blobs" - > "$work/$name.deleted"
    revisions_in "$root" > "$work/$name.revisions"
    lost=$(comm -13 "$expected.blobs" "$work/$name.deleted" | wc -l)
    kept=$(comm -23 "$expected.blobs" "$work/$name.deleted" | wc -l)
    if [ "$lost" -ne 0 ] || [ "$kept" -ne 0 ] || ! cmp -s "$expected.manifests" "$work/$name.revisions"; then
        echo "gc bench: $name: deleted $lost blobs it should have kept, kept $kept it should have deleted;" \
            "revision links: $(diff "$expected.manifests" "$work/$name.revisions" | grep -c '^[<>]' || true) differ" >&2
        failures=$((failures + 1))
    fi
    # Deleted blobs that some _layers link still names: Distribution leaves such links, Berth must not.
    find "$root/$v2/repositories" -path '*/_layers/sha256/*/link' -printf '%h\n' | sed 's#^.*/#sha256:#' \
        | sort | comm -12 - "$work/$name.deleted" | wc -l > "$work/$name.dangling"
    if [ "${name: -1}" = b ] && [ "$(cat "$work/$name.dangling")" -ne 0 ]; then
        echo "gc bench: $name: $(cat "$work/$name.dangling") deleted blobs are still linked in _layers" >&2
        failures=$((failures + 1))
    fi
}

verify_root() {
    local port
    port=$(free_port)
    config verify "$work/root" "127.0.0.1:$port"
    for mode in plain untagged; do
        local flags=(--dry-run) expected=plain
        [ "$mode" = plain ] || { flags+=(--delete-untagged); expected=untagged-distribution; }
        timed "verify-$mode" docker-registry garbage-collect "${flags[@]}" "$work/verify.yml"
        local found want
        found=$(grep -c '^blob eligible for deletion' "$work/verify-$mode.log" || true)
        want=$(wc -l < "$work/expected/$expected.blobs")
        if [ "$found" -ne "$want" ]; then
            echo "gc bench: Distribution's dry run ($mode) finds $found blobs eligible, the generator $want" >&2
            failures=$((failures + 1))
        fi
    done
    command -v skopeo >/dev/null || { echo "gc bench: no skopeo, root not pulled"; return 0; }
    docker-registry serve "$work/verify.yml" > "$work/verify-serve.log" 2>&1 &
    pids+=($!)
    local server=$!
    wait_ready "$port"
    for image in team-0/app-000:latest team-1/app-001:1.4; do
        skopeo copy -q --all --src-tls-verify=false "docker://127.0.0.1:$port/$image" \
            "oci:$work/pulled:${image#*:}" >> "$work/verify-pull.log" 2>&1 \
            || { echo "gc bench: skopeo could not pull $image from Distribution" >&2; failures=$((failures + 1)); }
    done
    kill "$server"
    wait "$server" 2>/dev/null || true
    echo "verified with Distribution: its dry runs find what the generator expects; skopeo pulled a multi-arch index and a Docker image"
}
[ "$verify" = no ] || verify_root

# run MODE ROUND: one round of one mode, both collectors on fresh copies.
run() {
    local mode=$1 round=$2 flags=() expected_d=plain expected_b=plain
    if [ "$mode" = untagged ]; then
        flags=(--delete-untagged)
        expected_d=untagged-distribution
        expected_b=untagged-berth
    fi
    rm -rf "$work/d" "$work/b"
    cp -a "$work/root" "$work/d"
    config d "$work/d"
    if [ "$berth" = yes ]; then
        cp -a "$work/root" "$work/b"
        config b "$work/b"
    fi
    sync
    local order=(d b)
    [ $((round % 2)) -eq 1 ] || order=(b d)
    for side in "${order[@]}"; do
        if [ "$side" = d ]; then
            timed "$mode-$round-d" docker-registry garbage-collect "${flags[@]}" "$work/d.yml"
            check "$mode-$round-d" "$work/d" "$expected_d"
        elif [ "$berth" = yes ]; then
            timed "$mode-$round-b" "$launcher" garbage-collect "${flags[@]}" "$work/b.yml"
            check "$mode-$round-b" "$work/b" "$expected_b"
        fi
    done
}

# median FIELD FILES...: the median of one field of "wall user system" files (2: user + system).
median() {
    local field=$1
    shift
    for f in "$@"; do
        awk -v f="$field" '{ print (f == 2 ? $2 + $3 : $1) }' "$f"
    done | sort -g | awk '{ v[NR] = $1 } END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

for mode in "${modes[@]}"; do
    for round in $(seq 1 "$rounds"); do
        run "$mode" "$round"
    done
done

echo
echo "| variant | collector | wall s (runs) | wall s | CPU s | blobs deleted | MiB freed | revision links deleted | deleted blobs still linked in _layers |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for mode in "${modes[@]}"; do
    for side in d b; do
        [ "$side" = d ] || [ "$berth" = yes ] || continue
        times=()
        for round in $(seq 1 "$rounds"); do times+=("$work/$mode-$round-$side.time"); done
        name=$([ "$side" = d ] && echo Distribution || echo Berth)
        last=$work/$mode-$rounds-$side
        links=$(($(wc -l < "$work/expected/plain.manifests") - $(wc -l < "$last.revisions")))
        printf '| %s | %s | %s | %s | %s | %d | %s | %d | %d |\n' "$mode" "$name" \
            "$(cut -d' ' -f1 "${times[@]}" | paste -sd' ')" "$(median 1 "${times[@]}")" \
            "$(median 2 "${times[@]}")" "$(wc -l < "$last.deleted")" "$(mib "$last.deleted")" "$links" \
            "$(cat "$last.dangling")"
    done
done
echo
if [ "$berth" = yes ]; then
    for mode in "${modes[@]}"; do
        d=() b=()
        for round in $(seq 1 "$rounds"); do d+=("$work/$mode-$round-d.time"); b+=("$work/$mode-$round-b.time"); done
        awk -v m="$mode" -v dw="$(median 1 "${d[@]}")" -v bw="$(median 1 "${b[@]}")" \
            -v dc="$(median 2 "${d[@]}")" -v bc="$(median 2 "${b[@]}")" \
            'BEGIN { printf "%s: Distribution / Berth: wall %.2fx, CPU %.2fx (above 1: Berth is faster)\n", m, dw / bw, dc / bc }'
        for side in d b; do
            echo "  $([ "$side" = d ] && echo Distribution || echo Berth):" \
                "$(grep 'blobs marked' "$work/$mode-$rounds-$side.log" | tail -1)"
        done
        only_d=$(comm -23 "$work/$mode-$rounds-d.deleted" "$work/$mode-$rounds-b.deleted" | wc -l)
        only_b=$(comm -13 "$work/$mode-$rounds-d.deleted" "$work/$mode-$rounds-b.deleted" | wc -l)
        echo "  blobs only Distribution deleted: $only_d; only Berth deleted: $only_b"
        if [ "$mode" = plain ] && [ $((only_d + only_b)) -ne 0 ]; then
            failures=$((failures + 1))
        fi
    done
fi
[ "$failures" -eq 0 ] || { echo "gc bench: $failures check(s) failed" >&2; exit 1; }
echo "every check passed"
