package io.berth.storage.driver.s3;

import java.net.URI;

/** The S3 driver's settings, with the meaning of Distribution's {@code storage.s3} keys. */
public record S3Settings(String region, URI regionEndpoint, String bucket, String rootDirectory, String accessKey,
        String secretKey, boolean forcePathStyle, boolean encrypt, long chunkSize, long multipartCopyChunkSize,
        int multipartCopyMaxConcurrency, long multipartCopyThresholdSize, boolean secure, boolean skipVerify,
        String storageClass) {}
