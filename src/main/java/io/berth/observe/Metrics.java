package io.berth.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Berth's Prometheus metrics, named after Distribution's where they mean the same ({@code registry_}
 * prefix, {@code registry_storage_action_seconds}). The request path only indexes arrays and adds to
 * striped counters: every series a request can touch is looked up once and kept, never found by
 * its label values again. Other components add their own counters and gauges with
 * {@link #counter} and {@link #gauge}, read when scraped.
 */
public final class Metrics {

    /** Request latency buckets, in seconds: from a cached HEAD to a multi-gigabyte layer. */
    private static final double[] REQUEST_BUCKETS =
            {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

    /** Storage operation latency buckets, in seconds: from a stat in the page cache to a slow object store. */
    private static final double[] STORAGE_BUCKETS =
            {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    /** Methods with a series of their own; anything else is {@code other}, so a client cannot invent series. */
    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other");

    private static final int FIRST_STATUS = 100;
    private static final int STATUSES = 500;

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Counter requests;
    private final Histogram durations;
    /** The series of each route, method and status, by {@link #index}; filled on first use. */
    private final RequestSeries[] series = new RequestSeries[Endpoint.values().length * METHODS.size() * STATUSES];
    private final CounterDataPoint[] received;
    private final CounterDataPoint[] sent;
    private final LongAdder inFlight = new LongAdder();
    private final LongAdder uploads = new LongAdder();

    private final Histogram storageSeconds;
    private final Counter storageErrors;

    private final Map<String, CallbackFamily> families = new ConcurrentHashMap<>();

    /** A request's counter and latency histogram, resolved together. */
    private record RequestSeries(CounterDataPoint count, DistributionDataPoint seconds) {}

    public Metrics() {
        requests = Counter.builder().name("registry_http_requests_total")
                .help("HTTP requests answered, by route, method and status code.")
                .labelNames("route", "method", "code").withoutExemplars().build();
        durations = Histogram.builder().name("registry_http_request_duration_seconds")
                .help("Time from a request's arrival to the end of its response, by route, method and status code.")
                .labelNames("route", "method", "code").classicOnly().classicUpperBounds(REQUEST_BUCKETS)
                .withoutExemplars().build();
        Counter receivedBytes = Counter.builder().name("registry_http_request_bytes_total")
                .help("Request body bytes read, by route.").labelNames("route").withoutExemplars().build();
        Counter sentBytes = Counter.builder().name("registry_http_response_bytes_total")
                .help("Response body bytes written, by route.").labelNames("route").withoutExemplars().build();
        received = new CounterDataPoint[Endpoint.values().length];
        sent = new CounterDataPoint[Endpoint.values().length];
        for (Endpoint route : Endpoint.values()) {
            received[route.ordinal()] = receivedBytes.labelValues(route.label());
            sent[route.ordinal()] = sentBytes.labelValues(route.label());
        }
        storageSeconds = Histogram.builder().name("registry_storage_action_seconds")
                .help("Time spent in storage driver operations, by driver and operation.")
                .labelNames("driver", "action").classicOnly().classicUpperBounds(STORAGE_BUCKETS)
                .withoutExemplars().build();
        storageErrors = Counter.builder().name("registry_storage_action_errors_total")
                .help("Storage driver operations that failed (a missing path is an answer, not a failure), by driver and operation.")
                .labelNames("driver", "action").withoutExemplars().build();
        registry.register(requests);
        registry.register(durations);
        registry.register(receivedBytes);
        registry.register(sentBytes);
        registry.register(storageSeconds);
        registry.register(storageErrors);
        gauge("registry_http_in_flight_requests", "Requests being handled now.", Map.of(), inFlight::sum);
        gauge("registry_uploads_in_progress", "Blob upload requests (POST, PATCH, PUT) transferring data now.",
                Map.of(), uploads::sum);
        Info build = Info.builder().name("berth_build_info").help("The version and git commit of this Berth; always 1.")
                .labelNames("version", "commit").build();
        build.setLabelValues(BuildInfo.current().version(), BuildInfo.current().commit());
        registry.register(build);
        counter("registry_log_dropped_lines_total", "Log lines dropped because the log output could not keep up.",
                Map.of(), Logging::droppedLines);
    }

    /** A request arrived. */
    public void requestStarted() {
        inFlight.increment();
    }

    /** A request that carries blob data (an upload's POST, PATCH or PUT) reached its handler. */
    public void uploadStarted() {
        uploads.increment();
    }

    /** The upload request counted by {@link #uploadStarted} is over. */
    public void uploadFinished() {
        uploads.decrement();
    }

    /** A request is over: counted by route, method and status, with its latency and body sizes. */
    public void requestFinished(Endpoint route, String method, int status, long bytesIn, long bytesOut, long nanos) {
        inFlight.decrement();
        RequestSeries s = series(route, method, status);
        s.count.inc();
        s.seconds.observe(nanos / 1e9);
        if (bytesIn > 0) {
            received[route.ordinal()].inc(bytesIn);
        }
        if (bytesOut > 0) {
            sent[route.ordinal()].inc(bytesOut);
        }
    }

    private RequestSeries series(Endpoint route, String method, int status) {
        int m = methodIndex(method);
        if (status < FIRST_STATUS || status >= FIRST_STATUS + STATUSES) {
            return resolve(route, METHODS.get(m), status);
        }
        int index = (route.ordinal() * METHODS.size() + m) * STATUSES + status - FIRST_STATUS;
        RequestSeries found = series[index];
        if (found == null) {
            // A race here only resolves the same data points twice: the registry hands out one per label set.
            found = resolve(route, METHODS.get(m), status);
            series[index] = found;
        }
        return found;
    }

    private RequestSeries resolve(Endpoint route, String method, int status) {
        String code = Integer.toString(status);
        return new RequestSeries(requests.labelValues(route.label(), method, code),
                durations.labelValues(route.label(), method, code));
    }

    private static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "PATCH" -> 4;
            case "DELETE" -> 5;
            case "OPTIONS" -> 6;
            default -> 7;
        };
    }

    /** The series of one storage operation of one driver, resolved once by the driver's decorator. */
    public Operation storageOperation(String driver, String action) {
        return new Operation(storageSeconds.labelValues(driver, action), storageErrors.labelValues(driver, action));
    }

    /** Where one storage operation's latency and failures are counted. */
    public record Operation(DistributionDataPoint seconds, CounterDataPoint errors) {

        /** Records one call that took {@code nanos}; {@code failed} when the storage failed, not merely answered "not found". */
        public void record(long nanos, boolean failed) {
            seconds.observe(nanos / 1e9);
            if (failed) {
                errors.inc();
            }
        }
    }

    /**
     * Adds a counter whose value another component keeps, read at each scrape; for example the
     * descriptor cache: {@code counter("registry_storage_cache_total", "...", Map.of("type", "Hit"), cache::hits)}.
     * Series of one name must share their label names; the {@code _total} suffix is optional.
     */
    public void counter(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        family(name, help, labels, true).series.add(new CallbackSeries(new TreeMap<>(labels).values().toArray(String[]::new), value));
    }

    /** Adds a gauge whose value another component keeps, read at each scrape; see {@link #counter}. */
    public void gauge(String name, String help, Map<String, String> labels, DoubleSupplier value) {
        family(name, help, labels, false).series.add(new CallbackSeries(new TreeMap<>(labels).values().toArray(String[]::new), value));
    }

    private CallbackFamily family(String name, String help, Map<String, String> labels, boolean counter) {
        String[] labelNames = new TreeMap<>(labels).keySet().toArray(String[]::new);
        String key = counter && name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        CallbackFamily family = families.computeIfAbsent(key, ignored -> {
            CallbackFamily created = new CallbackFamily(labelNames, counter, new CopyOnWriteArrayList<>());
            if (counter) {
                registry.register(CounterWithCallback.builder().name(name).help(help).labelNames(labelNames)
                        .callback(callback -> created.series.forEach(s -> callback.call(s.value.getAsDouble(), s.labelValues))).build());
            } else {
                registry.register(GaugeWithCallback.builder().name(name).help(help).labelNames(labelNames)
                        .callback(callback -> created.series.forEach(s -> callback.call(s.value.getAsDouble(), s.labelValues))).build());
            }
            return created;
        });
        if (family.counter != counter || !List.of(family.labelNames).equals(List.of(labelNames))) {
            throw new IllegalArgumentException("metric " + name + " is registered already with labels "
                    + List.of(family.labelNames) + (family.counter ? " as a counter" : " as a gauge"));
        }
        return family;
    }

    private record CallbackFamily(String[] labelNames, boolean counter, List<CallbackSeries> series) {}

    private record CallbackSeries(String[] labelValues, DoubleSupplier value) {}

    /** The media type of {@link #scrape}: Prometheus' text format 0.0.4. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric in Prometheus' text format. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
