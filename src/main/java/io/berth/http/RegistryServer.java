package io.berth.http;

import io.berth.storage.Registry;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The HTTP face of a registry: Jetty on one address, every request on its own virtual thread. */
public final class RegistryServer implements AutoCloseable {

    /** What the HTTP layer needs to know: where to listen, the upload-state key, whether deletes are on. */
    public record Settings(InetSocketAddress address, byte[] secret, boolean deleteEnabled) {}

    private final Server server;
    private final ServerConnector connector;

    public RegistryServer(Registry registry, Settings settings) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("berth");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server = new Server(threads);
        // SIGTERM and SIGINT stop the server; join() then returns and the registry closes.
        server.setStopAtShutdown(true);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // Paths reach the router undecoded; it validates every segment itself and answers in JSON.
        http.setUriCompliance(UriCompliance.UNSAFE);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.address().getHostString());
        connector.setPort(settings.address().getPort());
        server.addConnector(connector);

        UploadStateCodec states = new UploadStateCodec(settings.secret());
        server.setHandler(new Router(
                new BlobHandler(registry, settings.deleteEnabled()),
                new UploadHandler(registry, states),
                new ManifestHandler(registry, settings.deleteEnabled()),
                new ListingHandler(registry)));
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
