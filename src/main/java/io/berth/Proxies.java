package io.berth;

import io.berth.config.Config;
import io.berth.observe.Metrics;
import io.berth.proxy.ProxyNamespace;
import io.berth.proxy.ProxyStats;
import io.berth.proxy.Remote;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Maps the {@code proxy} section to the pull-through cache's remotes, the router's {@code ?ns=} table and metrics. */
final class Proxies {

    /** Bounds on every upstream connection: a dead upstream is found out quickly, a stalled download ends. */
    static final ProxyNamespace.Settings SETTINGS = new ProxyNamespace.Settings(Duration.ofSeconds(5), Duration.ofSeconds(15),
            Path.of(System.getProperty("java.io.tmpdir")));

    private Proxies() {}

    static List<Remote> remotes(Config.Proxy proxy) {
        return proxy.remotes().stream()
                .map(r -> new Remote(r.name(), r.remoteUrl(), r.username(), r.password(), r.ttl()))
                .toList();
    }

    /**
     * What {@code ?ns=} may say, with the path prefix it stands for: each named remote's name and the
     * authority of its URL (containerd sends the host the image was named with, e.g. {@code docker.io});
     * the single {@code proxy.remoteurl}'s authority, and {@code docker.io} when it is Docker Hub, with no
     * prefix. Named remotes come first. Empty when {@code proxy.remotes} is not used: then, as in
     * Distribution, {@code ?ns=} changes nothing.
     */
    static Map<String, String> namespaces(Config.Proxy proxy) {
        Map<String, String> namespaces = new LinkedHashMap<>();
        for (Remote remote : remotes(proxy)) {
            if (remote.name() != null) {
                namespaces.putIfAbsent(remote.name(), remote.name());
                namespaces.putIfAbsent(remote.url().getAuthority(), remote.name());
            }
        }
        if (namespaces.isEmpty()) {
            return Map.of();
        }
        for (Remote remote : remotes(proxy)) {
            if (remote.name() == null) {
                namespaces.putIfAbsent(remote.url().getAuthority(), "");
                if (remote.dockerHub()) {
                    namespaces.putIfAbsent("docker.io", "");
                }
            }
        }
        return Map.copyOf(namespaces);
    }

    /** Per remote: hits, misses, upstream errors and bytes fetched, and the size of what is cached. */
    static void count(ProxyNamespace proxy, Metrics metrics) {
        for (ProxyStats stats : proxy.stats()) {
            Map<String, String> remote = Map.of("remote", stats.remote());
            metrics.counter("berth_proxy_hits_total", "Blobs and manifests a pull-through cache served from storage.", remote,
                    stats::hits);
            metrics.counter("berth_proxy_misses_total", "Blobs and manifests a pull-through cache fetched from its upstream.", remote,
                    stats::misses);
            metrics.counter("berth_proxy_upstream_errors_total", "Upstream requests that failed, timed out or sent content that did"
                    + " not verify.", remote, stats::upstreamErrors);
            metrics.counter("berth_proxy_fetched_bytes_total", "Bytes of blobs and manifests fetched from the upstream.", remote,
                    stats::bytesFetched);
            metrics.gauge("berth_proxy_cached_bytes", "Bytes of blobs and manifests the cache holds.", remote, stats::cachedBytes);
            metrics.gauge("berth_proxy_cached_items", "Blobs and manifests the cache holds.", remote, stats::cachedItems);
        }
    }
}
