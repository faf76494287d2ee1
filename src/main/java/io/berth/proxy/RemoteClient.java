package io.berth.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * HTTP to one upstream registry, signed in as Docker clients do: anonymously, with Basic when the
 * upstream asks for it, or with a bearer token fetched from the realm of its challenge (see
 * {@link Tokens}). Every socket operation is bounded by the timeouts, and an upstream that could not
 * be reached is not tried again for a short while, so that a dead upstream costs clients nothing.
 */
final class RemoteClient {

    /** Redirects followed at most (blob downloads often go to a CDN or a bucket). */
    private static final int MAX_REDIRECTS = 5;
    /** How long an unreachable upstream is left alone before the next try. */
    static final Duration BACKOFF = Duration.ofSeconds(3);

    private final Remote remote;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Tokens tokens;
    /** The upstream asked for Basic once: send it with every request from then on. */
    private volatile boolean basic;
    /** {@link System#nanoTime} before which the upstream is taken as down; 0 when it is up. */
    private volatile long downUntil;

    RemoteClient(Remote remote, Duration connectTimeout, Duration readTimeout, Tokens tokens) {
        this.remote = remote;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.tokens = tokens;
    }

    /** The upstream could not be reached, did not answer in time, or failed; what is cached may stand in. */
    static final class Unavailable extends IOException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** A response whose body is streamed; closing it gives the connection back for reuse. */
    record Response(int status, HttpURLConnection connection) implements AutoCloseable {
        String header(String name) {
            return connection.getHeaderField(name);
        }

        long length() {
            return connection.getContentLengthLong();
        }

        InputStream body() throws IOException {
            return status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        }

        @Override
        public void close() {
            try (InputStream in = body()) {
                // closing the stream read to its end keeps the connection alive
            } catch (IOException | RuntimeException e) {
                connection.disconnect();
            }
        }
    }

    Remote remote() {
        return remote;
    }

    /**
     * Sends a request for {@code path} (from {@code /v2/} on) with the pull scope of {@code repository},
     * answering one challenge; {@link Unavailable} when the upstream cannot be reached or fails (5xx, 429).
     */
    Response send(String method, String path, String repository, String accept) throws IOException {
        if (System.nanoTime() - downUntil < 0) {
            throw new Unavailable("upstream " + remote.label() + " failed moments ago; not tried again yet");
        }
        String scope = "repository:" + repository + ":pull";
        Response response = exchange(method, path, accept, authorization(scope));
        if (response.status() == 401) {
            String challenge = response.header("WWW-Authenticate");
            response.close();
            String answer = answer(challenge, scope);
            if (answer != null) {
                response = exchange(method, path, accept, answer);
            }
        }
        if (response.status() >= 500 || response.status() == 429) {
            response.close();
            throw new Unavailable("upstream " + remote.label() + " answered " + response.status() + " to " + method + " " + path);
        }
        return response;
    }

    private String authorization(String scope) {
        String token = tokens.cached(scope);
        if (token != null) {
            return "Bearer " + token;
        }
        return basic ? basicCredentials() : null;
    }

    /** The Authorization that answers a challenge, or null when none can. */
    private String answer(String challenge, String scope) throws IOException {
        if (challenge == null) {
            return null;
        }
        String scheme = challenge.strip().split("\\s+", 2)[0];
        if (scheme.equalsIgnoreCase("Basic")) {
            basic = remote.username() != null;
            return basic ? basicCredentials() : null;
        }
        if (scheme.equalsIgnoreCase("Bearer")) {
            String token = tokens.fetch(Challenge.parse(challenge), scope, remote.username() == null ? null : basicCredentials(),
                    this::get);
            return token == null ? null : "Bearer " + token;
        }
        return null;
    }

    private String basicCredentials() {
        String pair = remote.username() + ":" + (remote.password() == null ? "" : remote.password());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    /** A GET of an absolute URL (a token realm), not counted against the upstream's health. */
    private Response get(URI url, String authorization) throws IOException {
        return open("GET", url, null, authorization, 0);
    }

    private Response exchange(String method, String path, String accept, String authorization) throws IOException {
        try {
            Response response = open(method, remote.url().resolve(path), accept, authorization, 0);
            downUntil = 0;
            return response;
        } catch (Unavailable e) {
            downUntil = System.nanoTime() + BACKOFF.toNanos();
            throw e;
        }
    }

    private Response open(String method, URI url, String accept, String authorization, int redirects) throws IOException {
        HttpURLConnection connection;
        int status;
        try {
            connection = (HttpURLConnection) url.toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            connection.setConnectTimeout((int) connectTimeout.toMillis());
            connection.setReadTimeout((int) readTimeout.toMillis());
            connection.setUseCaches(false);
            connection.setRequestProperty("User-Agent", "berth-proxy");
            if (accept != null) {
                connection.setRequestProperty("Accept", accept);
            }
            if (authorization != null) {
                connection.setRequestProperty("Authorization", authorization);
            }
            status = connection.getResponseCode();
        } catch (IOException | IllegalArgumentException e) {
            throw new Unavailable("upstream " + url.getAuthority() + " could not be reached: " + e.getMessage());
        }
        Response response = new Response(status, connection);
        String location = response.header("Location");
        if (status / 100 == 3 && status != 304 && location != null) {
            response.close();
            if (redirects == MAX_REDIRECTS) {
                throw new Unavailable("upstream " + remote.label() + " redirected more than " + MAX_REDIRECTS + " times");
            }
            URI next = resolve(url, location);
            // Credentials stay with the upstream: a CDN or bucket URL carries its own signature.
            boolean sameHost = next.getAuthority() != null && next.getAuthority().equals(url.getAuthority());
            return open(method, next, accept, sameHost ? authorization : null, redirects + 1);
        }
        return response;
    }

    private URI resolve(URI base, String location) throws Unavailable {
        try {
            return base.resolve(new URI(location));
        } catch (URISyntaxException e) {
            throw new Unavailable("upstream " + remote.label() + " redirected to an invalid URL");
        }
    }
}
