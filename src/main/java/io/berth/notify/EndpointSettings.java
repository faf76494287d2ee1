package io.berth.notify;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One endpoint as Distribution configures it: where events go, headers sent with each, how long a
 * POST may take, how many failures in a row before backing off and from what delay, and the media
 * types and actions it does not want.
 */
public record EndpointSettings(String name, URI url, Map<String, List<String>> headers, Duration timeout, int threshold,
        Duration backoff, List<String> ignoredMediaTypes, List<String> ignoredActions) {

    /** Whether an event of this action and target media type (null for none) goes to the endpoint. */
    boolean wants(String action, String mediaType) {
        return !ignoredActions.contains(action) && (mediaType == null || !ignoredMediaTypes.contains(mediaType));
    }
}
