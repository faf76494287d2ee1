package io.berth.storage.driver.s3;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.FileWriter;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
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
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Stores driver path {@code /a/b} as the object {@code <rootdirectory>/a/b} of one bucket, the keys
 * Distribution's s3 driver uses, so that either can serve the other's bucket. Directories are key
 * prefixes. A writer's bytes go to S3 as parts of a multipart upload, so that an upload continued by
 * a later request, or by another process, continues the same parts.
 *
 * <p>Where S3 differs from a filesystem: a directory move is a copy of each file, not atomic; the
 * checks that a write does not put a file where a directory is, or below a file, cost requests, and
 * this process remembers which paths it saw to be directories so as to spare most of them. A file
 * whose writer was closed without a commit is an unfinished multipart upload, which S3 cannot read:
 * reading or moving it completes the upload first, and a later append continues from the result.
 */
public final class S3Driver implements StorageDriver {

    /** How long a redirect URL stays valid, as in Distribution. */
    static final Duration REDIRECT_EXPIRY = Duration.ofMinutes(20);
    /** The most keys one list or multi-object delete handles. */
    private static final int PAGE = 1000;
    /** Deletes of one directory sent at once. */
    private static final int DELETE_CONCURRENCY = 16;
    /** What a blob's channel reads from S3 per call. */
    private static final int READ_PIECE = 64 * 1024;
    /** Writers buffer a part in memory, so a part is at most this big whatever the chunk size. */
    private static final long MAX_BUFFERED_PART = 1L << 30;

    private final S3Settings settings;
    private final SdkHttpClient http;
    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    /** The key of the root: empty, or the root directory without its leading slash and with a trailing one. */
    private final String prefix;
    private final KnownDirectories directories = new KnownDirectories();

    public S3Driver(S3Settings settings) {
        this.settings = settings;
        this.bucket = settings.bucket();
        String root = settings.rootDirectory().replaceAll("^/+|/+$", "");
        this.prefix = root.isEmpty() ? "" : root + "/";
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

    @Override
    public String name() {
        return "s3";
    }

    S3Settings settings() {
        return settings;
    }

    /** The bytes a writer gathers before sending them as one part. */
    int partSize() {
        return (int) Math.min(settings.chunkSize(), MAX_BUFFERED_PART);
    }

    // ---- paths and keys

    String key(String path) {
        return "/".equals(path) ? prefix : prefix + path.substring(1);
    }

    /** The prefix of every key under a directory. */
    private String under(String path) {
        return "/".equals(path) ? prefix : key(path) + "/";
    }

    private static String child(String path, String name) {
        return "/".equals(path) ? "/" + name : path + "/" + name;
    }

    // ---- StorageDriver

    @Override
    public byte[] getContent(String path) throws IOException {
        try (InputStream in = reader(path, 0)) {
            return in.readAllBytes();
        }
    }

    @Override
    public void putContent(String path, byte[] content) throws IOException {
        checkWritable(path);
        putObject(key(path), content, content.length);
        directories.fileWritten(path);
    }

    @Override
    public InputStream reader(String path, long offset) throws IOException {
        String key = key(path);
        for (boolean retried = false; ; retried = true) {
            try {
                GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
                if (offset > 0) {
                    request.range("bytes=" + offset + "-");
                }
                return new ObjectStream(s3.getObject(request.build()));
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    // S3 refuses a range starting at the end; a reader there simply reads nothing.
                    ObjectInfo object = head(key);
                    if (object == null) {
                        throw new PathNotFound(path);
                    }
                    if (offset == object.size()) {
                        return InputStream.nullInputStream();
                    }
                    throw new InvalidOffset(path, offset);
                }
                if (e.statusCode() != 404) {
                    throw failure(e);
                }
                if (retried || !materialize(key)) {
                    throw new PathNotFound(path);
                }
            } catch (SdkException e) {
                throw failure(e);
            }
        }
    }

