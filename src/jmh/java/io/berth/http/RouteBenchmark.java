package io.berth.http;

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

/** {@code Route.match} of a blob path, an upload path with a 36-character id and a manifest path with a 3-component name, in ns/op. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class RouteBenchmark {

    private String blobPath = "/v2/library/ubuntu/blobs/sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c";
    private String uploadPath = "/v2/library/ubuntu/blobs/uploads/3f2b9c4e-8d1a-4c7b-9e2f-5a6b7c8d9e0f";
    private String manifestPath = "/v2/acme/platform/api-server/manifests/v1.4.2";

    @Setup
    public void setUp() {
        // Measure the routes meant, not a fall-through to Unknown.
        if (!(Route.match(blobPath) instanceof Route.Blob)
                || !(Route.match(uploadPath) instanceof Route.Upload)
                || !(Route.match(manifestPath) instanceof Route.Manifest m && m.name().value().equals("acme/platform/api-server"))) {
            throw new IllegalStateException("the benchmark's paths do not route as intended");
        }
    }

    // Object, not Route: the code JMH generates lives in another package and cannot name Route.

    @Benchmark
    public Object blob() {
        return Route.match(blobPath);
    }

    @Benchmark
    public Object upload() {
        return Route.match(uploadPath);
    }

    @Benchmark
    public Object manifest() {
        return Route.match(manifestPath);
    }
}
