package io.berth.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The registry calls the scenarios make, each checking the answer as a careful client would. */
final class Client {

    private Client() {}

    /** Thrown when a registry answers wrongly; counted as an error of the operation. */
    static final class WrongAnswer extends IOException {
        WrongAnswer(String message) {
            super(message);
        }
    }

    static HttpConnection.Response expect(HttpConnection.Response response, int status, String what) throws WrongAnswer {
        if (response.status() != status) {
            String body = new String(response.body(), StandardCharsets.UTF_8);
            throw new WrongAnswer(what + ": expected " + status + ", got " + response.status() + " " + body.substring(0, Math.min(200, body.length())));
        }
        return response;
    }

    static void expectDigest(HttpConnection.Response response, String digest, String what) throws WrongAnswer {
        String header = response.header("Docker-Content-Digest");
        if (header != null && !header.equals(digest)) {
            throw new WrongAnswer(what + ": Docker-Content-Digest " + header + " but expected " + digest);
        }
    }

    /** Starts an upload and returns its Location as a request target. */
    static String startUpload(HttpConnection c, String repository) throws IOException {
        HttpConnection.Response started = expect(c.send("POST", "/v2/" + repository + "/blobs/uploads/", null,
                HttpConnection.BodyMode.KEEP, null), 202, "upload start");
        return target(started.header("Location"));
    }

    /** A monolithic push as the issue describes it: POST, then PUT with the whole body. */
    static void pushMonolithic(HttpConnection c, String repository, Payload blob) throws IOException {
        String location = startUpload(c, repository);
        HttpConnection.Response done = c.send("PUT", withQuery(location, "digest=" + blob.digest()), blob,
                HttpConnection.BodyMode.KEEP, null, "Content-Type", "application/octet-stream");
        expectDigest(expect(done, 201, "monolithic PUT"), blob.digest(), "monolithic PUT");
        c.pushed().blob(repository, blob.digest(), blob.length());
    }

    /** A chunked push: POST, PATCH each chunk with its Content-Range, then PUT with the digest. */
    static void pushChunked(HttpConnection c, String repository, Payload blob, long chunk) throws IOException {
        String location = startUpload(c, repository);
        for (long from = 0; from < blob.length(); from += chunk) {
            long count = Math.min(chunk, blob.length() - from);
            HttpConnection.Response patched = expect(c.send("PATCH", location, blob.slice(from, count), HttpConnection.BodyMode.KEEP, null,
                    "Content-Type", "application/octet-stream", "Content-Range", from + "-" + (from + count - 1)), 202, "PATCH");
            location = target(patched.header("Location"));
        }
        HttpConnection.Response done = c.send("PUT", withQuery(location, "digest=" + blob.digest()), null, HttpConnection.BodyMode.KEEP, null);
        expectDigest(expect(done, 201, "chunked PUT"), blob.digest(), "chunked PUT");
        c.pushed().blob(repository, blob.digest(), blob.length());
    }

    /** Puts a manifest and checks the digest the registry reports. */
    static void putManifest(HttpConnection c, String repository, String reference, byte[] manifest, String mediaType) throws IOException {
        Payload body = Payload.ofBytes(manifest);
        HttpConnection.Response response = c.send("PUT", "/v2/" + repository + "/manifests/" + reference, body,
                HttpConnection.BodyMode.KEEP, null, "Content-Type", mediaType);
        expectDigest(expect(response, 201, "manifest PUT"), body.digest(), "manifest PUT");
        c.pushed().manifest(repository, body.digest());
    }

    /** GETs a blob and checks its digest header; with {@code verifyBody} also hashes every byte. */
    static long pullBlob(HttpConnection c, String repository, Payload blob, boolean verifyBody) throws IOException {
        MessageDigest sha = verifyBody ? Payload.sha256() : null;
        HttpConnection.Response response = expect(c.send("GET", "/v2/" + repository + "/blobs/" + blob.digest(), null,
                HttpConnection.BodyMode.DISCARD, sha), 200, "blob GET");
        expectDigest(response, blob.digest(), "blob GET");
        if (response.bodyLength() != blob.length()) {
            throw new WrongAnswer("blob GET returned " + response.bodyLength() + " bytes, expected " + blob.length());
        }
        if (sha != null && !("sha256:" + HexFormat.of().formatHex(sha.digest())).equals(blob.digest())) {
            throw new WrongAnswer("blob GET body does not hash to " + blob.digest());
        }
        return response.bodyLength();
    }

    /** Absolute Location URLs are reduced to their path and query, which is all a request line needs. */
    static String target(String location) throws WrongAnswer {
        if (location == null) {
            throw new WrongAnswer("no Location header");
        }
        if (location.startsWith("http://") || location.startsWith("https://")) {
            int slash = location.indexOf('/', location.indexOf("//") + 2);
            return slash < 0 ? "/" : location.substring(slash);
        }
        return location;
    }

    static String withQuery(String target, String parameter) {
        return target + (target.contains("?") ? "&" : "?") + parameter;
    }
}
