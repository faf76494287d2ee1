package io.berth.http;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the API in one table, and the one place where failures become the spec's error
 * envelope. Handlers run blocking on the request's virtual thread.
 */
final class Router extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final BlobHandler blobs;
    private final UploadHandler uploads;
    private final ManifestHandler manifests;
    private final ListingHandler listings;
    /** {@code http.prefix}: the API is served under it, and only there. Empty or e.g. {@code /registry}. */
    private final String prefix;
    /** {@code storage.maintenance.readonly.enabled}: every write is refused. */
    private final boolean readOnly;
    /** Added to every response: the API version, then {@code http.headers}, encoded once. */
    private final HttpField[] responseHeaders;
    private final InFlight inFlight;
    private final Exchange.Bounds bounds;

    Router(BlobHandler blobs, UploadHandler uploads, ManifestHandler manifests, ListingHandler listings,
            String prefix, boolean readOnly, Map<String, List<String>> headers, InFlight inFlight, Exchange.Bounds bounds) {
        this.blobs = blobs;
        this.uploads = uploads;
        this.manifests = manifests;
        this.listings = listings;
        this.prefix = prefix;
        this.readOnly = readOnly;
        this.responseHeaders = responseHeaders(headers);
        this.inFlight = inFlight;
        this.bounds = bounds;
    }

    private static HttpField[] responseHeaders(Map<String, List<String>> configured) {
        List<HttpField> fields = new ArrayList<>();
        fields.add(new PreEncodedHttpField("Docker-Distribution-API-Version", "registry/2.0"));
        configured.forEach((name, values) -> values.forEach(value -> fields.add(new PreEncodedHttpField(name, value))));
        return fields.toArray(new HttpField[0]);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange ex = new Exchange(request, response, bounds);
        HttpFields.Mutable headers = response.getHeaders();
        for (HttpField field : responseHeaders) {
            headers.add(field);
        }
        // The request is handled to its end on this thread, so it is in flight until this returns.
        boolean admitted = inFlight.enter();
        try {
            if (admitted) {
                Route route = route(request.getHttpURI().getPath());
                ObservingHandler.routed(request, route.endpoint());
                dispatch(ex, route);
            } else {
                ex.header("Connection", "close");
                ex.sendError(new ApiError(ErrorCode.UNAVAILABLE, "the registry is shutting down; retry on a new connection"));
            }
            callback.succeeded();
        } catch (Throwable failure) {
            fail(ex, callback, failure);
        } finally {
            ex.releaseBody();
            inFlight.leave();
        }
        return true;
    }

    private Route route(String path) {
        if (prefix.isEmpty()) {
            return Route.match(path);
        }
        return path != null && path.startsWith(prefix) ? Route.match(path.substring(prefix.length())) : new Route.Unknown();
    }

    private void dispatch(Exchange ex, Route route) throws IOException {
        String method = ex.method();
        if (readOnly && !(route instanceof Route.Unknown) && !method.equals("GET") && !method.equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.sendError(new ApiError(ErrorCode.UNSUPPORTED, "the registry is in read-only mode for maintenance: "
                    + method + " is refused, pulls keep working"));
            return;
        }
        switch (route) {
            case Route.Base b -> {
                switch (method) {
                    case "GET", "HEAD" -> ex.sendJson(200, Map.of());
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Blob b -> {
                switch (method) {
                    case "GET", "HEAD" -> blobs.get(ex, b);
                    case "DELETE" -> blobs.delete(ex, b);
                    default -> methodNotAllowed(ex, "GET, HEAD, DELETE");
                }
            }
            case Route.UploadStart u -> {
                switch (method) {
                    case "POST" -> uploads.start(ex, u);
                    default -> methodNotAllowed(ex, "POST");
                }
            }
            case Route.Upload u -> {
                switch (method) {
                    case "GET", "HEAD" -> uploads.status(ex, u);
                    case "PATCH" -> uploads.patch(ex, u);
                    case "PUT" -> uploads.finish(ex, u);
                    case "DELETE" -> uploads.cancel(ex, u);
                    default -> methodNotAllowed(ex, "GET, HEAD, PATCH, PUT, DELETE");
                }
            }
            case Route.Manifest m -> {
                switch (method) {
                    case "GET", "HEAD" -> manifests.get(ex, m);
                    case "PUT" -> manifests.put(ex, m);
                    case "DELETE" -> manifests.delete(ex, m);
                    default -> methodNotAllowed(ex, "GET, HEAD, PUT, DELETE");
                }
            }
            case Route.TagsList t -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.tags(ex, t);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Catalog c -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.catalog(ex);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Referrers r -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.referrers(ex, r);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Unknown u -> ex.sendError(new ApiError(ErrorCode.NOT_FOUND, "no route for " + method + " of this path"));
        }
    }

    private static void methodNotAllowed(Exchange ex, String allowed) throws IOException {
        ex.header("Allow", allowed);
        ex.sendError(new ApiError(ErrorCode.UNSUPPORTED, "method " + ex.method() + " is not allowed here"));
    }

    private static void fail(Exchange ex, Callback callback, Throwable failure) {
        if (ex.isCommitted()) {
            // Headers are out: all that is left is to cut the response short.
            log.debug("response aborted after commit", failure);
            callback.failed(failure);
            return;
        }
        if (failure instanceof RegistryException e && e.error() instanceof RegistryError.TooManyRequests busy) {
            ex.header("Retry-After", Math.max(1, busy.retryAfter().toSeconds()));
        }
        ApiError error = switch (failure) {
            case RegistryException e -> ApiError.of(e.error());
            case Exchange.ClientBodyException e when e.timedOut -> {
                ex.header("Connection", "close");
                yield new ApiError(ErrorCode.BAD_REQUEST, 408, e.getMessage(), null);
            }
            case Exchange.ClientBodyException e -> new ApiError(ErrorCode.SIZE_INVALID, e.getMessage());
            case EofException e -> new ApiError(ErrorCode.SIZE_INVALID, "the connection closed early");
            default -> {
                log.error("request failed", failure);
                yield new ApiError(ErrorCode.UNKNOWN, "internal server error");
            }
        };
        try {
            ex.sendError(error);
            callback.succeeded();
        } catch (Throwable e) {
            callback.failed(e);
        }
    }
}
