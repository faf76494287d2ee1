package io.berth.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * One upstream registry of the pull-through cache.
 *
 * @param name the first path component that routes to it, and the {@code ?ns=} value; null for
 *     Distribution's single {@code proxy.remoteurl}, which serves every other name
 * @param url {@code scheme://host[:port]} of the upstream
 * @param username for Basic or the token realm; null for anonymous pulls
 * @param ttl how long cached content is kept; zero keeps it until deleted by hand
 */
public record Remote(String name, URI url, String username, String password, Duration ttl) {

    private static final Set<String> DOCKER_HUB = Set.of("registry-1.docker.io", "index.docker.io", "docker.io",
            "registry.hub.docker.com");

    /** Docker Hub keeps official images under {@code library/}; clients may leave that out only there. */
    public boolean dockerHub() {
        return DOCKER_HUB.contains(url.getHost()) || "docker.io".equals(name);
    }

    /** What a repository is called upstream, given its name below the remote's prefix. */
    String upstreamName(String name) {
        return dockerHub() && name.indexOf('/') < 0 ? "library/" + name : name;
    }

    /** For logs and metrics: the name, or the upstream's host for the single remote. */
    public String label() {
        return name != null ? name : url.getAuthority();
    }

    /** Never the password: remotes end up in logs. */
    @Override
    public String toString() {
        return "Remote[" + label() + " at " + url + (username == null ? "" : " as " + username) + ", ttl " + ttl + "]";
    }
}
