package io.berth.proxy;

import io.berth.registry.CatalogPage;
import io.berth.registry.ManifestMemory;
import io.berth.registry.Namespace;
import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.Repository;
import io.berth.registry.RepositoryName;
import io.berth.storage.Registry;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry as a read-only pull-through cache of one or more upstreams. A repository is routed to
 * the remote whose name is its first path component ({@code docker.io/library/alpine}), else to the
 * single {@code proxy.remoteurl} when there is one; it is cached locally under its full name, so the
 * content of each upstream stays apart. Pushes and deletes are refused.
 */
public final class ProxyNamespace implements Namespace, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProxyNamespace.class);

    /**
     * Timeouts of every upstream connection and socket read, and where blobs in flight are spooled
     * for the clients that share their download.
     */
    public record Settings(Duration connectTimeout, Duration readTimeout, Path spoolDirectory) {}

    /** One remote with its client and counters. */
    record Upstream(Remote remote, RemoteClient client, ProxyStats stats) {}

    /** What every proxy repository shares. */
    record Shared(BlobFetches fetches, Expiry expiry, ManifestMemory memory) {}

    private final Registry local;
    private final Upstream fallback;
    private final Map<String, Upstream> byName = new LinkedHashMap<>();
    private final Shared shared;
    private final ScheduledExecutorService sweeper;

    private ProxyNamespace(Registry local, StorageDriver driver, List<Remote> remotes, Settings settings, Clock clock) {
        this.local = local;
        Upstream single = null;
        for (Remote remote : remotes) {
            Upstream upstream = new Upstream(remote, new RemoteClient(remote, settings.connectTimeout(), settings.readTimeout(),
                    new Tokens(clock)), new ProxyStats(remote.label()));
            if (remote.name() == null) {
                single = upstream;
            } else {
                byName.put(remote.name(), upstream);
            }
        }
        this.fallback = single;
        Expiry expiry = new Expiry(driver, local, clock, this::statsOf);
        this.shared = new Shared(new BlobFetches(settings.spoolDirectory(), settings.readTimeout().multipliedBy(2)), expiry,
                local.manifestMemory());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("proxy-expiry").factory());
    }

    /** A cache over {@code local}, its expiry entries loaded from storage and its sweeps started. */
    public static ProxyNamespace start(Registry local, StorageDriver driver, List<Remote> remotes, Settings settings, Clock clock)
            throws IOException {
        ProxyNamespace proxy = new ProxyNamespace(local, driver, remotes, settings, clock);
        int entries = proxy.shared.expiry().load();
        long interval = Expiry.interval(remotes.stream().map(Remote::ttl).toList()).toMillis();
        proxy.sweeper.scheduleWithFixedDelay(() -> {
            try {
                int removed = proxy.shared.expiry().sweep();
                if (removed > 0) {
                    log.info("pull-through cache: {} expired blobs and manifests removed", removed);
                }
            } catch (RuntimeException e) {
                log.warn("pull-through cache: expiry sweep failed, tried again later: {}", e.toString()); // a throw would end the schedule
            }
        }, 0, interval, TimeUnit.MILLISECONDS);
        log.info("pull-through cache of {}; {} cached blobs and manifests known", remotes, entries);
        return proxy;
    }

    @Override
    public Repository repository(RepositoryName name) {
        Target target = route(name);
        if (target == null) {
            throw new RegistryException(new RegistryError.NameUnknown(name));
        }
        return ProxyRepository.of(name, local.repository(name), target.upstream(),
                target.upstream().remote().upstreamName(target.below()), shared);
    }

    /** A repository's remote, and its name below the remote's prefix. */
    private record Target(Upstream upstream, String below) {}

    /** The remote named by the first path component, else the single remote; null when neither serves the name. */
    private Target route(RepositoryName name) {
        String value = name.value();
        int slash = value.indexOf('/');
        Upstream named = slash > 0 ? byName.get(value.substring(0, slash)) : null;
        if (named != null) {
            return new Target(named, value.substring(slash + 1));
        }
        return fallback == null ? null : new Target(fallback, value);
    }

    /** The counters of a repository's remote (an entry left by a remote since removed counts for the first). */
    private ProxyStats statsOf(RepositoryName name) {
        Target target = route(name);
        return (target != null ? target.upstream() : fallback != null ? fallback : byName.values().iterator().next()).stats();
    }

    /** What is cached, as the catalog lists it. */
    @Override
    public CatalogPage catalog(String last, int n) throws IOException {
        return local.catalog(last, n);
    }

    /** The counters of every remote, for metrics. */
    public List<ProxyStats> stats() {
        return Stream.concat(Stream.ofNullable(fallback), byName.values().stream()).map(Upstream::stats).toList();
    }

    /** Stops the expiry sweeps; downloads in flight finish on their own. */
    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
