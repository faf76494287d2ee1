package io.berth.testing;

import io.berth.storage.cache.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package) on a free loopback port, without persistence,
 * stopped by the PID it was started with. {@link #shared()} is one server for the whole test JVM;
 * tests that kill or pause Redis start their own with {@link #start()}.
 */
public final class RedisServer implements AutoCloseable {

    private static RedisServer shared;

    private final int port;
    private Process process;

    private RedisServer(int port) {
        this.port = port;
    }

    /** The server shared by the tests of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized RedisServer shared() throws IOException, InterruptedException {
        if (shared == null) {
            RedisServer server = start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
            shared = server;
        }
        return shared;
    }

    /** A server of the caller's own, which the caller closes. */
    public static RedisServer start() throws IOException, InterruptedException {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisServer server = new RedisServer(freePort());
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                last = e; // someone took the port between our probe and redis binding it
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, as {@code redis.addr} takes it. */
    public String addr() {
        return "127.0.0.1:" + port;
    }

    /** Settings for one database of this server, with Berth's default (short) timeouts. */
    public RedisSettings settings(int db) {
        return settings(db, Duration.ZERO);
    }

    /**
     * Settings with a read timeout of the test's choice: tests of what the cache answers use a long
     * one, so that a loaded machine does not turn a slow answer into a bypass.
     */
    public RedisSettings settings(int db, Duration readTimeout) {
        return new RedisSettings(addr(), "", "", db, Duration.ZERO, readTimeout, Duration.ZERO, 0, 0, Duration.ZERO, false);
    }

    /** A read timeout no healthy Redis misses, even on a busy test machine. */
    public static final Duration PATIENT = Duration.ofSeconds(5);

    /** A plain client connection, for tests that look at the keys themselves; the caller closes its client. */
    public static StatefulRedisConnection<String, String> connect(RedisClient client, RedisServer server, int db) {
        return client.connect(RedisURI.Builder.redis("127.0.0.1", server.port()).withDatabase(db).build());
    }

    /** Empties one database, so a test starts without entries an earlier test's storage justified. */
    public void flush(int db) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisConnection<String, String> connection = connect(client, this, db)) {
            connection.sync().flushdb();
        } finally {
            client.shutdown();
        }
    }

    /** SIGKILL: Redis vanishes mid-command, connections reset. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts Redis again on the same port, empty, after {@link #kill}. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    /** SIGSTOP: Redis keeps its connections but answers nothing, as a hung server does. */
    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            signal("-CONT");
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | InterruptedException e) {
            process.destroyForcibly();
        }
    }

    private void launch() throws IOException, InterruptedException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no")
                .redirectErrorStream(true).start();
        InputStream output = process.getInputStream();
        Thread.ofVirtual().start(() -> {
            try {
                output.transferTo(java.io.OutputStream.nullOutputStream()); // its log: nobody reads it
            } catch (IOException e) {
                // the process is gone
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + " (port " + port + " taken?)");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not listen on " + port + " within 10 s");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).start().waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
