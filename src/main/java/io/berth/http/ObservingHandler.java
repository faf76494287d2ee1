package io.berth.http;

import io.berth.observe.AccessLog;
import io.berth.observe.Endpoint;
import io.berth.observe.Metrics;
import io.berth.observe.RequestIds;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.MDC;

/**
 * Wraps the router to give every request an id (its {@code X-Request-Id}, or a new one, sent back
 * on every response) and, once it is answered, an access-log line and its metrics. It counts body
 * bytes as they pass, so its cost is a few field updates per request; the router tells it which
 * route the request took through {@link #routed}. The id and the route are in the logging context
 * (MDC) while the request is handled, so every line logged for it, by any layer, carries them: the
 * request is handled to its end on the thread that calls {@link #handle}.
 */
final class ObservingHandler extends Handler.Wrapper {

    private final AccessLog accessLog;
    private final Metrics metrics;

    /** The actor of a request no credentials were judged for. */
    private static final String ANONYMOUS = "anonymous";

    /** Either may be null: no access log ({@code log.accesslog.disabled}), no metrics (Prometheus off). */
    ObservingHandler(Handler router, AccessLog accessLog, Metrics metrics) {
        super(router);
        this.accessLog = accessLog;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long start = System.nanoTime();
        String id = RequestIds.accept(request.getHeaders().get(RequestIds.HEADER));
        response.getHeaders().put(RequestIds.HEADER, id);
        MDC.put(AccessLog.REQUEST_ID, id);
        try {
            return observe(request, response, callback, id, start);
        } finally {
            MDC.remove(AccessLog.REQUEST_ID);
            MDC.remove(AccessLog.ROUTE);
            MDC.remove(AccessLog.ACTOR);
        }
    }

    private boolean observe(Request request, Response response, Callback callback, String id, long start) throws Exception {
        if (metrics == null && (accessLog == null || !accessLog.enabled())) {
            return super.handle(request, response, callback);
        }
        if (metrics != null) {
            metrics.requestStarted();
        }
        Observed observed = new Observed(request, id, start);
        CountingResponse counted = new CountingResponse(observed, response);
        Callback done = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                finish(observed, counted);
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                finish(observed, counted);
                super.failed(x);
            }
        };
        try {
            return super.handle(observed, counted, done);
        } catch (Throwable e) {
            finish(observed, counted);
            throw e;
        }
    }

    /**
     * Records the route a request took, for its metrics label and access line. Called by the router;
     * a request whose path matched no route, or named no valid repository, stays {@code unknown}.
     */
    static void routed(Request request, Endpoint route) {
        MDC.put(AccessLog.ROUTE, route.label());
        Observed observed = Request.as(request, Observed.class);
        if (observed != null) {
            observed.route(route);
        }
    }

    /** Records who made a request, once the router has judged its credentials. */
    static void signedIn(Request request, String actor) {
        MDC.put(AccessLog.ACTOR, actor);
        Observed observed = Request.as(request, Observed.class);
        if (observed != null) {
            observed.actor = actor;
        }
    }

    /** Runs once per request, before the response is completed, while the request's state can still be read. */
    private void finish(Observed observed, CountingResponse counted) {
        if (observed.finished) {
            return;
        }
        observed.finished = true;
        long nanos = System.nanoTime() - observed.start;
        int status = counted.getStatus() == 0 ? 200 : counted.getStatus();
        String method = observed.getMethod();
        if (metrics != null) {
            if (observed.upload) {
                metrics.uploadFinished();
            }
            metrics.requestFinished(observed.route, method, status, observed.bytesIn, counted.bytesOut, nanos);
        }
        if (accessLog != null && accessLog.enabled()) {
            accessLog.record(method, observed.getHttpURI().getPathQuery(), status, observed.bytesIn, counted.bytesOut, nanos,
                    Request.getRemoteAddr(observed), observed.getHeaders().get(HttpHeader.USER_AGENT), observed.id, observed.route,
                    observed.actor);
        }
    }

    /** The request as the router sees it: counts body bytes read and remembers its route. */
    private final class Observed extends Request.Wrapper {
        final String id;
        final long start;
        Endpoint route = Endpoint.UNKNOWN;
        String actor = ANONYMOUS;
        long bytesIn;
        boolean upload;
        boolean finished;

        Observed(Request request, String id, long start) {
            super(request);
            this.id = id;
            this.start = start;
        }

        void route(Endpoint route) {
            this.route = route;
            String method = getMethod();
            if (metrics != null && route == Endpoint.UPLOAD && !upload
                    && (method.equals("PATCH") || method.equals("PUT") || method.equals("POST"))) {
                upload = true;
                metrics.uploadStarted();
            }
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk != null) {
                bytesIn += chunk.remaining();
            }
            return chunk;
        }
    }

    /**
     * The response as the router writes it: counts body bytes written, and finishes the request's
     * record before its last write, since that write can end the exchange (a {@code Connection: close}
     * response is shut down with it) before the handler's callback runs.
     */
    private final class CountingResponse extends Response.Wrapper {
        private final Observed observed;
        long bytesOut;

        CountingResponse(Observed observed, Response response) {
            super(observed, response);
            this.observed = observed;
        }

        @Override
        public void write(boolean last, ByteBuffer content, Callback callback) {
            if (content != null) {
                bytesOut += content.remaining();
            }
            if (last) {
                finish(observed, this);
            }
            super.write(last, content, callback);
        }
    }
}
