package io.berth.storage.driver.s3;

import java.net.URI;
import java.util.Locale;

/**
 * The {@code storage.s3} section, with Distribution's keys and defaults.
 *
 * @param region AWS region; with an endpoint of another S3 server it only names the signing region
 * @param regionEndpoint the S3 server, or null for AWS itself
 * @param bucket the bucket holding everything
 * @param rootDirectory a key prefix such as {@code /registry}, or empty for the bucket's top
 * @param accessKey static credentials, or null for the SDK's default chain (environment, profile, instance role)
 * @param secretKey the secret of {@code accessKey}
 * @param forcePathStyle {@code http://host/bucket/key} rather than {@code http://bucket.host/key}
 * @param encrypt server-side encryption (AES256) of every object written
 * @param chunkSize the size of each part of a multipart upload
 * @param multipartCopyChunkSize the size of each part of a multipart copy
 * @param multipartCopyMaxConcurrency how many parts of one multipart copy are copied at once
 * @param multipartCopyThresholdSize objects above this size are moved by multipart copy, others by one copy
 * @param secure HTTPS rather than HTTP when the endpoint names no scheme (or for AWS)
 * @param skipVerify accept any TLS certificate of the endpoint
 * @param storageClass the storage class of objects written, or {@code NONE} to send none
 */
public record S3Settings(String region, URI regionEndpoint, String bucket, String rootDirectory, String accessKey,
        String secretKey, boolean forcePathStyle, boolean encrypt, long chunkSize, long multipartCopyChunkSize,
        int multipartCopyMaxConcurrency, long multipartCopyThresholdSize, boolean secure, boolean skipVerify,
        String storageClass) {

    /** The smallest part S3 accepts in a multipart upload, except for the last. */
    public static final long MIN_CHUNK_SIZE = 5L * 1024 * 1024;
    /** The largest part, and the largest object one copy may write. */
    public static final long MAX_CHUNK_SIZE = 5L * 1024 * 1024 * 1024;
    public static final long DEFAULT_CHUNK_SIZE = 2 * MIN_CHUNK_SIZE;
    public static final long DEFAULT_MULTIPART_COPY_CHUNK_SIZE = 32L * 1024 * 1024;
    public static final int DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY = 100;
    public static final long DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE = 32L * 1024 * 1024;
    public static final String DEFAULT_STORAGE_CLASS = "STANDARD";

    /**
     * Fills what may be left out; the values are checked where the configuration is read, with
     * errors that name the configuration key.
     */
    public S3Settings {
        rootDirectory = rootDirectory == null ? "" : rootDirectory;
        storageClass = storageClass == null ? DEFAULT_STORAGE_CLASS : storageClass.toUpperCase(Locale.ROOT);
    }

    /** Settings with Distribution's defaults for everything but where the bucket is and who may use it. */
    public static S3Settings of(String region, URI regionEndpoint, String bucket, String accessKey, String secretKey) {
        return new S3Settings(region, regionEndpoint, bucket, "", accessKey, secretKey, false, false, DEFAULT_CHUNK_SIZE,
                DEFAULT_MULTIPART_COPY_CHUNK_SIZE, DEFAULT_MULTIPART_COPY_MAX_CONCURRENCY,
                DEFAULT_MULTIPART_COPY_THRESHOLD_SIZE, true, false, DEFAULT_STORAGE_CLASS);
    }

    /** The same settings with another root directory, chunk size and copy sizes: for tests and benchmarks. */
    public S3Settings withRootDirectory(String root) {
        return new S3Settings(region, regionEndpoint, bucket, root, accessKey, secretKey, forcePathStyle, encrypt, chunkSize,
                multipartCopyChunkSize, multipartCopyMaxConcurrency, multipartCopyThresholdSize, secure, skipVerify, storageClass);
    }

    /** The same settings with other part sizes. */
    public S3Settings withSizes(long chunk, long copyChunk, long copyThreshold) {
        return new S3Settings(region, regionEndpoint, bucket, rootDirectory, accessKey, secretKey, forcePathStyle, encrypt, chunk,
                copyChunk, multipartCopyMaxConcurrency, copyThreshold, secure, skipVerify, storageClass);
    }

    /** The same settings, addressing the bucket in the path or not. */
    public S3Settings withPathStyle(boolean pathStyle) {
        return new S3Settings(region, regionEndpoint, bucket, rootDirectory, accessKey, secretKey, pathStyle, encrypt, chunkSize,
                multipartCopyChunkSize, multipartCopyMaxConcurrency, multipartCopyThresholdSize, secure, skipVerify, storageClass);
    }

    /** The secret stays out of logs and error messages. */
    @Override
    public String toString() {
        return "S3Settings[region=" + region + ", regionEndpoint=" + regionEndpoint + ", bucket=" + bucket + ", rootDirectory="
                + rootDirectory + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***")
                + ", forcePathStyle=" + forcePathStyle + ", encrypt=" + encrypt + ", chunkSize=" + chunkSize
                + ", multipartCopyChunkSize=" + multipartCopyChunkSize + ", multipartCopyMaxConcurrency="
                + multipartCopyMaxConcurrency + ", multipartCopyThresholdSize=" + multipartCopyThresholdSize + ", secure="
                + secure + ", skipVerify=" + skipVerify + ", storageClass=" + storageClass + "]";
    }
}
