package io.berth.storage.cache;

/** The cache could not answer (its server is down, slow or confused); the caller goes to storage instead. */
public final class CacheException extends RuntimeException {

    public CacheException(String message) {
        super(message, null, false, false);
    }

    public CacheException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
