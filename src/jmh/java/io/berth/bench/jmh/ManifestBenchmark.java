package io.berth.bench.jmh;

import io.berth.registry.Digest;
import io.berth.registry.Manifest;
import io.berth.registry.ManifestParser;
import io.berth.registry.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

/** {@code ManifestParser.parse} of a 3-layer OCI image manifest and a 10-entry OCI index, and {@code declaredMediaType} of the manifest, in ns/op. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ManifestBenchmark {

    private byte[] manifest;
    private byte[] index;

    @Setup
    public void setUp() {
        manifest = """
                {
                   "schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.manifest.v1+json",
                   "config": {
                      "mediaType": "application/vnd.oci.image.config.v1+json",
                      "digest": "%s",
                      "size": 2841
                   },
                   "layers": [
                      {
                         "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": "%s",
                         "size": 29754290
                      },
                      {
                         "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": "%s",
                         "size": 41873104
                      },
                      {
                         "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                         "digest": "%s",
                         "size": 1931
                      }
                   ],
                   "annotations": {
                      "org.opencontainers.image.base.digest": "%s",
                      "org.opencontainers.image.base.name": "docker.io/library/ubuntu:24.04",
                      "org.opencontainers.image.created": "2025-11-27T23:49:51Z"
                   }
                }
                """.formatted(sha("config"), sha("layer0"), sha("layer1"), sha("layer2"), sha("base"))
                .getBytes(StandardCharsets.UTF_8);

        String[][] platforms = {
            {"linux", "amd64", null}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"}, {"linux", "arm", "v6"},
            {"linux", "386", null}, {"linux", "ppc64le", null}, {"linux", "s390x", null}, {"linux", "riscv64", null},
            {"linux", "mips64le", null}, {"windows", "amd64", null},
        };
        List<String> entries = new ArrayList<>();
        for (int i = 0; i < platforms.length; i++) {
            String[] p = platforms[i];
            entries.add("""
                      {
                         "mediaType": "application/vnd.oci.image.manifest.v1+json",
                         "digest": "%s",
                         "size": %d,
                         "platform": {
                            "architecture": "%s",
                            "os": "%s"%s
                         }
                      }""".formatted(sha("child" + i), 1000 + 37 * i, p[1], p[0],
                    p[2] == null ? "" : ",\n                        \"variant\": \"" + p[2] + "\""));
        }
        index = """
                {
                   "schemaVersion": 2,
                   "mediaType": "application/vnd.oci.image.index.v1+json",
                   "manifests": [
                %s
                   ]
                }
                """.formatted(String.join(",\n", entries)).getBytes(StandardCharsets.UTF_8);

        // Measure the success path only.
        if (parseManifest().blobs().size() != 4 || parseIndex().children().size() != 10
                || !MediaTypes.OCI_MANIFEST.equals(declaredMediaType())) {
            throw new IllegalStateException("the benchmark's manifests do not parse as intended");
        }
    }

    private static String sha(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Benchmark
    public Manifest parseManifest() {
        return ManifestParser.parse(manifest, MediaTypes.OCI_MANIFEST, Digest.Algorithm.SHA256);
    }

    @Benchmark
    public Manifest parseIndex() {
        return ManifestParser.parse(index, MediaTypes.OCI_INDEX, Digest.Algorithm.SHA256);
    }

    @Benchmark
    public String declaredMediaType() {
        return ManifestParser.declaredMediaType(manifest);
    }
}
