package io.berth.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The debug address ({@code http.debug.addr}): plain HTTP for the operator's tools, apart from the
 * registry's port. {@code /debug/health} answers 200 {@code {}} when healthy and 503 with the
 * failing checks otherwise, as Distribution does; the metrics path serves Prometheus' text format
 * when metrics are on (null otherwise).
 */
public final class DebugServer implements AutoCloseable {

    /** Distribution's health endpoint. */
    public static final String HEALTH_PATH = "/debug/health";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;

    /** {@code views}: more JSON pages by path, e.g. {@code /debug/notifications}, each value written at each GET. */
    public DebugServer(InetSocketAddress address, Health health, Metrics metrics, String metricsPath, Map<String, Supplier<Object>> views) {
        // A handful of platform threads: scrapes and probes come a few times a minute.
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("berth-debug");
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(address.getHostString());
        connector.setPort(address.getPort());
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                boolean read = request.getMethod().equals("GET") || request.getMethod().equals("HEAD");
                if (path.equals(HEALTH_PATH) && read) {
                    Map<String, String> failures = health.failures();
                    send(request, response, callback, failures.isEmpty() ? 200 : 503, "application/json; charset=utf-8",
                            JSON.writeValueAsBytes(failures));
                } else if (views.containsKey(path) && read) {
                    send(request, response, callback, 200, "application/json; charset=utf-8",
                            JSON.writeValueAsBytes(views.get(path).get()));
                } else if (metrics != null && path.equals(metricsPath) && read) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
                    metrics.scrape(body);
                    send(request, response, callback, 200, metrics.contentType(), body.toByteArray());
                } else {
                    send(request, response, callback, 404, "text/plain; charset=utf-8", "404 page not found\n".getBytes());
                }
                return true;
            }
        });
    }

    private static void send(Request request, Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.write(true, ByteBuffer.wrap(request.getMethod().equals("HEAD") ? new byte[0] : body), callback);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound, useful when asked for port 0. */
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