    /** The object's stream read in large pieces: the JDK's adapter moves 8 KiB per call through the SDK's streams. */
    @Override
    public ReadableByteChannel channel(String path, long offset) throws IOException {
        InputStream in = reader(path, offset);
        return new ReadableByteChannel() {
            private final byte[] piece = new byte[READ_PIECE];
            private boolean open = true;

            @Override
            public int read(ByteBuffer target) throws IOException {
                int n = in.read(piece, 0, Math.min(piece.length, target.remaining()));
                if (n > 0) {
                    target.put(piece, 0, n);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() throws IOException {
                open = false;
                in.close();
            }
        };
    }

    @Override
    public FileWriter writer(String path, boolean append) throws IOException {
        String key = key(path);
        try {
            if (!append) {
                checkWritable(path);
                directories.fileWritten(path);
                return S3Writer.truncating(this, path, key);
            }
            Upload upload = newestUpload(key);
            ObjectInfo object = head(key);
            List<Part> parts = upload == null ? List.of() : parts(key, upload.id());
            if (upload != null && parts.isEmpty()) {
                abort(key, upload.id());
                upload = null;
            }
            if (upload != null && object != null) {
                if (total(parts) == object.size() && !upload.initiated().isBefore(object.modified())) {
                    // A writer copied the object into its parts and stopped before deleting it: the parts are the file.
                    deleteObject(key);
                    object = null;
                } else {
                    // The object was written over an upload someone left: the object is the file.
                    abort(key, upload.id());
                    upload = null;
                }
            }
            if (upload != null) {
                return S3Writer.continuing(this, path, key, upload.id(), parts);
            }
            if (object != null) {
                return S3Writer.appending(this, path, key, object.size());
            }
            checkWritable(path);
            directories.fileWritten(path);
            return S3Writer.creating(this, path, key);
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    @Override
    public FileInfo stat(String path) throws IOException {
        if ("/".equals(path)) {
            return new FileInfo(path, 0, Instant.EPOCH, true);
        }
        String key = key(path);
        try {
            ObjectInfo object = head(key);
            if (object != null) {
                return new FileInfo(path, object.size(), object.modified(), false);
            }
            // A directory, or a file whose writer closed without committing: both asked at once.
            List<Callable<Object>> asks = List.of(() -> firstModifiedUnder(key + "/"), () -> unfinished(path, key));
            List<Object> answers = all(asks);
            if (answers.get(0) instanceof Instant directory) {
                return new FileInfo(path, 0, directory, true);
            }
            if (answers.get(1) instanceof FileInfo unfinished) {
                return unfinished;
            }
            throw new PathNotFound(path);
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    /** A file that is only an open upload, sized by its parts so far; null when there is none. */
    private FileInfo unfinished(String path, String key) {
        Upload upload = newestUpload(key);
        if (upload != null) {
            List<Part> parts = parts(key, upload.id());
            if (!parts.isEmpty()) {
                return new FileInfo(path, total(parts), upload.initiated(), false);
            }
        }
        return null;
    }

    @Override
    public List<String> list(String path) throws IOException {
        String start = under(path);
        List<String> names = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(start).delimiter("/").maxKeys(PAGE).build();
            for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
                for (S3Object object : page.contents()) {
                    String name = object.key().substring(start.length());
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
                for (CommonPrefix common : page.commonPrefixes()) {
                    String name = common.prefix().substring(start.length(), common.prefix().length() - 1);
                    if (!name.isEmpty()) {
                        names.add(name);
                    }
                }
            }
        } catch (SdkException e) {
            throw failure(e);
        }
        if (names.isEmpty() && !"/".equals(path)) {
            throw new PathNotFound(path);
        }
        // S3 sorts whole keys, where "b.txt" comes before "b/"; a listing sorts names.
        names.sort(null);
        return names.stream().map(name -> child(path, name)).toList();
    }

    @Override
    public List<String> listPage(String path, String after, int limit) throws IOException {
        String start = under(path);
        List<String> page = new ArrayList<>();
        try {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(start).delimiter("/")
                    .maxKeys(Math.min(limit, PAGE));
            if (!after.isEmpty()) {
                // S3 orders a directory as "name/": start past everything in it ('~' follows every path character).
                boolean directory = firstModifiedUnder(start + after + "/") != null;
                request.startAfter(start + after + (directory ? "/~" : ""));
            }
            ListObjectsV2Response response;
            do {
                response = s3.listObjectsV2(request.build());
                List<String> keys = new ArrayList<>();
                response.contents().forEach(o -> keys.add(o.key()));
                response.commonPrefixes().forEach(p -> keys.add(p.prefix()));
                keys.sort(null);
                for (String key : keys) {
                    String name = key.endsWith("/") ? key.substring(start.length(), key.length() - 1) : key.substring(start.length());
                    if (!name.isEmpty() && page.size() < limit) {
                        page.add(child(path, name));
                    }
                }
                // The token carries the position on; s3proxy refuses it beside a start-after.
                request.continuationToken(response.nextContinuationToken()).startAfter(null);
            } while (page.size() < limit && Boolean.TRUE.equals(response.isTruncated()));
        } catch (SdkException e) {
            throw failure(e);
        }
        if (page.isEmpty() && after.isEmpty() && !"/".equals(path)) {
            throw new PathNotFound(path);
        }
        return page;
    }

    @Override
    public void move(String source, String destination) throws IOException {
        String from = key(source);
        String to = key(destination);
        try {
            ObjectInfo file = head(from);
            if (file == null && materialize(from)) {
                file = head(from);
            }
            boolean directory = file == null && firstModifiedUnder(from + "/") != null;
            if (file == null && !directory) {
                throw new PathNotFound(source);
            }
            if (source.equals(destination)) {
                return;
            }
            if (destination.startsWith(source + "/")) {
                throw new FileSystemException(source, destination, "cannot move a directory into itself");
            }
            Probe target = probe(to);
            if (target.directory()) {
                throw new DirectoryNotEmptyException(destination);
            }
            if (directory && target.file() != null) {
                throw new NotDirectoryException(destination); // as rename(2): a directory cannot replace a file
            }
            if (target.file() == null) {
                checkParents(destination);
            }
            directories.fileWritten(destination);
            if (file != null) {
                copy(from, file.size(), to);
                deleteObject(from);
            } else {
                moveTree(source, destination);
            }
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    /** Each file of a directory, one copy at a time: S3 has no rename. */
    private void moveTree(String source, String destination) throws IOException {
        String from = key(source) + "/";
        String to = key(destination) + "/";
        List<String> moved = new ArrayList<>();
        for (S3Object object : objectsUnder(from)) {
            copy(object.key(), object.size(), to + object.key().substring(from.length()));
            moved.add(object.key());
        }
        deleteObjects(moved);
        directories.deleted(source);
    }

    @Override
    public void delete(String path) throws IOException {
        String key = key(path);
        String dir = key + "/";
        try {
            Probe probe = probe(key);
            List<String> keys = new ArrayList<>();
            if (probe.directory()) {
                for (S3Object object : objectsUnder(dir)) {
                    keys.add(object.key());
                }
            }
            if (probe.file() != null) {
                keys.add(key);
            }
            boolean found = !keys.isEmpty();
            deleteObjects(keys);
            // Unfinished writes of the file or below the directory: abandoned with it.
            for (MultipartUpload upload : uploads(key)) {
                if (upload.key().equals(key) || upload.key().startsWith(dir)) {
                    abort(upload.key(), upload.uploadId());
                    found = true;
                }
            }
            directories.deleted(path);
            if (!found) {
                throw new PathNotFound(path);
            }
        } catch (SdkException e) {
            throw failure(e);
        }
    }

    @Override
    public void walk(String path, Consumer<FileInfo> visitor) throws IOException {
        String start = under(path);
        List<S3Object> objects;
        try {
            objects = new ArrayList<>(objectsUnder(start));
            if (objects.isEmpty() && !"/".equals(path) && head(key(path)) == null) {
                throw new PathNotFound(path);
            }
        } catch (SdkException e) {
            throw failure(e);
        }
        // One listing of every key below, ordered so that a directory comes before what it holds and
        // siblings are in lexical order: '/' sorts before every other character of a name.
        objects.sort(Comparator.comparing(S3Object::key, S3Driver::compareSegments));
        Map<String, Instant> newest = new HashMap<>();
        for (S3Object object : objects) {
            String relative = object.key().substring(start.length());
            for (int slash = relative.indexOf('/'); slash > 0; slash = relative.indexOf('/', slash + 1)) {
                newest.merge(relative.substring(0, slash), object.lastModified(), (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        Set<String> shown = new HashSet<>();
        for (S3Object object : objects) {
            String relative = object.key().substring(start.length());
            for (int slash = relative.indexOf('/'); slash > 0; slash = relative.indexOf('/', slash + 1)) {
                String dir = relative.substring(0, slash);
                if (shown.add(dir)) {
                    visitor.accept(new FileInfo(child(path, dir), 0, newest.get(dir), true));
                }
            }
            visitor.accept(new FileInfo(child(path, relative), object.size(), object.lastModified(), false));
        }
    }

    /** A presigned GET of the file, valid for {@link #REDIRECT_EXPIRY}, for clients to fetch from S3 directly. */
    @Override
    public Optional<URI> redirectUrl(String path) throws IOException {
        try {
            var request = presigner.presignGetObject(p -> p.signatureDuration(REDIRECT_EXPIRY)
                    .getObjectRequest(g -> g.bucket(bucket).key(key(path))));
            return Optional.of(request.url().toURI());
        } catch (SdkException | java.net.URISyntaxException e) {
            throw new IOException("cannot presign a URL for " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
        http.close();
    }

    // ---- what writers and the methods above share

    /** A part of a multipart upload. */
    record Part(int number, String etag, long size) {
        CompletedPart completed() {
            return CompletedPart.builder().partNumber(number).eTag(etag).build();
        }
    }

    /** An unfinished multipart upload of one key. */
    record Upload(String id, Instant initiated) {}

    /** What HEAD tells of an object. */
    record ObjectInfo(long size, Instant modified) {}

    static long total(List<Part> parts) {
        return parts.stream().mapToLong(Part::size).sum();
    }

    /** The object's size and time, or null when there is none. */
    ObjectInfo head(String key) {
        try {
            HeadObjectResponse response = s3.headObject(h -> h.bucket(bucket).key(key));
            return new ObjectInfo(response.contentLength(), response.lastModified());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The time of the first object below a prefix, or null when there is none: a directory exists when it has one. */
    private Instant firstModifiedUnder(String prefix) {
        ListObjectsV2Response page = s3.listObjectsV2(l -> l.bucket(bucket).prefix(prefix).maxKeys(1));
        return page.contents().isEmpty() ? null : page.contents().getFirst().lastModified();
    }

    /** Every object below a prefix, as S3 lists them, leaving out folder markers other tools write. */
    private List<S3Object> objectsUnder(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(PAGE).build();
        for (ListObjectsV2Response page : s3.listObjectsV2Paginator(request)) {
            for (S3Object object : page.contents()) {
                if (!object.key().endsWith("/")) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    /** Unfinished multipart uploads of every key starting with {@code keyPrefix}. */
    private List<MultipartUpload> uploads(String keyPrefix) {
        List<MultipartUpload> uploads = new ArrayList<>();
        for (var page : s3.listMultipartUploadsPaginator(l -> l.bucket(bucket).prefix(keyPrefix))) {
            uploads.addAll(page.uploads());
        }
        return uploads;
    }

    /** The latest unfinished upload of exactly this key; older ones are leftovers and are aborted. */
    Upload newestUpload(String key) {
        List<MultipartUpload> mine = uploads(key).stream().filter(u -> u.key().equals(key))
                .sorted(Comparator.comparing(MultipartUpload::initiated).reversed()).toList();
        for (MultipartUpload stale : mine.subList(Math.min(1, mine.size()), mine.size())) {
            abort(key, stale.uploadId());
        }
        return mine.isEmpty() ? null : new Upload(mine.getFirst().uploadId(), mine.getFirst().initiated());
    }

    List<Part> parts(String key, String uploadId) {
        List<Part> parts = new ArrayList<>();
        for (var page : s3.listPartsPaginator(l -> l.bucket(bucket).key(key).uploadId(uploadId))) {
            for (var part : page.parts()) {
                parts.add(new Part(part.partNumber(), part.eTag(), part.size()));
            }
        }
        parts.sort(Comparator.comparingInt(Part::number));
        return parts;
    }

    /**
     * Makes a closed, uncommitted file readable by completing its upload; false when there is none.
     * Its parts are valid as they are: a writer leaves only the last one below the minimum size.
     */
    private boolean materialize(String key) {
        Upload upload = newestUpload(key);
        if (upload == null) {
            return false;
        }
        List<Part> parts = parts(key, upload.id());
        if (parts.isEmpty()) {
            return false;
        }
        try {
            complete(key, upload.id(), parts);
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            // completed or aborted meanwhile by another reader or writer: read what is there now
        }
        return true;
    }

    String createUpload(String key) {
        return s3.createMultipartUpload(c -> {
            c.bucket(bucket).key(key).contentType("application/octet-stream");
            if (settings.encrypt()) {
                c.serverSideEncryption(ServerSideEncryption.AES256);
            }
            if (!"NONE".equals(settings.storageClass())) {
                c.storageClass(settings.storageClass());
            }
        }).uploadId();
    }

    Part uploadPart(String key, String uploadId, int number, byte[] bytes, int length) {
        String etag = s3.uploadPart(u -> u.bucket(bucket).key(key).uploadId(uploadId).partNumber(number).contentLength((long) length),
                body(bytes, length)).eTag();
        return new Part(number, etag, length);
    }

    void complete(String key, String uploadId, List<Part> parts) {
        List<CompletedPart> completed = parts.stream().map(Part::completed).toList();
        s3.completeMultipartUpload(c -> c.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(completed)));
    }

    void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(uploadId));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
    }

    void putObject(String key, byte[] bytes, int length) {
        s3.putObject(p -> {
            p.bucket(bucket).key(key).contentType("application/octet-stream").contentLength((long) length);
            if (settings.encrypt()) {
                p.serverSideEncryption(ServerSideEncryption.AES256);
            }
            if (!"NONE".equals(settings.storageClass())) {
                p.storageClass(settings.storageClass());
            }
        }, body(bytes, length));
    }

    /** The whole of a small object. */
    byte[] readObject(String key) throws IOException {
        try (InputStream in = s3.getObject(g -> g.bucket(bucket).key(key))) {
            return in.readAllBytes();
        }
    }

    void deleteObject(String key) {
        s3.deleteObject(d -> d.bucket(bucket).key(key));
    }

    /**
     * Deletes objects one request each, several at once: multi-object delete needs checksum headers
     * that S3-compatible servers handle unevenly (some lack it), and S3 does not charge for deletes.
     */
    private void deleteObjects(List<String> keys) throws IOException {
        if (keys.size() == 1) {
            deleteObject(keys.getFirst());
            return;
        }
        Semaphore permits = new Semaphore(DELETE_CONCURRENCY);
        List<Callable<Void>> deletes = new ArrayList<>();
        for (String key : keys) {
            deletes.add(() -> {
                permits.acquire();
                try {
                    deleteObject(key);
                    return null;
                } finally {
                    permits.release();
                }
            });
        }
        all(deletes);
    }

    /** Copies an object: in one request up to the threshold, else in parts copied side by side. */
    private void copy(String from, long size, String to) throws IOException {
        if (size <= Math.min(settings.multipartCopyThresholdSize(), S3Settings.MAX_CHUNK_SIZE)) {
            s3.copyObject(c -> {
                c.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to);
                if (settings.encrypt()) {
                    c.serverSideEncryption(ServerSideEncryption.AES256);
                }
                if (!"NONE".equals(settings.storageClass())) {
                    c.storageClass(settings.storageClass());
                }
            });
            return;
        }
        String uploadId = createUpload(to);
        try {
            complete(to, uploadId, copyParts(from, size, to, uploadId, 1));
        } catch (IOException | RuntimeException e) {
            abortQuietly(to, uploadId, e);
            throw e;
        }
    }

    /**
     * Copies an object into parts of an upload, {@code multipartCopyChunkSize} each; a remainder below
     * the minimum part size joins the part before it, so every part but the last stays valid.
     */
    List<Part> copyParts(String from, long size, String to, String uploadId, int firstNumber) throws IOException {
        long chunk = settings.multipartCopyChunkSize();
        List<long[]> ranges = new ArrayList<>();
        long start = 0;
        while (start < size) {
            long end = Math.min(size, start + chunk);
            if (size - end < S3Settings.MIN_CHUNK_SIZE && size - start <= S3Settings.MAX_CHUNK_SIZE) {
                end = size;
            }
            ranges.add(new long[] {start, end});
            start = end;
        }
        Semaphore permits = new Semaphore(settings.multipartCopyMaxConcurrency());
        List<Callable<Part>> tasks = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            int number = firstNumber + i;
            long[] range = ranges.get(i);
            tasks.add(() -> {
                permits.acquire();
                try {
                    String etag = s3.uploadPartCopy(u -> u.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                            .destinationKey(to).uploadId(uploadId).partNumber(number)
                            .copySourceRange("bytes=" + range[0] + "-" + (range[1] - 1))).copyPartResult().eTag();
                    return new Part(number, etag, range[1] - range[0]);
                } finally {
                    permits.release();
                }
            });
        }
        return all(tasks);
    }

    void abortQuietly(String key, String uploadId, Exception cause) {
        try {
            abort(key, uploadId);
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Refuses to write a file where a directory is, or below a file, as a filesystem would. Looks at
     * the parent first: in a new folder the path itself cannot be anything yet.
     */
    private void checkWritable(String path) throws IOException {
        String parent = parent(path);
        if (parent == null || directories.contains(parent) || isDirectory(parent)) {
            Probe target = probe(key(path));
            if (target.directory()) {
                throw new FileSystemException(path, null, "is a directory");
            }
            return; // in a directory, as an existing file or a new one
        }
        checkParents(parent);
    }

    /**
     * Refuses to write below a file. Walks up from the parent to the first directory, known to this
     * process or seen in a listing: above a directory there are only directories. A write into an
     * existing folder costs one listing, into a new one a listing per new level.
     */
    private void checkParents(String path) throws IOException {
        for (String parent = parent(path); parent != null && !directories.contains(parent); parent = parent(parent)) {
            if (isDirectory(parent)) {
                return;
            }
        }
    }

    /** Whether a path is a directory; a file there is refused as the parent of anything. */
    private boolean isDirectory(String path) throws NotDirectoryException {
        Probe probe = probe(key(path));
        if (probe.file() != null) {
            throw new NotDirectoryException(path);
        }
        return probe.directory();
    }

    /** The parent of a path, or null for a path at the top. */
    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash <= 0 ? null : path.substring(0, slash);
    }

    /** What one listing tells of a key: the object of that name, and whether a directory of that name holds anything. */
    private record Probe(S3Object file, boolean directory) {}

    /**
     * Lists the keys that start with {@code key}, one level deep: the object {@code key} sorts first,
     * and {@code key/} is among the prefixes unless siblings such as {@code key-x} filled the page.
     */
    private Probe probe(String key) {
        ListObjectsV2Response page = s3.listObjectsV2(l -> l.bucket(bucket).prefix(key).delimiter("/").maxKeys(PAGE));
        S3Object file = page.contents().stream().filter(o -> o.key().equals(key)).findFirst().orElse(null);
        boolean directory = page.commonPrefixes().stream().anyMatch(p -> p.prefix().equals(key + "/"));
        if (!directory && Boolean.TRUE.equals(page.isTruncated())) {
            directory = firstModifiedUnder(key + "/") != null;
        }
        return new Probe(file, directory);
    }

    /** Runs independent requests side by side; the first failure is thrown. */
    private static <T> List<T> all(List<Callable<T>> tasks) throws IOException {
        if (tasks.isEmpty()) {
            return List.of();
        }
        if (tasks.size() == 1) {
            try {
                return List.of(tasks.getFirst().call());
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = tasks.stream().map(executor::submit).toList();
            List<T> results = new ArrayList<>(futures.size());
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for S3");
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /** Keys in the order a walk visits paths: segment by segment, so '/' sorts first. */
    static int compareSegments(String a, String b) {
        int length = Math.min(a.length(), b.length());
        for (int i = 0; i < length; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return x == '/' ? -1 : y == '/' ? 1 : Character.compare(x, y);
            }
        }
        return Integer.compare(a.length(), b.length());
    }

    private static RequestBody body(byte[] bytes, int length) {
        // From the writer's own buffer, which it does not touch until the request is over: no copy.
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, "application/octet-stream");
    }

    /** An S3 failure as the I/O error the driver's callers expect. */
    static IOException failure(SdkException e) {
        return new IOException("S3: " + e.getMessage(), e);
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
