# Sourced by both launchers, ./berth in the repository and bin/berth in the package (as lib/jvm.sh):
# the JVM options, the class data sharing archive and the start of the JVM, kept in one place.

# jvm_options COMMAND: sets JAVA_OPTS for berth COMMAND, unless the caller chose them, and
# MALLOC_ARENA_MAX.
jvm_options() {
    local own_opts=${JAVA_OPTS:-}
    # Defaults sized for a small machine (peak RSS well under 256 MiB): bodies stream, so the heap
    # holds no blob; an OutOfMemoryError ends the process so that a supervisor restarts it. Set
    # JAVA_OPTS to choose your own.
    : "${JAVA_OPTS:=-XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Xms32m -Xmx96m -XX:MaxDirectMemorySize=32m -XX:ReservedCodeCacheSize=40m -Xss512k}"
    # The other commands than serve and bench end within seconds, before C2 would pay for its
    # compiling: C1 alone starts them on about a fifth less CPU.
    if [ -z "$own_opts" ] && [ "${1:-}" != serve ] && [ "${1:-}" != bench ]; then
        JAVA_OPTS+=" -XX:TieredStopAtLevel=1"
    fi
    # Fewer malloc arenas keep the JIT's native memory from growing one arena per thread.
    export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
}

# make_cds_archive JAVA JAR ARCHIVE: archives the classes every command loads first (picocli, the
# configuration, logging, storage), by a dry-run garbage-collect of an empty root, so that later
# starts map them instead of reading and verifying them again; a short command such as
# garbage-collect or config check starts in about half the time. The writer renames its own file
# into place, so launches at the same moment cannot mix their archives. A failure leaves no archive.
make_cds_archive() {
    local java=$1 jar=$2 archive=$3 train
    mkdir -p "$(dirname "$archive")"
    train=$(mktemp -d)
    printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\n' "$train/root" > "$train/config.yml"
    # shellcheck disable=SC2086
    if "$java" $JAVA_OPTS -XX:ArchiveClassesAtExit="$archive.$$" -jar "$jar" garbage-collect --dry-run \
        "$train/config.yml" > /dev/null 2>&1 && [ -s "$archive.$$" ]; then
        mv -f "$archive.$$" "$archive"
    else
        rm -f "$archive.$$"
    fi
    rm -rf "$train"
}

# exec_berth JAVA JAR ARCHIVE ARGS...: replaces the shell with the JVM, so that signals reach the
# server, mapping ARCHIVE when it exists.
exec_berth() {
    local java=$1 jar=$2 archive=$3
    shift 3
    local share=()
    [ -f "$archive" ] && share=(-XX:SharedArchiveFile="$archive")
    # shellcheck disable=SC2086
    exec "$java" $JAVA_OPTS "${share[@]}" -jar "$jar" "$@"
}
