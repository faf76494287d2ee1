package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** The benchmark scenarios: what each sets up untimed, and the operation it times. */
final class Scenarios {

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sizes and counts of one run; a scenario uses the ones that apply to it. */
    record Settings(long size, long count, int concurrency, long chunk, Duration duration) {}

    /** A scenario: it prepares its data with one untimed connection and returns the operation to time. */
    interface Scenario {
        String name();

        Settings defaults();

        Runner.Operation prepare(HttpConnection setup, Settings settings, long run) throws IOException;
    }

    private record Simple(String name, Settings defaults, Preparer preparer) implements Scenario {
        @Override
        public Runner.Operation prepare(HttpConnection setup, Settings settings, long run) throws IOException {
            return preparer.prepare(setup, settings, run, "bench/" + name + "-" + Long.toHexString(run));
        }
    }

    @FunctionalInterface
    private interface Preparer {
        Runner.Operation prepare(HttpConnection setup, Settings settings, long run, String repository) throws IOException;
    }

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    /** Every scenario by name, in the order they are listed. */
    static final Map<String, Scenario> ALL = new LinkedHashMap<>();

    static {
        add("push-monolithic", settings(4 * MIB, 50, 1), (setup, s, run, repo) -> {
            Payload[] blobs = blobs(run, s.count(), s.size());
            return (c, i) -> {
                Client.pushMonolithic(c, repo, blobs[(int) i]);
                return s.size();
            };
        });
        add("push-chunked", new Settings(4 * MIB, 50, 1, MIB, null), (setup, s, run, repo) -> {
            Payload[] blobs = blobs(run, s.count(), s.size());
            return (c, i) -> {
                Client.pushChunked(c, repo, blobs[(int) i], s.chunk());
                return s.size();
            };
        });
        add("pull-blob", settings(4 * MIB, 200, 1), (setup, s, run, repo) -> {
            Payload[] blobs = blobs(run, Math.min(8, s.count()), s.size());
            for (Payload blob : blobs) {
                Client.pushMonolithic(setup, repo, blob);
            }
            // Every 8th pull is hashed through; the rest check the digest header and the length.
            return (c, i) -> Client.pullBlob(c, repo, blobs[(int) (i % blobs.length)], i % 8 == 0);
        });
        add("pull-range", settings(64 * MIB, 2000, 1), (setup, s, run, repo) -> {
            Payload blob = Payload.of(run, s.size());
            Client.pushMonolithic(setup, repo, blob);
            long range = 4 * KIB;
            return (c, i) -> {
                long from = ThreadLocalRandom.current().nextLong(s.size() / range) * range;
                HttpConnection.Response response = Client.expect(c.send("GET", "/v2/" + repo + "/blobs/" + blob.digest(), null,
                        HttpConnection.BodyMode.KEEP, null, "Range", "bytes=" + from + "-" + (from + range - 1)), 206, "range GET");
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                blob.slice(from, range).writeTo(expected);
                if (!Arrays.equals(response.body(), expected.toByteArray())) {
                    throw new Client.WrongAnswer("range GET returned other bytes than the blob has at " + from);
                }
                return range;
            };
        });
        add("head-blob", settings(MIB, 5000, 16), (setup, s, run, repo) -> {
            Payload blob = Payload.of(run, s.size());
            Client.pushMonolithic(setup, repo, blob);
            String target = "/v2/" + repo + "/blobs/" + blob.digest();
            String length = String.valueOf(s.size());
            return (c, i) -> {
                HttpConnection.Response response = Client.expect(c.send("HEAD", target, null, HttpConnection.BodyMode.DISCARD, null), 200, "blob HEAD");
                Client.expectDigest(response, blob.digest(), "blob HEAD");
                if (!length.equals(response.header("Content-Length"))) {
                    throw new Client.WrongAnswer("blob HEAD Content-Length " + response.header("Content-Length"));
                }
                return 0;
            };
        });
        add("manifest-put", settings(0, 500, 16), (setup, s, run, repo) -> {
            Map<String, Object> image = image(setup, repo, run);
            return (c, i) -> {
                byte[] manifest = manifest(image, "push " + i);
                Client.putManifest(c, repo, "t" + i, manifest, OCI_MANIFEST);
                return manifest.length;
            };
        });
        for (String method : List.of("HEAD", "GET")) {
            for (String by : List.of("tag", "digest")) {
                add("manifest-" + method.toLowerCase() + "-" + by, settings(0, 5000, 16), (setup, s, run, repo) -> {
                    byte[] manifest = manifest(image(setup, repo, run), "read");
                    Client.putManifest(setup, repo, "bench", manifest, OCI_MANIFEST);
                    String digest = Payload.ofBytes(manifest).digest();
                    String target = "/v2/" + repo + "/manifests/" + (by.equals("tag") ? "bench" : digest);
                    return (c, i) -> {
                        HttpConnection.Response response = Client.expect(c.send(method, target, null, HttpConnection.BodyMode.KEEP, null,
                                "Accept", OCI_MANIFEST), 200, "manifest " + method);
                        Client.expectDigest(response, digest, "manifest " + method);
                        if (method.equals("GET") && !Arrays.equals(response.body(), manifest)) {
                            throw new Client.WrongAnswer("manifest GET returned other bytes");
                        }
                        return response.bodyLength();
                    };
                });
            }
        }
        add("tags-list", settings(0, 2000, 16), (setup, s, run, repo) -> {
            byte[] manifest = manifest(image(setup, repo, run), "tags");
            int tags = 100;
            for (int t = 0; t < tags; t++) {
                Client.putManifest(setup, repo, String.format("v%03d", t), manifest, OCI_MANIFEST);
            }
            return (c, i) -> {
                HttpConnection.Response response = Client.expect(c.send("GET", "/v2/" + repo + "/tags/list", null,
                        HttpConnection.BodyMode.KEEP, null), 200, "tags list");
                if (JSON.readTree(response.body()).path("tags").size() != tags) {
                    throw new Client.WrongAnswer("tags list did not hold the " + tags + " tags");
                }
                return response.bodyLength();
            };
        });
        add("catalog-page", settings(0, 500, 4), (setup, s, run, repo) -> {
            ensureRepositories(setup, 200);
            return (c, i) -> {
                HttpConnection.Response response = Client.expect(c.send("GET", "/v2/_catalog?n=100", null,
                        HttpConnection.BodyMode.KEEP, null), 200, "catalog page");
                if (JSON.readTree(response.body()).path("repositories").size() != 100) {
                    throw new Client.WrongAnswer("catalog page did not hold 100 repositories");
                }
                return response.bodyLength();
            };
        });
        add("catalog-all", settings(0, 200, 4), (setup, s, run, repo) -> {
            ensureRepositories(setup, 200);
            return (c, i) -> {
                List<String> all = catalog(c);
                if (all.stream().filter(r -> r.startsWith("bench-catalog/")).count() < 200) {
                    throw new Client.WrongAnswer("catalog listed fewer than the 200 repositories");
                }
                return 0;
            };
        });
        add("mix", new Settings(MIB, 0, 16, 0, Duration.ofSeconds(10)), (setup, s, run, repo) -> {
            Map<String, Object> image = image(setup, repo, run);
            Payload layer = Payload.of(run + 1, s.size());
            Client.pushMonolithic(setup, repo, layer);
            byte[] manifest = manifest(image, "mix");
            Client.putManifest(setup, repo, "mix", manifest, OCI_MANIFEST);
            String digest = Payload.ofBytes(manifest).digest();
            return (c, i) -> switch ((int) (i % 20)) {
                case 0, 1, 2, 3, 4, 5, 6, 7 -> {
                    Client.expectDigest(Client.expect(c.send("HEAD", "/v2/" + repo + "/manifests/mix", null,
                            HttpConnection.BodyMode.DISCARD, null, "Accept", OCI_MANIFEST), 200, "manifest HEAD"), digest, "manifest HEAD");
                    yield 0;
                }
                case 8, 9, 10, 11 -> Client.expect(c.send("GET", "/v2/" + repo + "/manifests/" + digest, null,
                        HttpConnection.BodyMode.DISCARD, null, "Accept", OCI_MANIFEST), 200, "manifest GET").bodyLength();
                case 12, 13, 14, 15, 16, 17 -> Client.pullBlob(c, repo, layer, i % 40 == 12);
                case 18 -> {
                    Client.expect(c.send("HEAD", "/v2/" + repo + "/blobs/" + layer.digest(), null,
                            HttpConnection.BodyMode.DISCARD, null), 200, "blob HEAD");
                    yield 0;
                }
                default -> {
                    Payload blob = Payload.of(run * 1_000_003 + i, 16 * KIB);
                    Client.pushMonolithic(c, repo, blob);
                    yield blob.length();
                }
            };
        });
        add("image-push", settings(16 * KIB, 5, 1), (setup, s, run, repo) -> {
            int layers = 50;
            return (c, i) -> {
                List<Object> descriptors = new ArrayList<>();
                for (int l = 0; l < layers; l++) {
                    Payload layer = Payload.of(run * 1_000_003 + i * layers + l, s.size());
                    pushIfMissing(c, repo, layer);
                    descriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer));
                }
                Payload config = Payload.ofBytes(("{\"image\":" + i + ",\"run\":" + run + "}").getBytes(StandardCharsets.UTF_8));
                pushIfMissing(c, repo, config);
                Map<String, Object> image = new LinkedHashMap<>();
                image.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
                image.put("layers", descriptors);
                Client.putManifest(c, repo, "image" + i, manifest(image, null), OCI_MANIFEST);
                return layers * s.size();
            };
        });
    }

    private Scenarios() {}

    private static void add(String name, Settings defaults, Preparer preparer) {
        ALL.put(name, new Simple(name, defaults, preparer));
    }

    private static Settings settings(long size, long count, int concurrency) {
        return new Settings(size, count, concurrency, MIB, null);
    }

    /** Distinct blobs for one run, their digests computed now, outside the timing. */
    private static Payload[] blobs(long run, long count, long size) {
        Payload[] blobs = new Payload[(int) count];
        for (int i = 0; i < count; i++) {
            blobs[i] = Payload.of(run * 1_000_003 + i, size);
            blobs[i].digest();
        }
        return blobs;
    }

    /** As a client pushes a layer: ask first, send only when the registry lacks it. */
    private static void pushIfMissing(HttpConnection c, String repository, Payload blob) throws IOException {
        int status = c.send("HEAD", "/v2/" + repository + "/blobs/" + blob.digest(), null, HttpConnection.BodyMode.DISCARD, null).status();
        if (status == 404) {
            Client.pushMonolithic(c, repository, blob);
        } else if (status != 200) {
            throw new Client.WrongAnswer("blob HEAD answered " + status);
        }
    }

    /** Pushes a config and one small layer; returns the manifest fields that name them. */
    private static Map<String, Object> image(HttpConnection setup, String repository, long run) throws IOException {
        Payload config = Payload.ofBytes(("{\"architecture\":\"amd64\",\"os\":\"linux\",\"run\":" + run + "}").getBytes(StandardCharsets.UTF_8));
        Payload layer = Payload.of(run, 4 * KIB);
        Client.pushMonolithic(setup, repository, config);
        Client.pushMonolithic(setup, repository, layer);
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
        image.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)));
        return image;
    }

    private static Map<String, Object> descriptor(String mediaType, Payload blob) {
        Map<String, Object> descriptor = new LinkedHashMap<>();
        descriptor.put("mediaType", mediaType);
        descriptor.put("digest", blob.digest());
        descriptor.put("size", blob.length());
        return descriptor;
    }

    /** An OCI image manifest for {@code image}; a note makes each one distinct. */
    private static byte[] manifest(Map<String, Object> image, String note) throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", OCI_MANIFEST);
        manifest.putAll(image);
        if (note != null) {
            manifest.put("annotations", Map.of("org.example.bench", note));
        }
        return JSON.writeValueAsBytes(manifest);
    }

    /** Makes sure the registry lists at least {@code count} repositories named bench-catalog/rNNN. */
    private static void ensureRepositories(HttpConnection setup, int count) throws IOException {
        List<String> existing = catalog(setup);
        for (int r = 0; r < count; r++) {
            String repository = String.format("bench-catalog/r%03d", r);
            if (!existing.contains(repository)) {
                Client.putManifest(setup, repository, "latest", manifest(image(setup, repository, r), null), OCI_MANIFEST);
            }
        }
    }

    /** Every repository, following the catalog's pages of 100. */
    private static List<String> catalog(HttpConnection c) throws IOException {
        List<String> all = new ArrayList<>();
        String next = "/v2/_catalog?n=100";
        while (next != null) {
            HttpConnection.Response response = Client.expect(c.send("GET", next, null, HttpConnection.BodyMode.KEEP, null), 200, "catalog");
            for (JsonNode name : JSON.readTree(response.body()).path("repositories")) {
                all.add(name.asText());
            }
            String link = response.header("Link");
            next = link == null ? null : Client.target(link.substring(link.indexOf('<') + 1, link.indexOf('>')));
        }
        return all;
    }
}
