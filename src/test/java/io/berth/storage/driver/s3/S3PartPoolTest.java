package io.berth.storage.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriverException.Busy;
import io.berth.testing.S3Proxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool S3 writers take their part buffer from, on a real S3 server: one part of heap and one of
 * temporary file here, so that the third writer finds the pool exhausted. Parts are S3's minimum.
 */
class S3PartPoolTest {

    private static final int MIB = 1024 * 1024;
    private static final int PART = 5 * MIB;
    private static String bucket;
    private static int roots;

    @TempDir
    Path spill;
    private S3Driver driver;

    @BeforeAll
    static void createBucket() {
        bucket = S3Proxy.shared().createBucket("partpool");
    }

    @AfterEach
    void closeDriver() {
        driver.close();
        S3Proxy.shared().empty(bucket);
    }

    private S3Driver open(long memoryParts, long spillParts, Duration maxWait) {
        S3Settings settings = S3Proxy.shared().settings(bucket).withRootDirectory("/pool-" + ++roots).withSizes(PART, PART, PART);
        driver = new S3Driver(settings, new PartBufferSettings(memoryParts * PART, spill, spillParts * PART, maxWait));
        return driver;
    }

    @Test
    void aWriterBeyondTheHeapShareGathersItsPartsInATemporaryFileUnlinkedAtOnce() throws Exception {
        open(1, 1, Duration.ofSeconds(1));
        byte[] first = random(2 * PART + 3, 1);
        byte[] second = random(2 * PART + 5, 2);

        try (FileWriter inMemory = driver.writer("/a", false); FileWriter inFile = driver.writer("/b", false)) {
            assertThat(driver.partPool().usage()).isEqualTo(new PartPool.Usage(1, 1, 0));
            write(inMemory, first);
            write(inFile, second);
            assertThat(openSpillFiles()).as("the spilled part is an open file with no name").hasSize(1)
                    .allSatisfy(link -> assertThat(link).endsWith("(deleted)"));
            assertThat(listSpill()).isEmpty();
            inMemory.commit();
            inFile.commit();
        }

        assertThat(driver.getContent("/a")).isEqualTo(first);
        assertThat(driver.getContent("/b")).isEqualTo(second);
        assertReleased();
    }

    @Test
    void aWriterFindingThePoolExhaustedGetsTheBufferAnotherReleases() throws Exception {
        open(1, 0, Duration.ofSeconds(30));
        byte[] content = random(PART + 7, 3);
        FileWriter holder = driver.writer("/held", false);

        CompletableFuture<byte[]> waiter = CompletableFuture.supplyAsync(() -> {
            try (FileWriter writer = driver.writer("/waiting", false)) {
                write(writer, content);
                writer.commit();
                return driver.getContent("/waiting");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
        awaitUsage(new PartPool.Usage(1, 0, 1));
        assertThat(waiter).isNotDone();

        holder.close();

        assertThat(waiter.get(30, TimeUnit.SECONDS)).isEqualTo(content);
        assertReleased();
    }

    @Test
    void pastTheWaitAWriterIsRefusedAsBusyAndTheOthersAreUntouched() throws Exception {
        open(1, 1, Duration.ofMillis(100));
        try (FileWriter a = driver.writer("/a", false); FileWriter b = driver.writer("/b", false)) {
            assertThatThrownBy(() -> driver.writer("/c", false)).isInstanceOfSatisfying(Busy.class, busy -> {
                assertThat(busy.retryAfter()).isPositive();
                assertThat(busy.getMessage()).contains("too many uploads in flight");
            });
            a.write(new byte[] {1});
            a.commit();
            b.write(new byte[] {2});
            b.commit();
        }
        assertThat(driver.getContent("/a")).containsExactly(1);
        assertThat(driver.getContent("/b")).containsExactly(2);
        assertThat(driver.list("/")).containsExactly("/a", "/b");
        assertReleased();
    }

    @Test
    void closeCancelCommitAndAFailedAppendEachGiveTheBuffersBack() throws Exception {
        open(1, 1, Duration.ofMillis(100));
        byte[] content = random(PART + 11, 4);
        try (FileWriter closed = driver.writer("/closed", false); FileWriter cancelled = driver.writer("/cancelled", false)) {
            write(closed, content);
            write(cancelled, content);
            cancelled.cancel();
        }
        assertReleased();
        assertThat(driver.stat("/closed").size()).as("a closed writer leaves its upload to continue").isEqualTo(content.length);

        // A small object changed between the writer's opening and its first byte: the append fails.
        driver.putContent("/small", new byte[1000]);
        FileWriter failing = driver.writer("/small", true);
        FileWriter spilled = driver.writer("/spilled", false);
        driver.putContent("/small", new byte[2000]);
        assertThatThrownBy(() -> failing.write(new byte[10])).isInstanceOf(IOException.class).hasMessageContaining("changed");
        failing.close();
        write(spilled, content);
        spilled.commit();
        spilled.close();
        assertReleased();
        assertThat(driver.getContent("/small")).as("nothing of the failed append was stored").hasSize(2000);
        assertThat(driver.getContent("/spilled")).isEqualTo(content);
    }

    private void assertReleased() throws IOException {
        assertThat(driver.partPool().usage()).isEqualTo(new PartPool.Usage(0, 0, 0));
        assertThat(openSpillFiles()).as("no spilled part is still open").isEmpty();
        assertThat(listSpill()).as("nothing left in the spill folder").isEmpty();
    }

    private void awaitUsage(PartPool.Usage expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!driver.partPool().usage().equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(driver.partPool().usage()).isEqualTo(expected);
    }

    /** The files of this JVM's descriptors that lie in the spill folder, as /proc shows them. */
    private List<String> openSpillFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    return ""; // closed meanwhile
                }
            }).filter(target -> target.startsWith(spill.toString())).toList();
        }
    }

    private List<Path> listSpill() throws IOException {
        try (Stream<Path> files = Files.list(spill)) {
            return files.toList();
        }
    }

    /** In HTTP-sized pieces, as an upload arrives. */
    private static void write(FileWriter writer, byte[] content) throws IOException {
        for (int at = 0; at < content.length; at += 64 * 1024) {
            writer.write(content, at, Math.min(64 * 1024, content.length - at));
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
