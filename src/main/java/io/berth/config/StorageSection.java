package io.berth.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** Reads the {@code storage} section: the one driver (and {@code storage.s3}), deletes, cache, maintenance, redirects. */
final class StorageSection {

    /** The drivers Berth has. */
    static final List<String> DRIVERS = List.of("filesystem", "inmemory", "s3");
    /** Distribution's other drivers, refused by name: Berth cannot serve their storage. */
    static final Set<String> OTHER_DRIVERS = Set.of("azure", "gcs", "swift", "oss");

    private StorageSection() {}

    static boolean namesDriver(String name) {
        return DRIVERS.contains(name) || OTHER_DRIVERS.contains(name);
    }

    static Config.Storage read(Values v) {
        String driver = v.settings.children("storage").stream().filter(DRIVERS::contains).findFirst().orElseThrow();
        return new Config.Storage(driver,
                driver.equals("filesystem") ? Path.of(v.text("storage.filesystem.rootdirectory")) : null,
                driver.equals("s3") ? s3(v) : null,
                v.bool("storage.delete.enabled"),
                new Config.UploadPurging(
                        v.bool("storage.maintenance.uploadpurging.enabled"),
                        v.duration("storage.maintenance.uploadpurging.age"),
                        v.duration("storage.maintenance.uploadpurging.interval"),
                        v.bool("storage.maintenance.uploadpurging.dryrun")),
                v.bool("storage.maintenance.readonly.enabled"),
                v.bool("storage.redirect.disable"),
                new Config.Cache(v.oneOf("storage.cache.blobdescriptor", "", "inmemory", "redis"),
                        v.positive("storage.cache.blobdescriptorsize")),
                v.duration("storage.maintenance.catalog.interval"),
                gc(v));
    }

    /** A delay under a second would sweep blobs whose manifest is still on its way; an interval of 0 never runs. */
    private static Config.Gc gc(Values v) {
        Config.Gc gc = new Config.Gc(v.bool("storage.maintenance.gc.enabled"), v.duration("storage.maintenance.gc.interval"),
                v.duration("storage.maintenance.gc.delay"), v.bool("storage.maintenance.gc.untagged"));
        if (gc.enabled() && gc.interval().compareTo(Duration.ofSeconds(1)) < 0) {
            throw v.error("storage.maintenance.gc.interval", "online collection runs at most once a second, got " + gc.interval());
        }
        if (gc.enabled() && gc.delay().compareTo(Duration.ofSeconds(1)) < 0) {
            throw v.error("storage.maintenance.gc.delay",
                    "at least 1s: blobs younger than the delay are kept for the manifests still being pushed, got " + gc.delay());
        }
        return gc;
    }

    private static Config.S3 s3(Values v) {
        for (String required : List.of("storage.s3.region", "storage.s3.bucket")) {
            if (v.text(required) == null || v.text(required).isEmpty()) {
                throw v.error(required, "the s3 driver needs " + required);
            }
        }
        if (!v.bool("storage.s3.v4auth")) {
            throw v.error("storage.s3.v4auth", "Berth signs S3 requests with signature version 4 only");
        }
        URI endpoint = v.get("storage.s3.regionendpoint") == null ? null : v.uri("storage.s3.regionendpoint");
        if (endpoint != null && endpoint.getScheme() == null) {
            endpoint = v.uri("storage.s3.regionendpoint", (v.bool("storage.s3.secure") ? "https://" : "http://")
                    + v.text("storage.s3.regionendpoint"));
        }
        long chunkSize = v.bytes("storage.s3.chunksize");
        if (chunkSize < 5L << 20) {
            throw v.error("storage.s3.chunksize", "S3 parts are at least 5 MiB (5242880), got " + chunkSize);
        }
        long copyChunkSize = v.bytes("storage.s3.multipartcopychunksize");
        if (copyChunkSize < 5L << 20 || copyChunkSize > 5L << 30) {
            throw v.error("storage.s3.multipartcopychunksize", "S3 copies parts of 5 MiB to 5 GiB, got " + copyChunkSize);
        }
        String accessKey = v.text("storage.s3.accesskey");
        String secretKey = v.text("storage.s3.secretkey");
        if ((accessKey == null) != (secretKey == null)) {
            throw v.error(accessKey == null ? "storage.s3.secretkey" : "storage.s3.accesskey",
                    "give both storage.s3.accesskey and storage.s3.secretkey, or neither to use the default credentials");
        }
        return new Config.S3(v.text("storage.s3.region"), endpoint, v.text("storage.s3.bucket"),
                rootDirectory(v.text("storage.s3.rootdirectory")), accessKey, secretKey,
                v.get("storage.s3.forcepathstyle") == null ? endpoint != null : v.bool("storage.s3.forcepathstyle"),
                v.bool("storage.s3.encrypt"), chunkSize, copyChunkSize,
                (int) v.positive("storage.s3.multipartcopymaxconcurrency"),
                v.bytes("storage.s3.multipartcopythresholdsize"),
                v.bool("storage.s3.secure"), v.bool("storage.s3.skipverify"),
                v.oneOf("storage.s3.storageclass", "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
                        "INTELLIGENT_TIERING", "GLACIER_IR", "NONE"),
                partBuffers(v));
    }

    private static Config.S3PartBuffers partBuffers(Values v) {
        String folder = v.text("storage.s3.partbuffers.spilldirectory");
        Path spillDirectory = folder.isEmpty() ? null : Path.of(folder);
        if (spillDirectory != null && !(Files.isDirectory(spillDirectory) && Files.isWritable(spillDirectory))) {
            throw v.error("storage.s3.partbuffers.spilldirectory", "not a folder Berth can write to: " + spillDirectory);
        }
        return new Config.S3PartBuffers(v.bytes("storage.s3.partbuffers.memory"), spillDirectory,
                v.bytes("storage.s3.partbuffers.spillsize"), v.duration("storage.s3.partbuffers.maxwait"));
    }

    /** A key prefix as {@code /registry}: one leading slash, no trailing one; empty for the bucket's top. */
    private static String rootDirectory(String configured) {
        String root = configured;
        if (!root.isEmpty() && !root.startsWith("/")) {
            root = "/" + root;
        }
        return root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    }
}
