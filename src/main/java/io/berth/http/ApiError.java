package io.berth.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.berth.registry.RegistryError;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One error as the client sees it: a spec code, a message and an optional detail, with the status to send. */
record ApiError(ErrorCode code, int status, String message, Object detail) {

    ApiError(ErrorCode code, String message) {
        this(code, code.status(), message, null);
    }

    /** The spec's envelope, {@code {"errors":[{"code","message","detail"}]}}: the one place it is rendered. */
    byte[] envelope() {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("code", code.name());
        entry.put("message", message);
        if (detail != null) {
            entry.put("detail", detail);
        }
        try {
            return Exchange.JSON.writeValueAsBytes(Map.of("errors", List.of(entry)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one place where registry errors become spec codes. */
    static ApiError of(RegistryError error) {
        return switch (error) {
            case RegistryError.BlobUnknown e -> new ApiError(ErrorCode.BLOB_UNKNOWN, 404, e.message(), Map.of("digest", e.digest().toString()));
            case RegistryError.BlobUploadUnknown e -> new ApiError(ErrorCode.BLOB_UPLOAD_UNKNOWN, e.message());
            case RegistryError.BlobUploadInvalid e -> new ApiError(ErrorCode.BLOB_UPLOAD_INVALID, e.message());
            case RegistryError.DigestInvalid e -> new ApiError(ErrorCode.DIGEST_INVALID, e.message());
            case RegistryError.SizeInvalid e -> new ApiError(ErrorCode.SIZE_INVALID, e.message());
            case RegistryError.NameInvalid e -> new ApiError(ErrorCode.NAME_INVALID, e.message());
            case RegistryError.NameUnknown e -> new ApiError(ErrorCode.NAME_UNKNOWN, 404, e.message(), Map.of("name", e.name().value()));
            case RegistryError.TagInvalid e -> new ApiError(ErrorCode.TAG_INVALID, e.message());
            case RegistryError.RangeInvalid e -> new ApiError(ErrorCode.RANGE_INVALID, e.message());
            case RegistryError.Unsupported e -> new ApiError(ErrorCode.UNSUPPORTED, e.message());
            case RegistryError.ManifestUnknown e -> new ApiError(ErrorCode.MANIFEST_UNKNOWN, e.message());
            case RegistryError.ManifestInvalid e -> new ApiError(ErrorCode.MANIFEST_INVALID, e.message());
            case RegistryError.ManifestBlobUnknown e -> new ApiError(ErrorCode.MANIFEST_BLOB_UNKNOWN, 404, e.message(), Map.of("digest", e.digest().toString()));
            case RegistryError.ManifestTooLarge e -> new ApiError(ErrorCode.SIZE_INVALID, 413, e.message(), null);
            case RegistryError.PaginationNumberInvalid e -> new ApiError(ErrorCode.PAGINATION_NUMBER_INVALID, e.message());
            case RegistryError.Denied e -> new ApiError(ErrorCode.DENIED, e.message());
            case RegistryError.TooManyRequests e -> new ApiError(ErrorCode.TOOMANYREQUESTS, e.message());
            case RegistryError.InsufficientStorage e -> new ApiError(ErrorCode.INSUFFICIENT_STORAGE, e.message());
            case RegistryError.UpstreamUnavailable e -> new ApiError(ErrorCode.UNAVAILABLE, 502, e.message(), null);
        };
    }
}
