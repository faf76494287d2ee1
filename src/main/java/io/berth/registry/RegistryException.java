package io.berth.registry;

/** Carries a {@link RegistryError} up to the layer that reports it. */
public final class RegistryException extends RuntimeException {

    private final transient RegistryError error;

    public RegistryException(RegistryError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public RegistryError error() {
        return error;
    }
}
