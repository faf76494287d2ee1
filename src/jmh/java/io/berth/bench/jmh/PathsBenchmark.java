package io.berth.bench.jmh;

import io.berth.registry.Digest;
import io.berth.registry.RepositoryName;
import io.berth.registry.Tag;
import io.berth.storage.Paths;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@code Paths.of} for a blob's data, a layer link and a tag's current link, from already validated values, in ns/op. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class PathsBenchmark {

    private Digest digest = Digest.parse("sha256:b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c");
    private RepositoryName name = RepositoryName.parse("library/ubuntu");
    private Tag tag = new Tag("24.04");

    @Benchmark
    public String blobData() {
        return Paths.of(new Paths.BlobData(digest));
    }

    @Benchmark
    public String layerLink() {
        return Paths.of(new Paths.LayerLink(name, digest));
    }

    @Benchmark
    public String tagCurrentLink() {
        return Paths.of(new Paths.TagCurrentLink(name, tag));
    }
}
