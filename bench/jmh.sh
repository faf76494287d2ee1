#!/usr/bin/env bash
# Builds and runs Berth's JMH micro-benchmarks (src/jmh/java) with a JDK 21 or newer.
#   ./bench/jmh.sh                      every benchmark, with the defaults in their annotations
#   ./bench/jmh.sh RouteBenchmark       those whose name matches a regular expression
#   ./bench/jmh.sh -h                   JMH's own options (-f, -wi, -i, -rf json, -prof gc, ...)
# Arguments go to JMH's runner unchanged; they may not contain single quotes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"

find_jdk
find_maven
args=""
for arg in "$@"; do
    case $arg in
        *\'*) echo "berth: a JMH argument may not contain a single quote: $arg" >&2; exit 2 ;;
    esac
    args+="'$arg' "
done
# JMH 1.37 calls sun.misc.Unsafe, which JDK 24+ warns about in the runner and in every fork.
jvm_args=""
if [ "$(java_major "$JAVA_HOME/bin/java")" -ge 24 ]; then
    jvm_args=--sun-misc-unsafe-memory-access=allow
fi
echo "berth: benchmarking with $JAVA_HOME" >&2
cd "$here"
exec mvn -B -ntp -q -Dstyle.color=never -Pjmh test-compile exec:exec -Djmh.jvmArgs="$jvm_args" -Djmh.args="$args"
