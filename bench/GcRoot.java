import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes the storage root that bench/gc.sh collects, in Distribution's layout, and what each
 * collector should delete from it.
 *
 * <pre>java bench/GcRoot.java ROOT EXPECTED [REPOSITORIES]</pre>
 *
 * Each repository {@code team-<r mod 10>/app-<r>} holds ten images of two base layers (shared by
 * every repository, from a pool of twenty bases) and three layers of its own: images 0 and 1 are
 * deleted (revision link and tags gone, blobs and layer links left, as a manifest DELETE leaves
 * them), images 2 and 3 untagged (only the history of {@code latest} names them), images 4-9
 * tagged. Image 5 mounts a layer that only the previous repository's deleted image 0 used. Two
 * layer uploads per repository never got a manifest. Every tenth repository's image 9 is a
 * multi-arch index over two untagged platform manifests; in every tenth (offset 5), image 7 has an
 * SBOM referrer and the deleted image 0 a signature (with Berth's referrers-index entries). Half
 * of the repositories use Docker schema 2 media types, half OCI.
 *
 * <p>EXPECTED receives, per mode ({@code plain}; {@code untagged-berth}: kept are tagged
 * manifests, children of kept indexes and referrers of kept manifests; {@code
 * untagged-distribution}: Distribution 2.8's --delete-untagged, which keeps tagged manifests only
 * and marks only an index's children's own bytes, distribution#3178), the sorted digests of the
 * blobs to delete ({@code <mode>.blobs}) and the {@code repository@digest} of the revision links
 * to keep ({@code <mode>.manifests}). The data is seeded: every run writes the same root.
 */
public final class GcRoot {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    private static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";
    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    private static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    private static final int IMAGES = 10;
    private static final int BASES = 20;

    /** A blob as a manifest names it. */
    record Desc(String mediaType, String digest, long size) {
        String json() {
            return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
        }
    }

    /** A manifest as a collector sees it: what it names, and whether a revision link and a tag hold it. */
    record Manifest(String repo, String digest, List<String> blobs, List<String> children, String subject,
            boolean linked, boolean tagged) {
        String key() {
            return repo + "@" + digest;
        }
    }

    private final Path v2;
    private final Map<String, Long> blobs = new TreeMap<>();
    private final List<Manifest> manifests = new ArrayList<>();
    private final Desc[][] bases = new Desc[BASES][];
    private final Desc[] deletedLayers;
    private final MessageDigest sha256;
    private final SplittableRandom random = new SplittableRandom(13);

    private GcRoot(Path root, int repositories) throws NoSuchAlgorithmException {
        this.v2 = root.resolve("docker/registry/v2");
        this.deletedLayers = new Desc[repositories];
        this.sha256 = MessageDigest.getInstance("SHA-256");
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java bench/GcRoot.java ROOT EXPECTED [REPOSITORIES]");
            System.exit(2);
        }
        int repositories = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        GcRoot root = new GcRoot(Path.of(args[0]), repositories);
        for (int b = 0; b < BASES; b++) {
            root.bases[b] = new Desc[] {root.layer(true), root.layer(true)};
        }
        for (int r = 0; r < repositories; r++) {
            root.repository(r, repositories);
        }
        root.expect(Path.of(args[1]));
    }

    private static String repoName(int r) {
        return "team-%d/app-%03d".formatted(r % 10, r);
    }

    private void repository(int r, int repositories) throws IOException {
        String repo = repoName(r);
        boolean oci = r % 2 == 0;
        Desc[] images = new Desc[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            boolean deleted = i < 2;
            boolean tagged = i >= 4;
            List<Desc> layers = base((r * 7 + i) % BASES, oci);
            for (int k = 0; k < 3; k++) {
                if (i == 5 && k == 2 && r > 0) {
                    layers.add(layerType(deletedLayers[r - 1], oci)); // mounted from the previous repository
                } else {
                    layers.add(layer(oci));
                }
            }
            if (i == 0) {
                deletedLayers[r] = layers.get(4);
            }
            boolean index = i == IMAGES - 1 && r % 10 == 0;
            images[i] = image(repo, oci, "amd64", layers, !deleted, tagged && !index);
            if (index) {
                List<Desc> arm = base((r + 3) % BASES, oci);
                arm.add(layer(oci));
                arm.add(layer(oci));
                arm.add(layer(oci));
                Desc arm64 = image(repo, oci, "arm64", arm, true, false);
                images[i] = index(repo, images[i], arm64);
            }
        }
        if (r % 10 == 5) {
            referrer(repo, images[7], "application/spdx+json", true);
            referrer(repo, images[0], "application/vnd.dev.cosign.artifact.sig.v1+json", false);
        }
        for (int k = 0; k < 2; k++) {
            layerLink(repo, layer(oci)); // uploaded, never used
        }
        for (int i = 4; i < IMAGES; i++) {
            tag(repo, "1." + i, images[i], List.of(images[i]));
        }
        tag(repo, "latest", images[IMAGES - 1], List.of(images[2], images[3], images[IMAGES - 1]));
    }

    /** The two layers of a base image, typed for the manifest that names them. */
    private List<Desc> base(int b, boolean oci) {
        return new ArrayList<>(List.of(layerType(bases[b][0], oci), layerType(bases[b][1], oci)));
    }

    private static Desc layerType(Desc layer, boolean oci) {
        return new Desc(oci ? OCI_LAYER : DOCKER_LAYER, layer.digest(), layer.size());
    }

    private Desc layer(boolean oci) throws IOException {
        byte[] data = new byte[512 + random.nextInt(7680)];
        random.nextBytes(data);
        return blob(oci ? OCI_LAYER : DOCKER_LAYER, data);
    }

    private Desc image(String repo, boolean oci, String arch, List<Desc> layers, boolean linked, boolean tagged)
            throws IOException {
        StringBuilder diffIds = new StringBuilder();
        for (Desc l : layers) {
            diffIds.append(diffIds.isEmpty() ? "" : ",").append('"').append(l.digest()).append('"');
        }
        String config = "{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"created\":\"2026-11-30T12:00:00Z\","
                + "\"config\":{\"Labels\":{\"seed\":\"" + random.nextLong() + "\"}},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + diffIds + "]}}";
        Desc configDesc = blob(oci ? OCI_CONFIG : DOCKER_CONFIG, config.getBytes(StandardCharsets.UTF_8));
        StringBuilder layerJson = new StringBuilder();
        List<String> refs = new ArrayList<>(List.of(configDesc.digest()));
        for (Desc l : layers) {
            layerJson.append(layerJson.isEmpty() ? "" : ",").append(l.json());
            refs.add(l.digest());
            layerLink(repo, l);
        }
        layerLink(repo, configDesc);
        String type = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + type + "\",\"config\":" + configDesc.json()
                + ",\"layers\":[" + layerJson + "]}";
        return manifest(repo, type, json, refs, List.of(), null, linked, tagged);
    }

    private Desc index(String repo, Desc amd64, Desc arm64) throws IOException {
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
                + platform(amd64, "amd64") + "," + platform(arm64, "arm64") + "]}";
        return manifest(repo, OCI_INDEX, json, List.of(), List.of(amd64.digest(), arm64.digest()), null, true, true);
    }

    private static String platform(Desc child, String arch) {
        String d = child.json();
        return d.substring(0, d.length() - 1) + ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}";
    }

    private void referrer(String repo, Desc subject, String artifactType, boolean subjectKept) throws IOException {
        Desc empty = blob(OCI_EMPTY, "{}".getBytes(StandardCharsets.UTF_8));
        Desc payload = blob(artifactType, ("{\"for\":\"" + subject.digest() + "\",\"kept\":" + subjectKept + "}")
                .getBytes(StandardCharsets.UTF_8));
        layerLink(repo, empty);
        layerLink(repo, payload);
        String json = "{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"" + artifactType
                + "\",\"config\":" + empty.json() + ",\"layers\":[" + payload.json() + "],\"subject\":"
                + subject.json() + "}";
        Desc referrer = manifest(repo, OCI_MANIFEST, json, List.of(empty.digest(), payload.digest()), List.of(),
                subject.digest(), true, false);
        // Berth's referrers index: the referrer's descriptor under its subject.
        write(repoPath(repo) + "/_referrers/sha256/" + hex(subject.digest()) + "/sha256/" + hex(referrer.digest()),
                "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + referrer.digest() + "\",\"size\":"
                        + referrer.size() + ",\"artifactType\":\"" + artifactType + "\"}");
    }

    private Desc manifest(String repo, String type, String json, List<String> refs, List<String> children,
            String subject, boolean linked, boolean tagged) throws IOException {
        Desc m = blob(type, json.getBytes(StandardCharsets.UTF_8));
        if (linked) {
            write(repoPath(repo) + "/_manifests/revisions/sha256/" + hex(m.digest()) + "/link", m.digest());
        }
        manifests.add(new Manifest(repo, m.digest(), refs, children, subject, linked, tagged));
        return m;
    }

    private void tag(String repo, String tag, Desc current, List<Desc> history) throws IOException {
        String dir = repoPath(repo) + "/_manifests/tags/" + tag;
        write(dir + "/current/link", current.digest());
        for (Desc d : history) {
            write(dir + "/index/sha256/" + hex(d.digest()) + "/link", d.digest());
        }
    }

    private void layerLink(String repo, Desc blob) throws IOException {
        write(repoPath(repo) + "/_layers/sha256/" + hex(blob.digest()) + "/link", blob.digest());
    }

    private Desc blob(String mediaType, byte[] data) throws IOException {
        String hex = HexFormat.of().formatHex(sha256.digest(data));
        String digest = "sha256:" + hex;
        if (blobs.putIfAbsent(digest, (long) data.length) == null) {
            Path file = v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
            Files.createDirectories(file.getParent());
            Files.write(file, data);
        }
        return new Desc(mediaType, digest, data.length);
    }

    private static String repoPath(String repo) {
        return "repositories/" + repo;
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private void write(String path, String content) throws IOException {
        Path file = v2.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private void expect(Path dir) throws IOException {
        Files.createDirectories(dir);
        long bytes = blobs.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("gc root: %d repositories, %d blobs (%.1f MiB), %d manifests with a revision link%n",
                manifests.stream().map(Manifest::repo).distinct().count(), blobs.size(), bytes / 1048576.0,
                manifests.stream().filter(Manifest::linked).count());
        List<Manifest> linked = manifests.stream().filter(Manifest::linked).toList();
        mode(dir, "plain", linked, linked, true);
        mode(dir, "untagged-berth", linked, keptByBerth(linked), true);
        mode(dir, "untagged-distribution", linked, linked.stream().filter(Manifest::tagged).toList(), false);
    }

    /** Tagged manifests, then children of kept indexes and referrers of kept manifests, until nothing changes. */
    private static List<Manifest> keptByBerth(List<Manifest> linked) {
        Set<String> kept = new LinkedHashSet<>();
        linked.stream().filter(Manifest::tagged).forEach(m -> kept.add(m.key()));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (Manifest m : linked) {
                if (kept.contains(m.key())) {
                    continue;
                }
                boolean child = linked.stream().anyMatch(p -> kept.contains(p.key()) && p.repo().equals(m.repo())
                        && p.children().contains(m.digest()));
                boolean referrer = m.subject() != null && kept.contains(m.repo() + "@" + m.subject());
                if (child || referrer) {
                    grew |= kept.add(m.key());
                }
            }
        }
        return linked.stream().filter(m -> kept.contains(m.key())).toList();
    }

    /** Writes what a collector keeping {@code kept} deletes; {@code deep}: it marks what kept indexes' children name too. */
    private void mode(Path dir, String mode, List<Manifest> linked, List<Manifest> kept, boolean deep) throws IOException {
        Set<String> marked = new HashSet<>();
        for (Manifest m : kept) {
            mark(m, marked, deep);
        }
        Set<String> garbage = new TreeSet<>(blobs.keySet());
        garbage.removeAll(marked);
        long bytes = garbage.stream().mapToLong(blobs::get).sum();
        Set<String> keptKeys = new TreeSet<>();
        kept.forEach(m -> keptKeys.add(m.key()));
        Files.write(dir.resolve(mode + ".blobs"), garbage);
        Files.write(dir.resolve(mode + ".manifests"), keptKeys);
        System.out.printf("  %-22s deletes %5d blobs (%.1f MiB) and %4d revision links; keeps %5d blobs%n", mode,
                garbage.size(), bytes / 1048576.0, linked.size() - kept.size(), blobs.size() - garbage.size());
    }

    private void mark(Manifest m, Set<String> marked, boolean deep) {
        marked.add(m.digest());
        marked.addAll(m.blobs());
        for (String child : m.children()) {
            marked.add(child);
            if (deep) {
                manifests.stream().filter(c -> c.repo().equals(m.repo()) && c.digest().equals(child)).findFirst()
                        .ifPresent(c -> mark(c, marked, true));
            }
        }
    }
}
