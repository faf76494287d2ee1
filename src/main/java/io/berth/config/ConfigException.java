package io.berth.config;

/** A configuration that cannot be used, with a message naming the key at fault. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
