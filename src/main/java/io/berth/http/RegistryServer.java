package io.berth.http;

import io.berth.http.tls.TlsContexts;
import io.berth.http.tls.TlsSettings;
import io.berth.observe.AccessLog;
import io.berth.observe.Metrics;
import io.berth.observe.RequestRecord;
import io.berth.auth.Authorizer;
import io.berth.auth.TokenServer;
import io.berth.registry.ManifestMemory;
import io.berth.registry.Namespace;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of a registry: Jetty on one address, every request on its own virtual thread;
 * HTTPS with HTTP/2 by ALPN when TLS is configured.
 */
public final class RegistryServer implements AutoCloseable {

    /**
     * What the HTTP layer needs: where and how to listen ({@code tls} null for plain HTTP/1.1), the
     * upload-state key, what the registry allows, how URLs it hands out look ({@code prefix} empty or
     * e.g. {@code /registry}; {@code host} empty or a URL whose scheme and authority make Locations
     * absolute), headers for every response, how long a stop waits for requests in flight, and
     * whether blob GETs may redirect to the storage's own URL (when the driver has one), the bounds on
     * what clients may hold, the age past which an idle upload is purged (its slot then frees), and a
     * pull-through cache's {@code ?ns=} values with the remote each names (empty when not a cache).
     */
    public record Settings(InetSocketAddress address, byte[] secret, boolean deleteEnabled, boolean readOnly,
            String prefix, String host, Map<String, List<String>> headers, TlsSettings tls, boolean http2Disabled,
            Duration drainTimeout, boolean redirects, Limits limits, Duration uploadPurgeAge, Map<String, String> mirrorNamespaces) {}

    /** Where the built-in token server answers, under {@code http.prefix}. */
    public static final String TOKEN_PATH = "/auth/token";

    private static final Logger log = LoggerFactory.getLogger(RegistryServer.class);

    private static final int MAX_PLATFORM_THREADS = 64;
    private static final int PLATFORM_THREAD_IDLE_MILLIS = 5_000;
    private static final int INPUT_BUFFER = 64 * 1024;
    private static final int STREAM_BUFFER_MAX = StreamBuffers.LARGE;
    private static final long POOL_HEAP_BYTES = 8L * 1024 * 1024;
    private static final long POOL_DIRECT_BYTES = 16L * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final InFlight inFlight = new InFlight();
    private final Duration drainTimeout;
    private final HeaderDeadline headerDeadline;
    private ScheduledExecutorService sweeper;

    /**
     * What the server serves: the registry, the bound on manifests in memory, the clock of upload
     * ages, who may do what, the built-in token server (null when it is off), and what wraps the
     * registry for each request (null for nothing).
     */
    public record Services(Namespace registry, ManifestMemory manifestMemory, Clock clock, Authorizer authorizer, TokenServer tokenServer,
            RequestScope scope) {}

    /** Wraps the registry as one request may use it, e.g. to record the request's events; null in {@link Services} for none. */
    @FunctionalInterface
    public interface RequestScope {
        Namespace wrap(Namespace registry, RequestRecord request);
    }

