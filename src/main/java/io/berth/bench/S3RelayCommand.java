package io.berth.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth bench s3-relay}: passes S3 requests through to an S3 server unchanged (signatures
 * included: the Host header goes along as it came), adding the {@code IsTruncated} element that
 * s3proxy leaves out of ListParts answers and without which Distribution 2.8's S3 driver crashes
 * on every resumed upload. The S3 benchmark puts both registries behind it, so that both pay the
 * same extra hop.
 */
@Command(name = "s3-relay", mixinStandardHelpOptions = true,
        description = "Relay S3 requests to an S3 server, completing s3proxy's ListParts answers for Distribution 2.8.")
final class S3RelayCommand implements Callable<Integer> {

    /** Headers of one connection, not of the message; the client sets Content-Length from the body. */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te", "trailer",
            "upgrade", "proxy-connection", "proxy-authorization", "content-length", "expect");

    @Option(names = "--listen", required = true, description = "Loopback port to listen on.")
    int port;

    @Option(names = "--to", required = true, description = "The S3 server, e.g. http://127.0.0.1:9000.")
    URI upstream;

    @Override
    public Integer call() throws Exception {
        // The signature covers Host: it must reach the server as the client sent it.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        QueuedThreadPool threads = new QueuedThreadPool(32);
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setUriCompliance(UriCompliance.UNSAFE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Relay(client, upstream));
        server.start();
        System.out.println("s3-relay listening on " + new InetSocketAddress("127.0.0.1", connector.getLocalPort()) + " for " + upstream);
        server.join();
        return 0;
    }

    private static final class Relay extends Handler.Abstract {
        private final HttpClient client;
        private final URI upstream;

        Relay(HttpClient client, URI upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            try {
                relay(request, response);
                callback.succeeded();
            } catch (Throwable e) {
                callback.failed(e);
            }
            return true;
        }

        private void relay(Request request, Response response) throws Exception {
            String pathQuery = request.getHttpURI().getPathQuery();
            long length = request.getLength();
            InputStream in = Content.Source.asInputStream(request);
            HttpRequest.BodyPublisher body = length > 0
                    ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> in), length)
                    : HttpRequest.BodyPublishers.noBody();
            HttpRequest.Builder forward = HttpRequest.newBuilder(upstream.resolve(pathQuery)).method(request.getMethod(), body);
            for (HttpField field : request.getHeaders()) {
                String name = field.getName().toLowerCase(Locale.ROOT);
                if (name.equals("expect")) {
                    forward.expectContinue(true);
                } else if (!HOP_BY_HOP.contains(name)) {
                    forward.header(field.getName(), field.getValue());
                }
            }
            HttpResponse<InputStream> answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.setStatus(answer.statusCode());
            answer.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> response.getHeaders().add(name, value));
                }
            });
            boolean listParts = request.getMethod().equals("GET") && pathQuery.contains("uploadId=") && !pathQuery.contains("partNumber=");
            try (InputStream from = answer.body(); OutputStream to = Content.Sink.asOutputStream(response)) {
                if (listParts && answer.statusCode() == 200) {
                    byte[] fixed = withIsTruncated(new String(from.readAllBytes(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                    response.getHeaders().put("Content-Length", String.valueOf(fixed.length));
                    to.write(fixed);
                } else {
                    answer.headers().firstValue("content-length").ifPresent(v -> response.getHeaders().put("Content-Length", v));
                    from.transferTo(to);
                }
            }
        }

        /** Adds {@code <IsTruncated>false</IsTruncated>} to a ListParts answer that has none: s3proxy sends every part at once. */
        static String withIsTruncated(String xml) {
            if (xml.contains("<IsTruncated>")) {
                return xml;
            }
            int open = xml.indexOf("<ListPartsResult");
            int end = open < 0 ? -1 : xml.indexOf('>', open);
            return end < 0 ? xml : xml.substring(0, end + 1) + "<IsTruncated>false</IsTruncated>" + xml.substring(end + 1);
        }
    }
}
