package io.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bound on manifest bytes in memory: leases within it, 429 past it, room again once a lease is closed. */
class ManifestMemoryTest {

    @Test
    void leasePastTheBoundIsTooManyRequestsWithARetryAfter() throws Exception {
        ManifestMemory memory = new ManifestMemory(100, Duration.ZERO);
        try (ManifestMemory.Lease held = memory.acquire(60)) {
            assertThatThrownBy(() -> memory.acquire(41))
                    .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.error())
                            .isInstanceOfSatisfying(RegistryError.TooManyRequests.class, busy -> assertThat(busy.retryAfter()).isPositive()));
            memory.acquire(40).close();
        }
        memory.acquire(100).close();
    }

    @Test
    void closingALeaseTwiceReleasesItOnce() throws Exception {
        ManifestMemory memory = new ManifestMemory(100, Duration.ZERO);
        ManifestMemory.Lease first = memory.acquire(50);
        try (ManifestMemory.Lease second = memory.acquire(50)) {
            first.close();
            first.close();
            assertThatThrownBy(() -> memory.acquire(51)).isInstanceOf(RegistryException.class);
            memory.acquire(50).close();
        }
    }

    @Test
    void leaseLargerThanTheWholeBoundRunsAloneRatherThanNever() throws Exception {
        ManifestMemory memory = new ManifestMemory(100, Duration.ZERO);
        try (ManifestMemory.Lease alone = memory.acquire(1_000)) {
            assertThatThrownBy(() -> memory.acquire(1)).isInstanceOf(RegistryException.class);
        }
        memory.acquire(1).close();
    }

    @Test
    void leaseGrowsUpToTheWholeBoundWithoutWaitingForItself() throws Exception {
        ManifestMemory memory = new ManifestMemory(100, Duration.ZERO);
        try (ManifestMemory.Lease lease = memory.acquire(40)) {
            lease.grow(300);
            assertThatThrownBy(() -> memory.acquire(1)).isInstanceOf(RegistryException.class);
        }
        memory.acquire(100).close();
    }

    @Test
    void waitingRequestGetsItsLeaseWhenAnotherIsClosed() throws Exception {
        ManifestMemory memory = new ManifestMemory(100, Duration.ofMinutes(1));
        ManifestMemory.Lease held = memory.acquire(100);
        CompletableFuture<ManifestMemory.Lease> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.acquire(100);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(waiting).isNotDone();
        held.close();
        waiting.get(30, TimeUnit.SECONDS).close();
    }
}
