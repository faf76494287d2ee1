#!/usr/bin/env bash
# ./berth package: builds Berth's release artefacts into target/dist/
#   berth-<version>-linux-<arch>.tar.gz   a tree that runs on its own Java runtime (jlink)
#   berth_<version>_<arch>.deb            the same tree under /opt/berth, with a systemd unit
# on the newest JDK 21+ found (its jlink makes the runtime), with dpkg-deb. Work files go to
# target/package/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$here/scripts/tools.sh"
. "$here/scripts/jvm.sh"
find_jdk
find_maven
need dpkg-deb dpkg
need unzip unzip
cd "$here"

# licenses DIR: the Apache 2.0 and LGPL 2.1 texts from Debian's common licences, the MIT texts
# from packaging/licenses/, and, under DIR/<library>/, the licence and notice files each bundled
# library ships in its jar. Fails when NOTICE does not name a bundled library.
licenses() {
    local dir=$1 jar library missing=""
    cp /usr/share/common-licenses/Apache-2.0 /usr/share/common-licenses/LGPL-2.1 packaging/licenses/* "$dir/"
    mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/deps" >&2
    for jar in "$work"/deps/*.jar; do
        library=$(basename "$jar" .jar)
        grep -q ":$(sed -E 's/-[0-9].*//' <<< "$library"):" NOTICE || missing+=" $library"
        unzip -q -j -o "$jar" 'META-INF/LICENSE*' 'META-INF/NOTICE*' -d "$dir/$library" 2> /dev/null || true
        rmdir "$dir/$library" 2> /dev/null || true
    done
    if [ -n "$missing" ]; then
        echo "berth: NOTICE does not list these bundled libraries:$missing" >&2
        exit 1
    fi
}

# deb TREE VERSION ARCH: the .deb, from a staging folder laid out as the installed system.
deb() {
    local tree=$1 arch=$3 stage=$work/deb version
    # Debian sorts ~ before anything: 0.1.0~SNAPSHOT comes before the release 0.1.0.
    version=${2/-/\~}
    mkdir -p "$stage/opt" "$stage/usr/bin" "$stage/etc/berth" "$stage/lib/systemd/system" "$stage/DEBIAN"
    cp -a "$tree" "$stage/opt/berth"
    ln -s /opt/berth/bin/berth "$stage/usr/bin/berth"
    install -m 0640 packaging/config.yml "$stage/etc/berth/config.yml"
    install -m 0644 packaging/berth.service "$stage/lib/systemd/system/berth.service"
    install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$stage/DEBIAN/"
    echo /etc/berth/config.yml > "$stage/DEBIAN/conffiles"
    # No Java dependency: the runtime is inside, and links only the C library (its AWT, never loaded
    # headless, would want X11).
    cat > "$stage/DEBIAN/control" <<CONTROL
Package: berth
Version: $version
Architecture: $arch
Maintainer: Berth developers <berth@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: libc6, passwd
Description: container image registry (OCI Distribution)
 Berth serves container images and OCI artifacts over the OCI Distribution
 API, in CNCF Distribution's storage layout and configuration format. This
 package bundles its own Java runtime and runs as the berth system user under
 systemd, with its configuration in /etc/berth and its storage in
 /var/lib/berth.
CONTROL
    local file=target/dist/berth_${version}_$arch.deb
    dpkg-deb --root-owner-group -Zxz --build "$stage" "$file" > /dev/null
    echo "berth: $file" >&2
}

echo "berth: building target/berth.jar" >&2
mvn -q -B -Dstyle.color=never -Dmaven.test.skip=true package >&2
version=$(sed -n 's/^version=//p' target/classes/io/berth/build.properties)
arch=$(dpkg --print-architecture)
name=berth-$version
work=target/package
tree=$work/$name
rm -rf "$work" && mkdir -p "$tree/bin" "$tree/lib" "$tree/licenses" target/dist

# The runtime holds the modules jdeps finds in the jar (jdk.unsupported among them, for Netty's and
# Caffeine's sun.misc.Unsafe), plus, before Java 22, the one it cannot see, a security provider: the
# elliptic curves of TLS and ES256 tokens (jdk.crypto.ec, in java.base since). PackageTest serves
# HTTPS on EC keys over S3 with a Redis cache on it. Its CDS archive of the JDK's own classes is made
# by jlink; classes_nocoops.jsa, for heaps over 32 GiB, is left out (5 MiB).
echo "berth: making the Java runtime with $JAVA_HOME/bin/jlink" >&2
modules=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release "$(java_major "$JAVA_HOME/bin/java")" target/berth.jar)
if "$JAVA_HOME/bin/java" --list-modules | grep -q '^jdk\.crypto\.ec@'; then
    modules+=,jdk.crypto.ec
fi
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --generate-cds-archive --output "$tree/runtime" > /dev/null
rm -f "$tree/runtime/lib/server/classes_nocoops.jsa"

cp -p target/berth.jar "$tree/lib/berth.jar"
cp scripts/jvm.sh "$tree/lib/jvm.sh"
cp packaging/bin/berth "$tree/bin/berth"
cp README.md LICENSE NOTICE config.sample.yml "$tree/"
licenses "$tree/licenses"

# The classes every command loads first, archived by the bundled runtime with the default options.
# The JVM checks the jar's size and modification time, not its folder, so the archive still maps
# where the tree is unpacked or installed (tar and dpkg keep the time).
(unset JAVA_OPTS; jvm_options garbage-collect; make_cds_archive "$tree/runtime/bin/java" "$tree/lib/berth.jar" "$tree/lib/berth.jsa")
[ -s "$tree/lib/berth.jsa" ] || { echo "berth: the class data sharing archive could not be made" >&2; exit 1; }

tarball=target/dist/$name-linux-$arch.tar.gz
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$tarball" "$name"
echo "berth: $tarball" >&2
deb "$tree" "$version" "$arch"
