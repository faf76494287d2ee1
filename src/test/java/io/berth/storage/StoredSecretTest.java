package io.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload-state key kept in storage: made once, the first of processes starting together wins. */
class StoredSecretTest {

    static final int STARTING_TOGETHER = 8;

    @TempDir
    Path root;

    private static void everyoneGetsTheSameKeyAndNoProposalIsLeft(StorageDriver storage) throws Exception {
        StorageDriver driver = CheckedStorageDriver.wrap(storage);
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService starting = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> keys = IntStream.range(0, STARTING_TOGETHER).mapToObj(i -> starting.submit(() -> {
                go.await();
                return new String(StoredSecret.loadOrCreate(driver, true));
            })).toList();
            go.countDown();
            String first = keys.getFirst().get();
            for (Future<String> key : keys) {
                assertThat(key.get()).isEqualTo(first);
            }
            assertThat(first).matches("[0-9a-f]{64}");
        }
        assertThat(driver.list(Paths.ROOT + "/_berth")).containsExactly(Paths.of(new Paths.SecretDir(StoredSecret.Kind.HTTP_SECRET)));
    }

    @Test
    void processesStartingTogetherOnAFilesystemRootAllUseTheFirstStoredKey() throws Exception {
        everyoneGetsTheSameKeyAndNoProposalIsLeft(new FilesystemDriver(root));
    }

    @Test
    void processesStartingTogetherInMemoryAllUseTheFirstStoredKey() throws Exception {
        everyoneGetsTheSameKeyAndNoProposalIsLeft(new InMemoryDriver());
    }

    @Test
    void aRegistryThatMayNotWriteFindsNoKeyAndStoresNone() throws Exception {
        StorageDriver driver = CheckedStorageDriver.wrap(new InMemoryDriver());

        assertThat(StoredSecret.loadOrCreate(driver, false)).isNull();
        assertThat(driver.list("/")).isEmpty();
        byte[] made = StoredSecret.loadOrCreate(driver, true);
        assertThat(StoredSecret.loadOrCreate(driver, false)).isEqualTo(made);
    }
}
