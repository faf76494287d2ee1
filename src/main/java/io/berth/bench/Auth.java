package io.berth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the bench signs in to a registry whose URL carries a user and password
 * ({@code http://alice:secret@host:port}), as a registry client does: the first 401 names the
 * scheme; with Basic the credentials then go with every request, with Bearer a token is fetched
 * from the challenge's realm for the scope it names and sent with every request to that
 * repository, fetched again when a 401 says it no longer serves.
 */
final class Auth {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final List<String> ROUTES = List.of("/blobs/", "/manifests/", "/tags/", "/referrers/");

    // One per registry and user for the whole process, so that every connection of a run shares the
    // scheme and the tokens learnt, as a client's credential store does; a few entries at most.
    private static final Map<URI, Auth> SHARED = new ConcurrentHashMap<>();

    /** How the registry wants to be signed in to, once a 401 said so. */
    private enum Scheme { BASIC, BEARER }

    private final String basic;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private volatile Scheme scheme;

    private Auth(String userInfo) {
        this.basic = "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** The sign-in for {@code base}, shared by all its connections; null when its URL has no user. */
    static Auth of(URI base) {
        String userInfo = base.getUserInfo();
        return userInfo == null ? null : SHARED.computeIfAbsent(base, b -> new Auth(userInfo));
    }

    /** The Authorization value for a request to {@code target}, or null before the scheme is known or without a token yet. */
    String header(String target) {
        Scheme known = scheme;
        return known == null ? null : known == Scheme.BASIC ? basic : tokens.get(repository(target));
    }

    /**
     * Learns from a 401 to a request sent with {@code sent} (or null): the scheme and, for Bearer,
     * a new token for {@code target}'s repository unless another connection has just fetched one.
     * True when the request is worth sending again, signed as {@link #header} now says.
     */
    boolean answer(String target, String sent, String challenge) throws IOException {
        if (challenge == null) {
            return false;
        }
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            scheme = Scheme.BASIC;
            return !basic.equals(sent); // sent already: the credentials are wrong
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            return false;
        }
        scheme = Scheme.BEARER;
        String repository = repository(target);
        String current = tokens.get(repository);
        if (current == null || current.equals(sent)) {
            tokens.put(repository, token(parameters(challenge)));
        }
        return true;
    }

    /** GET realm?service=&scope= with the Basic credentials; the token of the answer. */
    private String token(Map<String, String> challenge) throws IOException {
        String realm = challenge.get("realm");
        if (realm == null || !realm.startsWith("http://")) {
            throw new IOException("bearer challenge without a plain-HTTP realm: " + realm);
        }
        StringBuilder query = new StringBuilder();
        for (String name : List.of("service", "scope")) {
            if (challenge.containsKey(name)) {
                query.append(query.isEmpty() ? "" : "&").append(name).append('=')
                        .append(URLEncoder.encode(challenge.get(name), StandardCharsets.UTF_8));
            }
        }
        URI uri = URI.create(realm);
        try (HttpConnection c = new HttpConnection(URI.create("http://" + uri.getRawAuthority()))) {
            HttpConnection.Response response = Client.expect(c.send("GET", Client.withQuery(uri.getRawPath(), query.toString()), null,
                    HttpConnection.BodyMode.KEEP, null, "Authorization", basic), 200, "token request");
            JsonNode body = JSON.readTree(response.body());
            String token = body.path("token").asText(body.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new Client.WrongAnswer("token response without a token");
            }
            return "Bearer " + token;
        }
    }

    private static Map<String, String> parameters(String challenge) {
        Map<String, String> parameters = new HashMap<>();
        Matcher m = PARAMETER.matcher(challenge);
        while (m.find()) {
            parameters.put(m.group(1), m.group(2));
        }
        return parameters;
    }

    /** The repository a request target names ({@code /v2/<name>/blobs/...}), or the whole path for others (the catalog). */
    private static String repository(String target) {
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        int end = -1;
        for (String route : ROUTES) {
            end = Math.max(end, path.lastIndexOf(route));
        }
        return path.startsWith("/v2/") && end > 4 ? path.substring(4, end) : path;
    }
}
