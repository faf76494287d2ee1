package io.berth;

import io.berth.config.Config;
import io.berth.notify.EndpointSettings;
import io.berth.notify.Notifier;
import io.berth.observe.Metrics;
import io.berth.storage.Paths;
import io.berth.storage.driver.StorageDriver;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds {@code notifications}: the notifier, its metrics, and its page on the debug server. */
final class Notifications {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);

    /** The debug server's page of every endpoint's state. */
    static final String DEBUG_PATH = "/debug/notifications";

    private Notifications() {}

    /** The notifier, or null when no endpoint is enabled or the registry is read-only. */
    static Notifier start(Config config, StorageDriver driver, Metrics metrics) throws IOException {
        Config.Notifications settings = config.notifications();
        if (settings.endpoints().isEmpty()) {
            return null;
        }
        if (config.storage().readOnly()) {
            // Read-only mode is for maintenance: storage must not change, and the outbox is in storage.
            log.warn("notifications are off while the registry is read-only");
            return null;
        }
        String host = hostName();
        List<EndpointSettings> endpoints = settings.endpoints().stream().map(e -> new EndpointSettings(e.name(), e.url(),
                e.headers(), e.timeout(), e.threshold(), e.backoff(), e.ignoredMediaTypes(), e.ignoredActions())).toList();
        Notifier notifier = Notifier.start(driver, new Notifier.Settings(settings.includeReferences(), endpoints, settings.maxEvents(),
                settings.instance().isBlank() ? host : settings.instance(), host, Paths.of(new Paths.Notifications())));
        if (metrics != null) {
            count(notifier, metrics);
        }
        return notifier;
    }

    /** The host's name, as Distribution's {@code source.addr} gives it. */
    private static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static void count(Notifier notifier, Metrics metrics) {
        for (Notifier.EndpointStatus endpoint : notifier.status()) {
            series(metrics, notifier, endpoint.name());
        }
        metrics.counter("berth_notifications_lost_pulls_total", "Pull events not recorded because storage could not keep up.",
                Map.of(), notifier::lostPulls);
    }

    private static void series(Metrics metrics, Notifier notifier, String name) {
        Map<String, String> labels = Map.of("endpoint", name);
        metrics.gauge("berth_notifications_pending", "Events in the outbox the endpoint has yet to take.", labels,
                () -> of(notifier, name).pending());
        metrics.counter("berth_notifications_delivered_total", "Events the endpoint took (answered 2xx).", labels,
                () -> of(notifier, name).delivered());
        metrics.counter("berth_notifications_failures_total", "Deliveries that failed (an error status, no connection, a timeout).",
                labels, () -> of(notifier, name).failures());
        metrics.counter("berth_notifications_dropped_total", "Events dropped undelivered because the endpoint's outbox was full.",
                labels, () -> of(notifier, name).dropped());
        metrics.gauge("berth_notifications_last_success_timestamp_seconds", "When the endpoint last took events (0: never).",
                labels, () -> of(notifier, name).lastSuccessMillis() / 1000.0);
        metrics.counter("berth_notifications_delivery_seconds_total", "Time spent in successful deliveries; divide by posts for the mean.",
                labels, () -> of(notifier, name).postSeconds());
        metrics.counter("berth_notifications_posts_total", "Successful deliveries (each a POST of one or more events).",
                labels, () -> of(notifier, name).posts());
        metrics.gauge("berth_notifications_last_delivery_seconds", "How long the last successful delivery took.",
                labels, () -> of(notifier, name).lastLatencySeconds());
    }

    private static Notifier.EndpointStatus of(Notifier notifier, String name) {
        return notifier.status().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** {@code /debug/notifications}: the outbox's name and each endpoint's state, times in RFC 3339. */
    static Object debugView(Notifier notifier) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("instance", notifier.instance());
        view.put("lostPulls", notifier.lostPulls());
        view.put("endpoints", notifier.status().stream().map(s -> {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("name", s.name());
            endpoint.put("url", s.url());
            endpoint.put("pending", s.pending());
            endpoint.put("delivered", s.delivered());
            endpoint.put("failures", s.failures());
            endpoint.put("dropped", s.dropped());
            endpoint.put("lastSuccess", s.lastSuccessMillis() == 0 ? null : Instant.ofEpochMilli(s.lastSuccessMillis()).toString());
            endpoint.put("lastDeliverySeconds", s.lastLatencySeconds());
            endpoint.put("lastError", s.lastError());
            return endpoint;
        }).toList());
        return view;
    }
}
