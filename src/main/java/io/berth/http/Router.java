package io.berth.http;

import io.berth.auth.Access;
import io.berth.auth.AccessRequest;
import io.berth.auth.Authorizer;
import io.berth.auth.Caller;
import io.berth.auth.Credentials;
import io.berth.auth.Decision;
import io.berth.auth.GrantedNamespace;
import io.berth.observe.RequestIds;
import io.berth.observe.RequestRecord;
import io.berth.registry.Namespace;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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
 * Every route of the API in one table; the one place where a request becomes an access request and
 * is judged, and where failures become the spec's error envelope. Handlers run blocking on the
 * request's virtual thread, over the registry as the caller may see it.
 */
final class Router extends Handler.Abstract {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    /** A Host header that can go into a challenge's realm as it is. */
    private static final Pattern AUTHORITY = Pattern.compile("[A-Za-z0-9.:\\[\\]_-]{1,255}");

    private final Namespace registry;
    /** Wraps the registry for each request, or null. */
    private final RegistryServer.RequestScope scope;
    private final Authorizer authorizer;
    /** {@code scheme://authority} of {@code http.host}, or empty: then taken from each request. */
    private final String origin;
    /** The built-in token server's endpoint, or null when it is off. */
    private final TokenHandler tokens;
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
    /**
     * A pull-through cache's {@code ?ns=} values, each to the first path component of its remote (empty for the
     * single {@code proxy.remoteurl}, whose names have none); an empty map when the registry is no cache.
     */
    private final Map<String, String> namespaces;

    Router(Namespace registry, RegistryServer.RequestScope scope, Authorizer authorizer, String origin, TokenHandler tokens,
            BlobHandler blobs, UploadHandler uploads, ManifestHandler manifests, ListingHandler listings, String prefix,
            boolean readOnly, Map<String, List<String>> headers, InFlight inFlight, Exchange.Bounds bounds,
            Map<String, String> namespaces) {
        this.registry = registry;
        this.scope = scope;
        this.authorizer = authorizer;
        this.origin = origin;
        this.tokens = tokens;
        this.blobs = blobs;
        this.uploads = uploads;
        this.manifests = manifests;
        this.listings = listings;
        this.prefix = prefix;
        this.readOnly = readOnly;
        this.responseHeaders = responseHeaders(headers);
        this.inFlight = inFlight;
        this.bounds = bounds;
        this.namespaces = namespaces;
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
                route = mirrored(route, ex);
                dispatch(ex, request, route);
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
        if (path == null || !path.startsWith(prefix)) {
            return new Route.Unknown();
        }
        String local = path.substring(prefix.length());
        return tokens != null && local.equals(RegistryServer.TOKEN_PATH) ? new Route.Token() : Route.match(local);
    }

    /**
     * containerd's mirror parameter: {@code ?ns=docker.io} names the upstream a request is for, and the
     * repository becomes {@code <remote>/<name>}, as if the client had written the remote's prefix itself.
     */
    private Route mirrored(Route route, Exchange ex) {
        String ns = namespaces.isEmpty() ? null : ex.query("ns");
        if (ns == null) {
            return route;
        }
        String remote = namespaces.get(ns);
        return switch (route) {
            case Route.Blob b -> new Route.Blob(under(remote, b.name()), b.digest());
            case Route.UploadStart u -> new Route.UploadStart(under(remote, u.name()));
            case Route.Upload u -> new Route.Upload(under(remote, u.name()), u.id());
            case Route.Manifest m -> new Route.Manifest(under(remote, m.name()), m.reference());
            case Route.TagsList t -> new Route.TagsList(under(remote, t.name()));
            case Route.Referrers r -> new Route.Referrers(under(remote, r.name()), r.digest());
            default -> route;
        };
    }

    private static RepositoryName under(String remote, RepositoryName name) {
        if (remote == null) {
            throw new RegistryException(new RegistryError.NameUnknown(name));
        }
        if (remote.isEmpty() || name.value().startsWith(remote + "/")) {
            return name; // the single remote's own names, or a client that wrote the prefix already
        }
        return RepositoryName.parse(remote + "/" + name.value());
    }

    private void dispatch(Exchange ex, Request request, Route route) throws IOException {
        String method = ex.method();
        if (route instanceof Route.Token) {
            switch (method) {
                case "GET", "HEAD" -> tokens.token(ex, request, credentials(ex, request));
                default -> methodNotAllowed(ex, "GET, HEAD");
            }
            return;
        }
        if (readOnly && !(route instanceof Route.Unknown) && !method.equals("GET") && !method.equals("HEAD")) {
            ex.header("Allow", "GET, HEAD");
            ex.sendError(new ApiError(ErrorCode.UNSUPPORTED, "the registry is in read-only mode for maintenance: "
                    + method + " is refused, pulls keep working"));
            return;
        }
        if (route instanceof Route.Unknown) {
            ex.sendError(new ApiError(ErrorCode.NOT_FOUND, "no route for " + method + " of this path"));
            return;
        }
        Decision decision = authorizer.decide(credentials(ex, request), access(route, method, ex));
        switch (decision) {
            case Decision.Allowed allowed -> {
                ObservingHandler.signedIn(request, allowed.caller().actor());
                Namespace granted = GrantedNamespace.of(registry, allowed.grants());
                serve(ex, route, scope == null ? granted : scope.wrap(granted, record(ex, request, allowed.caller())));
            }
            case Decision.Unauthorized refused -> {
                ex.header("WWW-Authenticate", refused.challenge());
                ex.sendError(new ApiError(ErrorCode.UNAUTHORIZED, refused.message()));
            }
            case Decision.Forbidden refused -> {
                ObservingHandler.signedIn(request, refused.caller().actor());
                throw new RegistryException(new RegistryError.Denied(refused.message()));
            }
            case Decision.Throttled throttled -> throw TokenHandler.throttled(throttled.retryAfter());
        }
    }

