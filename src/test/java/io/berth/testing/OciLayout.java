package io.berth.testing;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * Writes OCI image layouts (image-spec's {@code image-layout.md}) from generated files, with no container engine:
 * real gzip-compressed tar layers, an image config, manifests, image indexes and a tagged {@code index.json}.
 * The same seed always gives the same bytes, so digests are stable from run to run.
 */
public final class OciLayout {

    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    public static final String ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final ObjectMapper JSON = new ObjectMapper();
    // A fixed mtime in the tar headers, so that a layer's bytes depend only on the seed.
    private static final long MTIME = 1_767_225_600L;

    /** A content descriptor as image-spec defines it; absent fields are left out of the JSON. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Descriptor(String mediaType, String digest, long size, Map<String, String> platform,
                             Map<String, String> annotations) {

        Descriptor(String mediaType, String digest, long size) {
            this(mediaType, digest, size, null, null);
        }
    }

    /** One platform's image: its manifest and the blobs it references, in order. */
    public record Image(Descriptor manifest, Descriptor config, List<Descriptor> layers) {

        public String digest() {
            return manifest.digest();
        }

        public List<String> layerDigests() {
            return layers.stream().map(Descriptor::digest).toList();
        }
    }

    /** A multi-architecture image: an image index and the image of each platform, by architecture. */
    public record MultiArch(Descriptor index, Map<String, Image> platforms) {

        public String digest() {
            return index.digest();
        }
    }

    private final Path dir;
    private final List<Descriptor> tagged = new ArrayList<>();

    private OciLayout(Path dir) {
        this.dir = dir;
    }

    /** Starts an empty layout in {@code dir}: the {@code oci-layout} marker, an empty index and the blob folder. */
    public static OciLayout create(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        OciLayout layout = new OciLayout(dir);
        layout.writeIndex();
        return layout;
    }

    public Path dir() {
        return dir;
    }

    /** Adds a linux/amd64 image of {@code layers} layers under {@code tag}. */
    public Image addImage(String tag, int layers, long seed) throws IOException {
        Image image = image("amd64", layers, new Random(seed));
        tag(image.manifest(), tag);
        return image;
    }

    /** Adds an image index of a linux/amd64 and a linux/arm64 image, each with its own layers, under {@code tag}. */
    public MultiArch addMultiArch(String tag, long seed) throws IOException {
        Random random = new Random(seed);
        Map<String, Image> platforms = new LinkedHashMap<>();
        List<Descriptor> manifests = new ArrayList<>();
        for (String architecture : List.of("amd64", "arm64")) {
            Image image = image(architecture, 2, random);
            platforms.put(architecture, image);
            Descriptor m = image.manifest();
            manifests.add(new Descriptor(m.mediaType(), m.digest(), m.size(),
                    ordered("architecture", architecture, "os", "linux"), null));
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("manifests", manifests);
        Descriptor descriptor = putBlob(INDEX, JSON.writeValueAsBytes(index));
        tag(descriptor, tag);
        return new MultiArch(descriptor, platforms);
    }

    private Image image(String architecture, int layerCount, Random random) throws IOException {
        List<Descriptor> layers = new ArrayList<>();
        List<String> diffIds = new ArrayList<>();
        for (int i = 0; i < layerCount; i++) {
            byte[] tar = tar(files(architecture + "-layer" + i, random));
            diffIds.add(sha256(tar));
            layers.add(putBlob(LAYER, gzip(tar)));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2026-01-01T00:00:00Z");
        config.put("architecture", architecture);
        config.put("os", "linux");
        config.put("config", ordered("Env", List.of(ENV), "Cmd", List.of("/bin/sh", "-c", "cat /" + architecture + "-layer0/readme.txt")));
        config.put("rootfs", ordered("type", "layers", "diff_ids", diffIds));
        Descriptor configDescriptor = putBlob(CONFIG, JSON.writeValueAsBytes(config));

        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MANIFEST);
        manifest.put("config", configDescriptor);
        manifest.put("layers", layers);
        return new Image(putBlob(MANIFEST, JSON.writeValueAsBytes(manifest)), configDescriptor, List.copyOf(layers));
    }

    // Map.of iterates in an order that changes from one JVM to the next; JSON bytes must not.
    @SuppressWarnings("unchecked")
    private static <V> Map<String, V> ordered(Object... keysAndValues) {
        Map<String, V> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (V) keysAndValues[i + 1]);
        }
        return map;
    }

    /** A few files of varied sizes: a small text file, a compressible one and random ones of tens of KiB. */
    private static Map<String, byte[]> files(String folder, Random random) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(folder + "/", null);
        files.put(folder + "/readme.txt", ("generated for " + folder + "\n").getBytes(StandardCharsets.UTF_8));
        files.put(folder + "/repeated.txt", "all work and no play\n".repeat(500 + random.nextInt(500)).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 2; i++) {
            byte[] content = new byte[10_000 + random.nextInt(60_000)];
            random.nextBytes(content);
            files.put(folder + "/data-" + i + ".bin", content);
        }
        return files;
    }

    /** A ustar archive written by hand: a 512-byte header per entry, content padded to 512, two zero blocks. */
    static byte[] tar(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        entries.forEach((name, content) -> {
            boolean directory = content == null;
            byte[] header = new byte[512];
            ascii(header, 0, name);
            ascii(header, 100, directory ? "0000755" : "0000644");
            ascii(header, 108, "0000000");
            ascii(header, 116, "0000000");
            ascii(header, 124, octal(directory ? 0 : content.length, 11));
            ascii(header, 136, octal(MTIME, 11));
            header[156] = (byte) (directory ? '5' : '0');
            ascii(header, 257, "ustar");
            ascii(header, 263, "00");
            ascii(header, 265, "root");
            ascii(header, 297, "root");
            // The checksum is the byte sum of the header with its own field read as eight spaces.
            Arrays.fill(header, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            ascii(header, 148, octal(sum, 6));
            header[154] = 0;
            header[155] = ' ';
            out.writeBytes(header);
            if (!directory) {
                out.writeBytes(content);
                out.writeBytes(new byte[(512 - content.length % 512) % 512]);
            }
        });
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void ascii(byte[] header, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static String octal(long value, int digits) {
        String text = Long.toOctalString(value);
        return "0".repeat(digits - text.length()) + text;
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private Descriptor putBlob(String mediaType, byte[] bytes) throws IOException {
        String digest = sha256(bytes);
        Files.write(blobPath(dir, digest), bytes);
        return new Descriptor(mediaType, digest, bytes.length);
    }

    private void tag(Descriptor target, String tag) throws IOException {
        tagged.add(new Descriptor(target.mediaType(), target.digest(), target.size(), null, Map.of(REF_NAME, tag)));
        writeIndex();
    }

    private void writeIndex() throws IOException {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", INDEX);
        index.put("manifests", tagged);
        Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    /** Where a layout keeps the blob of {@code digest} ({@code sha256:<hex>}). */
    public static Path blobPath(Path layout, String digest) {
        return layout.resolve("blobs").resolve(digest.replace(':', '/'));
    }

    /** Every blob of a layout, by digest, sorted; fails when a blob's bytes do not hash to its name. */
    public static SortedMap<String, byte[]> blobs(Path layout) throws IOException {
        SortedMap<String, byte[]> blobs = new TreeMap<>();
        try (Stream<Path> files = Files.list(layout.resolve("blobs/sha256"))) {
            for (Path file : files.toList()) {
                String digest = "sha256:" + file.getFileName();
                byte[] bytes = Files.readAllBytes(file);
                if (!sha256(bytes).equals(digest)) {
                    throw new AssertionError("blob " + file + " does not match its digest");
                }
                blobs.put(digest, bytes);
            }
        }
        return blobs;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
