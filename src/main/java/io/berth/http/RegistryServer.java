package io.berth.http;

import io.berth.observe.AccessLog;
import io.berth.observe.Metrics;
import io.berth.storage.Registry;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The HTTP face of a registry: Jetty on one address, every request on its own virtual thread. */
public final class RegistryServer implements AutoCloseable {

    /** What the HTTP layer needs to know: where to listen, the upload-state key, whether deletes are on. */
    public record Settings(InetSocketAddress address, byte[] secret, boolean deleteEnabled) {}

    private static final int MAX_PLATFORM_THREADS = 64;
    private static final int INPUT_BUFFER = 64 * 1024;
    private static final int STREAM_BUFFER_MAX = 1024 * 1024;
    private static final long POOL_HEAP_BYTES = 8L * 1024 * 1024;
    private static final long POOL_DIRECT_BYTES = 16L * 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;

    /** A server whose requests are access-logged and counted as given; either may be null, for none. */
    public RegistryServer(Registry registry, Settings settings, AccessLog accessLog, Metrics metrics) {
        // Requests run on virtual threads; the few platform threads only select and accept.
        QueuedThreadPool threads = new QueuedThreadPool(MAX_PLATFORM_THREADS);
        threads.setName("berth");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // A bounded buffer pool keeps memory flat however many connections come and go.
        ArrayByteBufferPool buffers = new ArrayByteBufferPool(0, 4096, STREAM_BUFFER_MAX, -1, POOL_HEAP_BYTES, POOL_DIRECT_BYTES);
        server = new Server(threads, null, buffers);
        // SIGTERM and SIGINT stop the server; join() then returns and the registry closes.
        server.setStopAtShutdown(true);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Paths reach the router undecoded; it validates every segment itself and answers in JSON.
        http.setUriCompliance(UriCompliance.UNSAFE);
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        // Layers arrive in megabytes: bigger reads mean fewer syscalls and hand-offs per upload.
        http11.setInputBufferSize(INPUT_BUFFER);
        connector = new ServerConnector(server, http11);
        connector.setHost(settings.address().getHostString());
        connector.setPort(settings.address().getPort());
        server.addConnector(connector);

        UploadStateCodec states = new UploadStateCodec(settings.secret());
        server.setHandler(new ObservingHandler(new Router(
                new BlobHandler(registry, settings.deleteEnabled()),
                new UploadHandler(registry, states),
                new ManifestHandler(registry, settings.deleteEnabled()),
                new ListingHandler(registry)), accessLog, metrics));
        server.setErrorHandler(new JsonErrorHandler());
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound, useful when asked for port 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