    /**
     * The one place a request becomes an access request: what its route and method do to which
     * repository. Writes need {@code push}, deletes {@code delete}, everything else {@code pull}; a
     * mount also needs {@code pull} on the repository it takes the blob from.
     */
    private static AccessRequest access(Route route, String method, Exchange ex) {
        return switch (route) {
            case Route.Base b -> AccessRequest.SIGN_IN;
            case Route.Catalog c -> AccessRequest.of(Access.CATALOG);
            case Route.Blob b -> AccessRequest.of(method.equals("DELETE") ? Access.delete(b.name()) : Access.pull(b.name()));
            case Route.UploadStart u -> {
                String from = ex.query("mount") == null ? null : ex.query("from");
                yield from == null ? AccessRequest.of(Access.push(u.name()))
                        : AccessRequest.of(Access.push(u.name()), Access.pull(RepositoryName.parse(from)));
            }
            case Route.Upload u -> AccessRequest.of(Access.push(u.name()));
            case Route.Manifest m -> AccessRequest.of(switch (method) {
                case "PUT" -> Access.push(m.name());
                case "DELETE" -> Access.delete(m.name());
                default -> Access.pull(m.name());
            });
            case Route.TagsList t -> AccessRequest.of(Access.pull(t.name()));
            case Route.Referrers r -> AccessRequest.of(Access.pull(r.name()));
            case Route.Unknown u -> throw new IllegalStateException("an unknown route needs no access");
            case Route.Token t -> throw new IllegalStateException("the token endpoint signs its callers in itself");
        };
    }

    /** The request as its events describe it; the client's address as Distribution takes it, a proxy's forwarding first. */
    private RequestRecord record(Exchange ex, Request request, Caller caller) {
        String forwarded = ex.header("X-Forwarded-For");
        String addr = forwarded != null && !forwarded.isBlank() ? forwarded.split(",")[0].trim()
                : ex.header("X-Real-Ip") != null ? ex.header("X-Real-Ip")
                : Request.getRemoteAddr(request) + ":" + Request.getRemotePort(request);
        return new RequestRecord(ex.responseHeader(RequestIds.HEADER), addr, request.getHttpURI().getAuthority(), ex.method(),
                ex.header("User-Agent"), caller.anonymous() ? null : caller.name(), reachedAt(request));
    }

    /** What the request brings to the authoriser, and where the client reached this registry (for a token realm). */
    private Credentials credentials(Exchange ex, Request request) {
        return new Credentials(ex.header("Authorization"), Request.getRemoteAddr(request), () -> reachedAt(request));
    }

    private String reachedAt(Request request) {
        if (!origin.isEmpty()) {
            return origin + prefix;
        }
        String authority = request.getHttpURI().getAuthority();
        return request.getHttpURI().getScheme() + "://"
                + (authority != null && AUTHORITY.matcher(authority).matches() ? authority : "localhost") + prefix;
    }

    private void serve(Exchange ex, Route route, Namespace registry) throws IOException {
        String method = ex.method();
        switch (route) {
            case Route.Base b -> {
                switch (method) {
                    case "GET", "HEAD" -> ex.sendJson(200, Map.of());
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Blob b -> {
                switch (method) {
                    case "GET", "HEAD" -> blobs.get(ex, registry.repository(b.name()), b);
                    case "DELETE" -> blobs.delete(ex, registry.repository(b.name()), b);
                    default -> methodNotAllowed(ex, "GET, HEAD, DELETE");
                }
            }
            case Route.UploadStart u -> {
                switch (method) {
                    case "POST" -> uploads.start(ex, registry.repository(u.name()), u);
                    default -> methodNotAllowed(ex, "POST");
                }
            }
            case Route.Upload u -> {
                switch (method) {
                    case "GET", "HEAD" -> uploads.status(ex, registry.repository(u.name()), u);
                    case "PATCH" -> uploads.patch(ex, registry.repository(u.name()), u);
                    case "PUT" -> uploads.finish(ex, registry.repository(u.name()), u);
                    case "DELETE" -> uploads.cancel(ex, registry.repository(u.name()), u);
                    default -> methodNotAllowed(ex, "GET, HEAD, PATCH, PUT, DELETE");
                }
            }
            case Route.Manifest m -> {
                switch (method) {
                    case "GET", "HEAD" -> manifests.get(ex, registry.repository(m.name()), m);
                    case "PUT" -> manifests.put(ex, registry.repository(m.name()), m);
                    case "DELETE" -> manifests.delete(ex, registry.repository(m.name()), m);
                    default -> methodNotAllowed(ex, "GET, HEAD, PUT, DELETE");
                }
            }
            case Route.TagsList t -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.tags(ex, registry.repository(t.name()), t);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Catalog c -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.catalog(ex, registry);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Referrers r -> {
                switch (method) {
                    case "GET", "HEAD" -> listings.referrers(ex, registry.repository(r.name()), r);
                    default -> methodNotAllowed(ex, "GET, HEAD");
                }
            }
            case Route.Unknown u -> throw new IllegalStateException("an unknown route is answered before it is served");
            case Route.Token t -> throw new IllegalStateException("the token endpoint is answered before the registry is served");
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
