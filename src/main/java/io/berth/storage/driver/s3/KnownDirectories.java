package io.berth.storage.driver.s3;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * Paths this process has seen to be directories, so that a write need not ask S3 again whether each
 * of its parents is a file. Only a hint: another process may since have replaced a directory by a
 * file, which Berth's layout never does.
 */
final class KnownDirectories {

    /** Past this many entries the set starts afresh: an approximate bound that needs no bookkeeping. */
    private static final int MAX = 20_000;

    private final ConcurrentSkipListSet<String> paths = new ConcurrentSkipListSet<>();

    boolean contains(String path) {
        return paths.contains(path);
    }

    /** After a file was written at {@code path}: its parents are directories, and it is none. */
    void fileWritten(String path) {
        deleted(path);
        if (paths.size() > MAX) {
            paths.clear();
        }
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            paths.add(path.substring(0, slash));
        }
    }

    /** After {@code path} was deleted: it and everything under it may be anything now. */
    void deleted(String path) {
        paths.remove(path);
        // '0' follows '/': the range is exactly the paths under path + "/".
        paths.subSet(path + "/", path + "0").clear();
    }
}
