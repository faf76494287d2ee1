package io.berth.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A notification endpoint for tests: a JDK HTTP server on 127.0.0.1 that records every POST, answers
 * with the status it is told (or hangs until released), and can be stopped and started again on
 * the same port, as an endpoint that goes down and comes back.
 */
final class Receiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as it arrived, and what it was answered. */
    record Post(Headers headers, JsonNode body, int status) {}

    private final int port;
    private HttpServer server;
    private final List<Post> posts = new ArrayList<>();
    private volatile int status = 200;
    /** Answers with {@link #status} after this many POSTs were answered with 503; 0 for none. */
    private volatile int failFirst;
    private volatile CountDownLatch hang;
    private int hanging;

    private Receiver(int port) {
        this.port = port;
    }

    /** A receiver listening on a free port. */
    static Receiver start() throws IOException {
        Receiver receiver = new Receiver(freePort());
        receiver.up();
        return receiver;
    }

    /** A receiver for a free port that is not listening yet: the endpoint is down until {@link #up}. */
    static Receiver down() throws IOException {
        return new Receiver(freePort());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    String url() {
        return "http://127.0.0.1:" + port + "/events";
    }

    /** Starts listening (again). */
    synchronized void up() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 50);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/events", this::handle);
        server.start();
    }

    /** Stops listening: connections are refused until {@link #up}. */
    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    void answer(int status) {
        this.status = status;
    }

    void failFirst(int count) {
        this.failFirst = count;
    }

    /** From now on every POST waits, unanswered, until {@link #release}. */
    void hang() {
        hang = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch latch = hang;
        hang = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    synchronized int hanging() {
        return hanging;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            CountDownLatch latch = hang;
            if (latch != null) {
                synchronized (this) {
                    hanging++;
                    notifyAll();
                }
                try {
                    latch.await();
                } catch (InterruptedException e) {
                    return;
                }
            }
            int answer;
            synchronized (this) {
                long failed = posts.stream().filter(p -> p.status() == 503).count();
                answer = failed < failFirst ? 503 : status;
                posts.add(new Post(exchange.getRequestHeaders(), JSON.readTree(body), answer));
                notifyAll();
            }
            exchange.sendResponseHeaders(answer, -1);
        }
    }

    /** Every POST so far. */
    synchronized List<Post> posts() {
        return List.copyOf(posts);
    }

    /** The events of the POSTs answered 2xx, in order, each once (a redelivery is left out). */
    synchronized List<JsonNode> events() {
        Map<String, JsonNode> events = new LinkedHashMap<>();
        for (Post post : posts) {
            if (post.status() / 100 == 2) {
                post.body().path("events").forEach(e -> events.putIfAbsent(e.path("id").asText(), e));
            }
        }
        return new ArrayList<>(events.values());
    }

    /** Waits until the accepted events satisfy {@code done}; fails with what arrived when they do not in time. */
    List<JsonNode> await(Predicate<List<JsonNode>> done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                List<JsonNode> events = events();
                if (done.test(events)) {
                    return events;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the events expected did not arrive within " + timeout + "; received: " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Waits until at least one POST hangs. */
    synchronized void awaitHanging(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (hanging == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no POST arrived within " + timeout);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public void close() {
        release();
        stop();
    }
}
