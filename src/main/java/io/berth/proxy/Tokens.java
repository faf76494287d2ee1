package io.berth.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens of one upstream, by scope, kept until shortly before they expire. A token is fetched
 * from the challenge's realm with its service and the scope, signed in with Basic when the remote has
 * credentials, as the distribution token specification describes.
 */
final class Tokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest token response read. */
    private static final int MAX_RESPONSE = 1 << 20;
    /** What the token specification says to assume when a response names no lifetime. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);
    /** Scopes kept at most; a cache in front of many repositories forgets the oldest tokens first. */
    private static final int MAX_SCOPES = 10_000;

    private final Clock clock;
    private final Map<String, Token> byScope = new ConcurrentHashMap<>();

    Tokens(Clock clock) {
        this.clock = clock;
    }

    private record Token(String value, Instant renewAt) {}

    /** Fetches one token from a realm. */
    interface Realm {
        RemoteClient.Response get(URI url, String authorization) throws IOException;
    }

    /** The token for {@code scope} when one is held and not about to expire, else null. */
    String cached(String scope) {
        Token token = byScope.get(scope);
        return token != null && clock.instant().isBefore(token.renewAt()) ? token.value() : null;
    }

    /** A new token for {@code scope} from the challenge's realm, or null when the realm refuses one. */
    String fetch(Challenge challenge, String scope, String basic, Realm realm) throws IOException {
        if (challenge.realm() == null) {
            return null;
        }
        StringBuilder url = new StringBuilder(challenge.realm()).append(challenge.realm().contains("?") ? '&' : '?');
        if (challenge.service() != null) {
            url.append("service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8)).append('&');
        }
        url.append("scope=").append(URLEncoder.encode(challenge.scope() != null ? challenge.scope() : scope, StandardCharsets.UTF_8));
        JsonNode body;
        try (RemoteClient.Response response = realm.get(URI.create(url.toString()), basic)) {
            if (response.status() != 200) {
                return null;
            }
            try (InputStream in = response.body()) {
                body = JSON.readTree(in.readNBytes(MAX_RESPONSE));
            }
        } catch (IllegalArgumentException e) {
            return null; // a realm that is no URL
        }
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            return null;
        }
        long seconds = body.path("expires_in").asLong(0);
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_LIFETIME;
        if (byScope.size() >= MAX_SCOPES) {
            byScope.clear();
        }
        // Renewed at nine tenths of its life, so that no request goes out with a token expiring on the way.
        byScope.put(scope, new Token(token, clock.instant().plus(lifetime.multipliedBy(9).dividedBy(10))));
        return token;
    }
}
