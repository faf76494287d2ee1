package io.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.berth.storage.driver.inmemory.InMemoryDriver;
import io.berth.testing.CountingDriver;
import io.berth.testing.TestRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Berth closed, or failing to start, over a driver whose close fails: the servers are down
 * before the driver is closed, the driver's failure is reported, and nothing is left open.
 */
class BerthCloseTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path root;

    @Test
    void closeStopsTheServersBeforeTheDriverAndThrowsTheDriversCloseFailureOnce() throws Exception {
        CountingDriver driver = new CountingDriver(new InMemoryDriver());
        TestRegistry registry = TestRegistry.builder(root).driver(path -> driver)
                .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:0").start();
        int port = registry.port();
        int debugPort = registry.debugPort();
        assertThat(registry.get("/v2/").statusCode()).isEqualTo(200);
        List<Boolean> refusedWhenTheDriverCloses = new ArrayList<>();
        driver.onClose(() -> {
            refusedWhenTheDriverCloses.add(refused(port));
            refusedWhenTheDriverCloses.add(refused(debugPort));
            throw new IOException("driver close failed");
        });

        assertThatThrownBy(registry::close).isInstanceOf(IOException.class).hasMessage("driver close failed");
        assertThat(refusedWhenTheDriverCloses).as("registry and debug ports when the driver closes").containsExactly(true, true);
        assertThatCode(registry::close).as("a second close").doesNotThrowAnyException();
        assertThat(driver.count("close", "")).isEqualTo(1);
    }

    @Test
    void aStartThatFailsClosesWhatItOpenedAndAttachesTheCloseFailuresToItsCause() throws Exception {
        CountingDriver driver = new CountingDriver(new InMemoryDriver());
        int port = freePort();
        List<Boolean> refusedWhenTheDriverCloses = new ArrayList<>();
        driver.onClose(() -> {
            refusedWhenTheDriverCloses.add(refused(port));
            throw new IOException("driver close failed");
        });
        Throwable thrown;
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            // The registry server starts, then the debug server cannot bind.
            thrown = catchThrowable(() -> TestRegistry.builder(root).driver(path -> driver)
                    .env("REGISTRY_HTTP_ADDR", "127.0.0.1:" + port)
                    .env("REGISTRY_HTTP_DEBUG_ADDR", "127.0.0.1:" + taken.getLocalPort()).start());
        }

        assertThat(thrown).as("the start's failure").isNotNull();
        assertThat(thrown.getSuppressed()).extracting(Throwable::getMessage).containsExactly("driver close failed");
        assertThat(driver.count("close", "")).isEqualTo(1);
        assertThat(refusedWhenTheDriverCloses).as("the registry port when the driver closes").containsExactly(true);
        try (ServerSocket again = new ServerSocket(port, 1, LOOPBACK)) {
            assertThat(again.getLocalPort()).as("the registry's port, released").isEqualTo(port);
        }
    }

    private static boolean refused(int port) throws IOException {
        try (Socket socket = new Socket(LOOPBACK, port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }
}
