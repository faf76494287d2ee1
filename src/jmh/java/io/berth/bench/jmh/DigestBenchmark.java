package io.berth.bench.jmh;

import io.berth.registry.Digest;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** SHA-256 of 4 KiB, 64 KiB and 1 MiB buffers via {@code Digest.of} and via a reused {@code MessageDigest}; one op is one byte, so the score is bytes/µs (= MB/s). */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class DigestBenchmark {

    private static final int KIB_4 = 4 * 1024;
    private static final int KIB_64 = 64 * 1024;
    private static final int MIB_1 = 1024 * 1024;

    private byte[] buffer4k;
    private byte[] buffer64k;
    private byte[] buffer1m;
    private MessageDigest hasher;

    @Setup
    public void setUp() {
        Random random = new Random(42);
        buffer4k = new byte[KIB_4];
        buffer64k = new byte[KIB_64];
        buffer1m = new byte[MIB_1];
        random.nextBytes(buffer4k);
        random.nextBytes(buffer64k);
        random.nextBytes(buffer1m);
        hasher = Digest.Algorithm.SHA256.newHasher();
    }

    @Benchmark
    @OperationsPerInvocation(KIB_4)
    public Digest digestOf4KiB() {
        return Digest.of(Digest.Algorithm.SHA256, buffer4k);
    }

    @Benchmark
    @OperationsPerInvocation(KIB_64)
    public Digest digestOf64KiB() {
        return Digest.of(Digest.Algorithm.SHA256, buffer64k);
    }

    @Benchmark
    @OperationsPerInvocation(MIB_1)
    public Digest digestOf1MiB() {
        return Digest.of(Digest.Algorithm.SHA256, buffer1m);
    }

    @Benchmark
    @OperationsPerInvocation(KIB_4)
    public byte[] reusedHasher4KiB() {
        hasher.update(buffer4k);
        return hasher.digest();
    }

    @Benchmark
    @OperationsPerInvocation(KIB_64)
    public byte[] reusedHasher64KiB() {
        hasher.update(buffer64k);
        return hasher.digest();
    }

    @Benchmark
    @OperationsPerInvocation(MIB_1)
    public byte[] reusedHasher1MiB() {
        hasher.update(buffer1m);
        return hasher.digest();
    }
}
