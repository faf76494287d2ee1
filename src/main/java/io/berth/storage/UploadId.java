package io.berth.storage;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.util.UUID;
import java.util.regex.Pattern;

/** An upload session's identifier: a lowercase UUID, so it can only ever name a folder under {@code _uploads}. */
public record UploadId(String value) {

    private static final Pattern UUID_FORM = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public UploadId {
        if (value == null || !UUID_FORM.matcher(value).matches()) {
            // An id we could not have issued is an unknown upload, whatever it contains.
            throw new RegistryException(new RegistryError.BlobUploadUnknown(null));
        }
    }

    public static UploadId random() {
        return new UploadId(UUID.randomUUID().toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
