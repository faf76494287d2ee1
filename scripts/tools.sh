# Sourced by the launcher and the test script: finds a JDK 21+ (exporting JAVA_HOME) and installs
# the other tools Berth needs from Debian's packages when they are missing.
# Order: $JAVA_HOME when it is new enough, then the newest JDK in Debian's JVM folder
# (BERTH_JVM_DIR, default /usr/lib/jvm).

java_major() {
    # Prints the feature version of the java binary $1 (17, 21, 25, ...), or nothing. A JDK's
    # release file says it without starting a JVM, which would cost a launch of berth 30-80 ms a JDK.
    local release
    release="$(dirname "$1")/../release"
    if [ -r "$release" ]; then
        sed -n 's/^JAVA_VERSION="\(1\.\)\{0,1\}\([0-9]*\).*/\2/p' "$release"
    else
        "$1" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'
    fi
}

find_jdk() {
    local candidate major best="" best_major=0
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(java_major "$JAVA_HOME/bin/java")
        if [ "${major:-0}" -ge 21 ]; then
            return 0
        fi
        echo "berth: JAVA_HOME=$JAVA_HOME is Java ${major:-?}; looking for a JDK 21 or newer instead" >&2
    fi
    local jvm_dir=${BERTH_JVM_DIR:-/usr/lib/jvm}
    for candidate in "$jvm_dir"/*/; do
        candidate=${candidate%/}
        [ -x "$candidate/bin/javac" ] || continue
        major=$(java_major "$candidate/bin/java")
        if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
            best=$candidate
            best_major=$major
        fi
    done
    if [ -z "$best" ]; then
        echo "berth: no JDK 21 or newer found (checked JAVA_HOME and $jvm_dir)." >&2
        # Debian 12's own packages stop at Java 17.
        echo "berth: on Debian 12, install Temurin 21 from Adoptium's apt repository (README.md, Install," >&2
        echo "berth: from source), or use the release tarball or .deb, which bring their own Java runtime." >&2
        return 1
    fi
    export JAVA_HOME=$best
}

# Maven's own libraries touch sun.misc.Unsafe, which JDK 24+ warns about on every build.
quiet_maven_on_new_jdks() {
    if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    fi
}

# need COMMAND PACKAGE: makes sure COMMAND exists, installing Debian's PACKAGE when run as root.
need() {
    if command -v "$1" >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "berth: installing $2 with apt-get" >&2
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 && return 0
    fi
    echo "berth: $1 is needed; install it as root, e.g. 'apt-get install $2'." >&2
    return 1
}

find_maven() {
    quiet_maven_on_new_jdks
    need mvn maven
}
