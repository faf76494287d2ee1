package io.berth.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.Digest;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.filesystem.FilesystemDriver;
import io.berth.storage.driver.s3.S3Driver;
import io.berth.testing.S3Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The race protocol between pushes and an online collection, on the filesystem and on S3: a
 * collector sees the claims written before its sweep marker, a push waits for a sweep that names its
 * digests, and a claim outlives its push while a collection that may have missed it runs.
 */
class GcClaimsTest {

    private static final Digest X = Digest.sha256("x".getBytes());
    private static final Digest Y = Digest.sha256("y".getBytes());
    private static final Digest Z = Digest.sha256("z".getBytes());
    private static final AtomicInteger ROOTS = new AtomicInteger();
    static Path folder;
    static String bucket;
    static StorageDriver filesystem;
    static StorageDriver s3;

    @BeforeAll
    static void storage() throws Exception {
        folder = Files.createTempDirectory("gc-claims");
        bucket = S3Proxy.shared().createBucket("gc-claims");
    }

    @AfterAll
    static void close() throws Exception {
        for (StorageDriver driver : new StorageDriver[] {filesystem, s3}) {
            if (driver != null) {
                driver.close();
            }
        }
    }

    static Stream<Arguments> drivers() {
        return Stream.of(
                Arguments.of("filesystem", (Supplier<StorageDriver>) () ->
                        new FilesystemDriver(folder.resolve("root-" + ROOTS.incrementAndGet()))),
                Arguments.of("s3", (Supplier<StorageDriver>) () ->
                        new S3Driver(S3Proxy.shared().settings(bucket).withRootDirectory("/root-" + ROOTS.incrementAndGet()))));
    }

    private static List<String> claimFiles(StorageDriver driver) throws Exception {
        try {
            return driver.list(Paths.of(new Paths.GcClaims()));
        } catch (io.berth.storage.driver.StorageDriverException.PathNotFound e) {
            return List.of();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void aSweepAnnouncedAfterAClaimKeepsTheClaimedCandidates(String kind, Supplier<StorageDriver> drivers) throws Exception {
        try (StorageDriver driver = drivers.get()) {
            GcClaims claims = GcClaims.on(driver);
            try (GcClaims.Claim claim = claims.claim(List.of(X, Y))) {
                assertThat(claim.active()).isTrue();
                assertThat(claims.announceSweep(Set.of(X, Z), Instant.now())).containsExactly(X);
                claims.endSweep();
            }
            assertThat(claimFiles(driver)).isEmpty();
            assertThat(claims.announceSweep(Set.of(X, Z), Instant.now())).isEmpty();
            claims.endSweep();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void aClaimWaitsForASweepOfItsDigestsAndGoesOnOnceItEnds(String kind, Supplier<StorageDriver> drivers) throws Exception {
        try (StorageDriver driver = drivers.get()) {
            GcClaims claims = GcClaims.on(driver);
            claims.announceSweep(Set.of(X), Instant.now());
            try (GcClaims.Claim other = claims.claim(List.of(Y))) {
                assertThat(other.active()).isTrue(); // a sweep of other digests holds nothing up
            }

            CompletableFuture<Void> push = CompletableFuture.runAsync(() -> {
                try (GcClaims.Claim claim = claims.claim(List.of(Y, X))) {
                    claim.published();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            while (claimFiles(driver).isEmpty()) {
                Thread.sleep(10); // until the push has claimed
            }
            assertThat(push).isNotDone();
            assertThat(claims.announceSweep(Set.of(X), Instant.now())).containsExactly(X);

            claims.endSweep();
            push.get(10, TimeUnit.SECONDS);
            assertThat(claimFiles(driver)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void aPublishedClaimStaysForTheRunningCollectionUntilALaterOneFindsItStale(String kind, Supplier<StorageDriver> drivers)
            throws Exception {
        try (StorageDriver driver = drivers.get()) {
            GcClaims claims = GcClaims.on(driver);
            Instant started = claims.startCollecting("test");
            try (GcClaims.Claim failed = claims.claim(List.of(Z))) {
                assertThat(failed.active()).isTrue(); // never published: removed even during a collection
            }
            try (GcClaims.Claim claim = claims.claim(List.of(X))) {
                claim.published();
            }
            assertThat(claimFiles(driver)).hasSize(1);
            assertThat(claims.announceSweep(Set.of(X), started)).containsExactly(X);
            claims.endSweep();
            claims.endCollecting();

            assertThat(claims.removeStaleClaims(started)).isZero();
            assertThat(claimFiles(driver)).hasSize(1);
            // A collection that starts after the publish sees the revision: the claim counts no more.
            Instant next = started.plusSeconds(30);
            assertThat(claims.announceSweep(Set.of(X), next)).isEmpty();
            claims.endSweep();
            try (GcClaims.Claim inFlight = claims.claim(List.of(Y))) {
                assertThat(claims.removeStaleClaims(next)).isEqualTo(1);
                assertThat(claimFiles(driver)).hasSize(1); // a push in flight keeps its claim until past its deadline
                Instant muchLater = Instant.now().plus(GcClaims.PUBLISH_DEADLINE).plus(Duration.ofMinutes(2));
                assertThat(claims.removeStaleClaims(muchLater)).isEqualTo(1);
                assertThat(claimFiles(driver)).isEmpty();
            }

            try (GcClaims.Claim claim = claims.claim(List.of(X))) {
                claim.published(); // no collection runs: the claim goes with the push
            }
            assertThat(claimFiles(driver)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("drivers")
    void touchedBlobsCountFromTheirMarkersTimeUntilRemoved(String kind, Supplier<StorageDriver> drivers) throws Exception {
        try (StorageDriver driver = drivers.get()) {
            GcClaims claims = GcClaims.on(driver);
            Instant before = driver.stat(startedMarker(claims)).modified().minusSeconds(5);
            driver.publish(claims.touch(X));
            driver.publish(claims.touch(Y));

            assertThat(claims.touchedSince(before)).containsExactlyInAnyOrder(X, Y);
            assertThat(claims.touchedSince(before.plus(Duration.ofHours(1)))).isEmpty();
            assertThat(claims.removeTouchedBefore(before)).isZero();
            assertThat(claims.removeTouchedBefore(before.plus(Duration.ofHours(1)))).isEqualTo(2);
            assertThat(claims.touchedSince(before)).isEmpty();
            assertThat(GcClaims.OFF.touch(X)).isEmpty();
        }
    }

    /** A file written now, whose time is storage's "now". */
    private static String startedMarker(GcClaims claims) throws Exception {
        claims.startCollecting("test");
        return Paths.of(new Paths.GcCollecting());
    }
}