    /** A server whose requests are access-logged and counted as given; either may be null, for none. */
    public RegistryServer(Services services, Settings settings, AccessLog accessLog, Metrics metrics) {
        // Requests run on virtual threads; the few platform threads only select and accept.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_PLATFORM_THREADS);
        threads.setName("berth");
        // A flood of connections grows the pool to its maximum; afterwards every idle thread above the
        // minimum may go at once, instead of Jetty's default of one per idle timeout (an hour for 60).
        threads.setIdleTimeout(PLATFORM_THREAD_IDLE_MILLIS);
        threads.setMaxEvictCount(MAX_PLATFORM_THREADS);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // A bounded buffer pool keeps memory flat however many connections come and go.
        ArrayByteBufferPool buffers = new ArrayByteBufferPool(0, 4096, STREAM_BUFFER_MAX, -1, POOL_HEAP_BYTES, POOL_DIRECT_BYTES);
        server = new Server(threads, null, buffers);
        drainTimeout = settings.drainTimeout();

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Paths reach the router undecoded; it validates every segment itself and answers in JSON.
        http.setUriCompliance(UriCompliance.UNSAFE);
        // Jetty's per-connection header cache is a 64 KiB table made at a connection's second request:
        // 1000 keep-alive connections would pin 64 MiB of heap for a little less parsing.
        http.setHeaderCacheSize(0);
        // A response's head goes in a heap buffer: a direct one (8 KiB) stays taken while a slow client
        // holds up the first write, so 1000 of them would take a quarter of the launcher's direct memory.
        http.setUseOutputDirectByteBuffers(false);
        Limits limits = settings.limits();
        connector = settings.tls() == null ? plainConnector(server, http, limits.connections()) : tlsConnector(server, http, settings);
        connector.setHost(settings.address().getHostString());
        connector.setPort(settings.address().getPort());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        headerDeadline = new HeaderDeadline(limits.headerTimeout());
        connector.addBean(headerDeadline);
        // Jetty cuts the idle timeout of every connection to a second when a drain begins, which would
        // end a slow upload early: the drain timeout alone bounds how long requests may take.
        connector.setShutdownIdleTimeout(connector.getIdleTimeout());
        server.addConnector(connector);

        UploadStateCodec states = new UploadStateCodec(settings.secret());
        String origin = origin(settings.host());
        String urlBase = origin + settings.prefix();
        server.setHandler(new ObservingHandler(new Router(services.registry(), services.scope(), services.authorizer(), origin,
                services.tokenServer() == null ? null : new TokenHandler(services.tokenServer()),
                new BlobHandler(settings.deleteEnabled(), settings.redirects()),
                new UploadHandler(states, urlBase, new OpenUploads(limits.uploads(), limits.uploadsPerRepository(),
                        settings.uploadPurgeAge(), services.clock())),
                new ManifestHandler(services.manifestMemory(), settings.deleteEnabled(), urlBase),
                new ListingHandler(settings.prefix()),
                settings.prefix(), settings.readOnly(), settings.headers(), inFlight,
                new Exchange.Bounds(limits.minBodyRate(), limits.minResponseRate(), StreamBuffers.forDirectMemory()),
                settings.mirrorNamespaces()), accessLog, metrics));
        server.setErrorHandler(new JsonErrorHandler());
    }

    private static HttpConnectionFactory http11(HttpConfiguration http) {
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        // Layers arrive in megabytes: bigger reads mean fewer syscalls and hand-offs per upload.
        http11.setInputBufferSize(INPUT_BUFFER);
        return http11;
    }

    /** HTTP/1.1 behind the connection cap. */
    private static ServerConnector plainConnector(Server server, HttpConfiguration http, int cap) {
        HttpConnectionFactory http11 = http11(http);
        return new ServerConnector(server, new ConnectionCap(cap, http11.getProtocol(), true), http11);
    }

    /** The cap, TLS, then HTTP/2 or HTTP/1.1 as the client and ALPN choose; HTTP/1.1 alone when HTTP/2 is disabled. */
    private static ServerConnector tlsConnector(Server server, HttpConfiguration http, Settings settings) {
        SslContextFactory.Server tls = TlsContexts.server(settings.tls());
        HttpConfiguration https = new HttpConfiguration(http);
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        // Clients reach a registry by IP or by names its certificate may not list; Distribution does not check either.
        secure.setSniHostCheck(false);
        https.addCustomizer(secure);
        HttpConnectionFactory http11 = http11(https);
        int cap = settings.limits().connections();
        if (settings.http2Disabled()) {
            SslConnectionFactory ssl = new SslConnectionFactory(tls, http11.getProtocol());
            return new ServerConnector(server, new ConnectionCap(cap, ssl.getProtocol(), false), ssl, http11);
        }
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(https);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory(h2.getProtocol(), http11.getProtocol());
        // A client that offers no ALPN, or only http/1.1, gets HTTP/1.1.
        alpn.setDefaultProtocol(http11.getProtocol());
        SslConnectionFactory ssl = new SslConnectionFactory(tls, alpn.getProtocol());
        return new ServerConnector(server, new ConnectionCap(cap, ssl.getProtocol(), false), ssl, alpn, h2, http11);
    }

    /** {@code scheme://authority} of {@code http.host}, or empty: Distribution uses nothing else of it. */
    private static String origin(String host) {
        if (host == null || host.isEmpty()) {
            return "";
        }
        URI uri = URI.create(host);
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    public void start() throws Exception {
        server.start();
        sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("berth-header-deadline").factory());
        long period = headerDeadline.period().toMillis();
        sweeper.scheduleWithFixedDelay(headerDeadline::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    /** The port actually bound, useful when asked for port 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops accepting, lets the requests in flight finish within the drain timeout, then closes
     * every connection, cutting what is still running. Returns once the server is down.
     */
    public void stop() throws Exception {
        if (server.isRunning() && drainTimeout.isPositive()) {
            // Closes the listening socket; connections stay, a new request on one gets 503 (see Router).
            connector.shutdown();
            try {
                inFlight.shutdown().get(drainTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.warn("requests still running after http.draintimeout ({} ms) are cut", drainTimeout.toMillis());
            }
        }
        // Idle connections need no waiting for: they close here, with any request still running.
        server.stop();
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
