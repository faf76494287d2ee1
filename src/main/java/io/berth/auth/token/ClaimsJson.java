package io.berth.auth.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Claims to and from a token's JSON payload, with the field names and forms of Distribution's token spec. */
final class ClaimsJson {

    private ClaimsJson() {}

    /** The claims of a payload; a claim of the wrong JSON type is refused, a missing one is null (or empty). */
    static Claims read(ObjectNode json) throws InvalidTokenException {
        return new Claims(string(json, "iss", null), string(json, "sub", ""), audience(json.get("aud")),
                time(json, "exp"), time(json, "nbf"), time(json, "iat"), string(json, "jti", null),
                access(json.get("access")));
    }

    /** The payload of {@code claims}; a single audience is written as a string, which every verifier accepts. */
    static ObjectNode write(Claims claims) {
        ObjectNode json = Jws.JSON.createObjectNode();
        json.put("iss", claims.issuer());
        json.put("sub", claims.subject());
        if (claims.audience().size() == 1) {
            json.put("aud", claims.audience().getFirst());
        } else {
            claims.audience().forEach(json.putArray("aud")::add);
        }
        json.put("exp", claims.expiry().getEpochSecond());
        if (claims.notBefore() != null) {
            json.put("nbf", claims.notBefore().getEpochSecond());
        }
        if (claims.issuedAt() != null) {
            json.put("iat", claims.issuedAt().getEpochSecond());
        }
        if (claims.id() != null) {
            json.put("jti", claims.id());
        }
        ArrayNode access = json.putArray("access");
        for (ResourceActions entry : claims.access()) {
            ObjectNode item = access.addObject().put("type", entry.type()).put("name", entry.name());
            entry.actions().forEach(item.putArray("actions")::add);
        }
        return json;
    }

    private static String string(ObjectNode json, String claim, String absent) throws InvalidTokenException {
        JsonNode value = json.get(claim);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isTextual()) {
            throw new InvalidTokenException("malformed token: claim " + claim + " is not a string");
        }
        return value.asText();
    }

    private static List<String> audience(JsonNode aud) throws InvalidTokenException {
        if (aud == null || aud.isNull()) {
            return List.of();
        }
        if (aud.isTextual()) {
            return List.of(aud.asText());
        }
        return strings(aud, "malformed token: claim aud is neither a string nor an array of strings");
    }

    /** A NumericDate: seconds since the epoch, possibly with a fraction, which is dropped. */
    private static Instant time(ObjectNode json, String claim) throws InvalidTokenException {
        JsonNode value = json.get(claim);
        if (value == null || value.isNull()) {
            return null;
        }
        try {
            if (value.isIntegralNumber() && value.canConvertToLong()) {
                return Instant.ofEpochSecond(value.longValue());
            }
            if (value.isFloatingPointNumber() && Double.isFinite(value.doubleValue()) && value.canConvertToLong()) {
                return Instant.ofEpochSecond((long) Math.floor(value.doubleValue()));
            }
        } catch (DateTimeException e) {
            // out of the range of time; refused below
        }
        throw new InvalidTokenException("malformed token: claim " + claim + " is not a time in seconds");
    }

    private static List<ResourceActions> access(JsonNode access) throws InvalidTokenException {
        if (access == null || access.isNull()) {
            return List.of();
        }
        String malformed = "malformed token: claim access must be an array of {type, name, actions}";
        if (!access.isArray()) {
            throw new InvalidTokenException(malformed);
        }
        List<ResourceActions> entries = new ArrayList<>(access.size());
        for (JsonNode entry : access) {
            JsonNode type = entry.get("type");
            JsonNode name = entry.get("name");
            if (type == null || !type.isTextual() || name == null || !name.isTextual()) {
                throw new InvalidTokenException(malformed);
            }
            // Go token servers write an empty list of actions as null.
            JsonNode actions = entry.get("actions");
            entries.add(new ResourceActions(type.asText(), name.asText(),
                    actions != null && actions.isNull() ? List.of() : strings(actions, malformed)));
        }
        return entries;
    }

    private static List<String> strings(JsonNode array, String malformed) throws InvalidTokenException {
        if (array == null || !array.isArray()) {
            throw new InvalidTokenException(malformed);
        }
        List<String> strings = new ArrayList<>(array.size());
        for (JsonNode item : array) {
            if (!item.isTextual()) {
                throw new InvalidTokenException(malformed);
            }
            strings.add(item.asText());
        }
        return strings;
    }
}
