package io.berth.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Packing and unpacking an HMAC-SHA256-signed upload state token with {@code UploadStateCodec}, in ns/op. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class UploadTokenBenchmark {

    private UploadStateCodec codec;
    private UploadStateCodec.UploadState state;
    private String token;

    @Setup
    public void setUp() {
        codec = new UploadStateCodec("a 32-byte secret for benchmarks!".getBytes(StandardCharsets.US_ASCII));
        state = new UploadStateCodec.UploadState(
                "library/ubuntu", "3f2b9c4e-8d1a-4c7b-9e2f-5a6b7c8d9e0f", 52_428_800L, "2025-11-27T23:49:51.123456789Z");
        token = codec.pack(state);
        if (!state.equals(codec.unpack(token))) {
            throw new IllegalStateException("the benchmark's token does not round-trip");
        }
    }

    // Object, not UploadState: the code JMH generates lives in another package and cannot name it.

    @Benchmark
    public String pack() {
        return codec.pack(state);
    }

    @Benchmark
    public Object unpack() {
        return codec.unpack(token);
    }
}
