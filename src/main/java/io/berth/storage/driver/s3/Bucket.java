package io.berth.storage.driver.s3;

import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The one bucket a driver stores in, and the only class that speaks to the AWS SDK: objects by key,
 * multipart uploads, listings and presigned URLs. Every SDK failure leaves here as the driver's typed
 * error ({@link PathNotFound} for a missing object or upload, {@link InvalidOffset} for a range past
 * the end) or as an {@link IOException}; every write carries the same options (encryption, storage class).
 */
final class Bucket implements AutoCloseable {

    /** The most keys one list request returns. */
    static final int PAGE = 1000;

    private final SdkHttpClient http;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String name;
    /** The key of the root: empty, or the root directory without its leading slash and with a trailing one. */
    private final String prefix;
    /** Null for none. */
    private final ServerSideEncryption encryption;
    /** Null to send none. */
    private final String storageClass;

    Bucket(S3Settings settings) {
        this.name = settings.bucket();
        String root = settings.rootDirectory().replaceAll("^/+|/+$", "");
        this.prefix = root.isEmpty() ? "" : root + "/";
        this.encryption = settings.encrypt() ? ServerSideEncryption.AES256 : null;
        this.storageClass = "NONE".equals(settings.storageClass()) ? null : settings.storageClass();
        Region region = Region.of(settings.region() == null || settings.region().isBlank() ? "us-east-1" : settings.region());
        URI endpoint = settings.regionEndpoint() != null ? settings.regionEndpoint()
                : settings.secure() ? null : URI.create("http://s3." + region.id() + ".amazonaws.com");
        AwsCredentialsProvider credentials = settings.accessKey() == null || settings.accessKey().isEmpty()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        ApacheHttpClient.Builder client = ApacheHttpClient.builder()
                // Every request of every client may be waiting on S3 at once; copies run many parts in parallel.
                .maxConnections(Math.max(64, Math.min(settings.multipartCopyMaxConcurrency(), 256)))
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofMinutes(2));
        this.http = client.buildWithDefaults(AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, settings.skipVerify())
                .build());
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClient(http)
                .forcePathStyle(settings.forcePathStyle())
                // Checksums only where S3 demands them: S3-compatible servers know the newer ones unevenly.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.forcePathStyle()).build());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
            presign.endpointOverride(endpoint);
        }
        this.s3 = builder.build();
        this.presigner = presign.build();
    }

    // ---- what the bucket answers with

    /** An object as HEAD or a listing tells of it. */
    record Entry(String key, long size, Instant modified) {}

    /** One page of a listing: objects, and with a delimiter the common prefixes (each ending in the delimiter). */
    record Page(List<Entry> objects, List<String> prefixes, boolean truncated) {}

    /** An unfinished multipart upload. */
    record Upload(String key, String id, Instant initiated) {}

    /** A part of a multipart upload. */
    record Part(int number, String etag, long size) {}

    /** Bytes to send, which the SDK may read more than once (to sign them, to retry). */
    interface Content {
        long length();

        InputStream open() throws IOException;

        /** The whole of an array. */
        static Content of(byte[] bytes) {
            return new Content() {
                @Override
                public long length() {
                    return bytes.length;
                }

                @Override
                public InputStream open() {
                    return new ByteArrayInputStream(bytes);
                }
            };
        }
    }

    // ---- keys

    /** The key of a driver path. */
    String key(String path) {
        return "/".equals(path) ? prefix : prefix + path.substring(1);
    }

    /** The driver path of a key. */
    private String path(String key) {
        return key.length() <= prefix.length() ? "/" : "/" + key.substring(prefix.length());
    }

    // ---- objects

    /** The object's size and time, or null when there is none. */
    Entry head(String key) throws IOException {
        try {
            HeadObjectResponse response = s3.headObject(h -> h.bucket(name).key(key));
            return new Entry(key, response.contentLength(), response.lastModified());
        } catch (SdkException e) {
            if (notFound(e)) {
                return null;
            }
            throw failure(e, key);
        }
    }

    /** The object from {@code offset} on; closing the stream early drops the connection rather than reading the rest. */
    InputStream get(String key, long offset) throws IOException {
        try {
            return new ObjectStream(s3.getObject(g -> {
                g.bucket(name).key(key);
                if (offset > 0) {
                    g.range("bytes=" + offset + "-");
                }
            }));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new InvalidOffset(path(key), offset);
            }
            throw failure(e, key);
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    void put(String key, Content content) throws IOException {
        try {
            s3.putObject(p -> p.bucket(name).key(key).contentType("application/octet-stream").contentLength(content.length())
                    .serverSideEncryption(encryption).storageClass(storageClass), body(content));
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    /** Deletes an object; one that is not there is no error, as in S3. */
    void delete(String key) throws IOException {
        try {
            s3.deleteObject(d -> d.bucket(name).key(key));
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    /** Copies a whole object in one request, up to 5 GiB. */
    void copy(String from, String to) throws IOException {
        try {
            s3.copyObject(c -> c.sourceBucket(name).sourceKey(from).destinationBucket(name).destinationKey(to)
                    .serverSideEncryption(encryption).storageClass(storageClass));
        } catch (SdkException e) {
            throw failure(e, from);
        }
    }

    /** A presigned GET of an object, valid for {@code expiry}. */
    URI presignedGet(String key, Duration expiry) throws IOException {
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(expiry).getObjectRequest(g -> g.bucket(name).key(key)))
                    .url().toURI();
        } catch (SdkException | URISyntaxException e) {
            throw new IOException("cannot presign a URL for " + path(key) + ": " + e.getMessage(), e);
        }
    }

    // ---- listings

    /** The first page of the keys starting with {@code keyPrefix}; with a delimiter, one level deep. */
    Page page(String keyPrefix, String delimiter, int max) throws IOException {
        try {
            return page(s3.listObjectsV2(l -> l.bucket(name).prefix(keyPrefix).delimiter(delimiter).maxKeys(max)));
        } catch (SdkException e) {
            throw failure(e, keyPrefix);
        }
    }

    /** Every page of the keys starting with {@code keyPrefix}. */
    List<Page> pages(String keyPrefix, String delimiter) throws IOException {
        List<Page> pages = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(name).prefix(keyPrefix).delimiter(delimiter)
                    .maxKeys(PAGE).build();
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                pages.add(page(page));
            }
        } catch (SdkException e) {
            throw failure(e, keyPrefix);
        }
        return pages;
    }

    /**
     * Up to {@code limit} keys one level under {@code keyPrefix} (objects, and common prefixes ending
     * in {@code /}), in order, starting after {@code startAfter} (null: from the first).
     */
    List<String> keysAfter(String keyPrefix, String startAfter, int limit) throws IOException {
        List<String> found = new ArrayList<>();
        try {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(name).prefix(keyPrefix).delimiter("/")
                    .maxKeys(Math.min(limit, PAGE)).startAfter(startAfter);
            ListObjectsV2Response response;
            do {
                response = s3.listObjectsV2(request.build());
                List<String> keys = new ArrayList<>();
                response.contents().forEach(o -> keys.add(o.key()));
                response.commonPrefixes().forEach(p -> keys.add(p.prefix()));
                keys.sort(null);
                keys.stream().limit(limit - found.size()).forEach(found::add);
                // The token carries the position on; s3proxy refuses it beside a start-after.
                request.continuationToken(response.nextContinuationToken()).startAfter(null);
            } while (found.size() < limit && Boolean.TRUE.equals(response.isTruncated()));
        } catch (SdkException e) {
            throw failure(e, keyPrefix);
        }
        return found;
    }

    private static Page page(ListObjectsV2Response page) {
        List<Entry> objects = page.contents().stream().map(o -> new Entry(o.key(), o.size(), o.lastModified())).toList();
        List<String> prefixes = page.commonPrefixes().stream().map(p -> p.prefix()).toList();
        return new Page(objects, prefixes, Boolean.TRUE.equals(page.isTruncated()));
    }

    // ---- multipart uploads

    /** Unfinished multipart uploads of every key starting with {@code keyPrefix}. */
    List<Upload> uploads(String keyPrefix) throws IOException {
        List<Upload> uploads = new ArrayList<>();
        try {
            for (var page : s3.listMultipartUploadsPaginator(l -> l.bucket(name).prefix(keyPrefix))) {
                page.uploads().forEach(u -> uploads.add(new Upload(u.key(), u.uploadId(), u.initiated())));
            }
        } catch (SdkException e) {
            throw failure(e, keyPrefix);
        }
        return uploads;
    }

    /** The parts of an upload so far, in order. */
    List<Part> parts(String key, String uploadId) throws IOException {
        List<Part> parts = new ArrayList<>();
        try {
            for (var page : s3.listPartsPaginator(l -> l.bucket(name).key(key).uploadId(uploadId))) {
                page.parts().forEach(p -> parts.add(new Part(p.partNumber(), p.eTag(), p.size())));
            }
        } catch (SdkException e) {
            throw failure(e, key);
        }
        parts.sort(Comparator.comparingInt(Part::number));
        return parts;
    }

    String createUpload(String key) throws IOException {
        try {
            return s3.createMultipartUpload(c -> c.bucket(name).key(key).contentType("application/octet-stream")
                    .serverSideEncryption(encryption).storageClass(storageClass)).uploadId();
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    Part uploadPart(String key, String uploadId, int number, Content content) throws IOException {
        try {
            String etag = s3.uploadPart(u -> u.bucket(name).key(key).uploadId(uploadId).partNumber(number)
                    .contentLength(content.length()), body(content)).eTag();
            return new Part(number, etag, content.length());
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    /** Copies bytes {@code [start, end)} of an object into a part of an upload. */
    Part copyPart(String from, long start, long end, String to, String uploadId, int number) throws IOException {
        try {
            String etag = s3.uploadPartCopy(u -> u.sourceBucket(name).sourceKey(from).destinationBucket(name)
                    .destinationKey(to).uploadId(uploadId).partNumber(number)
                    .copySourceRange("bytes=" + start + "-" + (end - 1))).copyPartResult().eTag();
            return new Part(number, etag, end - start);
        } catch (SdkException e) {
            throw failure(e, from);
        }
    }

    /** Completes an upload into the object; {@link PathNotFound} when it was completed or aborted meanwhile. */
    void complete(String key, String uploadId, List<Part> parts) throws IOException {
        List<CompletedPart> completed = parts.stream()
                .map(p -> CompletedPart.builder().partNumber(p.number()).eTag(p.etag()).build()).toList();
        try {
            s3.completeMultipartUpload(c -> c.bucket(name).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
        } catch (SdkException e) {
            throw failure(e, key);
        }
    }

    /** Aborts an upload; one already gone is no error. */
    void abort(String key, String uploadId) throws IOException {
        try {
            s3.abortMultipartUpload(a -> a.bucket(name).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            if (!notFound(e)) {
                throw failure(e, key);
            }
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
        http.close();
    }

    // ---- the SDK's failures as the driver's

    private static boolean notFound(SdkException e) {
        return e instanceof S3Exception s && s.statusCode() == 404;
    }

    /** The one place an SDK failure becomes the driver's error. */
    private IOException failure(SdkException e, String key) {
        if (notFound(e)) {
            PathNotFound missing = new PathNotFound(path(key));
            missing.initCause(e);
            return missing;
        }
        if (e.getCause() instanceof UncheckedIOException unchecked) {
            return unchecked.getCause(); // our own content could not be read: its error as it was
        }
        return new IOException("S3: " + e.getMessage(), e);
    }

    private static RequestBody body(Content content) {
        // Straight from the writer's part, which it does not touch until the request is over: no copy.
        return RequestBody.fromContentProvider(() -> {
            try {
                return content.open();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, content.length(), "application/octet-stream");
    }

    /** An object's body; closing it early drops the connection rather than reading the rest. */
    private static final class ObjectStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean ended;

        ObjectStream(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            ended |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            int n = super.read(bytes, offset, length);
            ended |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!ended) {
                response.abort();
            }
            super.close();
        }
    }
}
