package io.berth.storage.driver;

import java.io.IOException;
import java.time.Duration;

/** The failures every driver reports the same way. */
public abstract sealed class StorageDriverException extends IOException {

    private final String path;

    StorageDriverException(String message, String path) {
        super(message);
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** Nothing exists at the path. */
    public static final class PathNotFound extends StorageDriverException {
        public PathNotFound(String path) {
            super("path not found: " + path, path);
        }
    }

    /** The path is not one a driver may be asked about. */
    public static final class InvalidPath extends StorageDriverException {
        public InvalidPath(String path) {
            super("invalid path: " + printable(path), printable(path));
        }
    }

    /** A read or write offset outside the file. */
    public static final class InvalidOffset extends StorageDriverException {
        public InvalidOffset(String path, long offset) {
            super("invalid offset " + offset + " for " + path, path);
        }
    }

    /** The storage has no room left (ENOSPC, or a quota) for a write at the path. */
    public static final class StorageFull extends StorageDriverException {
        public StorageFull(String path, Throwable cause) {
            super("no space left in storage writing " + path, path);
            initCause(cause);
        }
    }

    /** A bounded resource of the driver, such as the buffers of writes, stayed exhausted: try again after {@link #retryAfter()}. */
    public static final class Busy extends StorageDriverException {
        private final transient Duration retryAfter;

        public Busy(String path, String message, Duration retryAfter) {
            super(message, path);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    private static String printable(String path) {
        if (path == null) {
            return "(null)";
        }
        String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
