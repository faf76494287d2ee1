package io.berth.bench;

import java.util.Arrays;
import java.util.Locale;

/** What one timed run of a scenario measured. */
record Result(String scenario, String target, int concurrency, long ops, long errors, double seconds, long bytes,
        double p50Millis, double p99Millis, double maxMillis, String firstError) {

    static Result of(String scenario, String target, int concurrency, long[] latenciesNanos, long errors, double seconds, long bytes, String firstError) {
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return new Result(scenario, target, concurrency, sorted.length, errors, seconds, bytes,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, firstError);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    double opsPerSecond() {
        return seconds == 0 ? 0 : ops / seconds;
    }

    double mibPerSecond() {
        return seconds == 0 ? 0 : bytes / seconds / (1024 * 1024);
    }

    static String tableHeader() {
        return String.format(Locale.ROOT, "%-26s %-8s %5s %8s %6s %10s %9s %9s %9s %9s",
                "scenario", "target", "conc", "ops", "errors", "ops/s", "MiB/s", "p50 ms", "p99 ms", "max ms");
    }

    String tableRow() {
        return String.format(Locale.ROOT, "%-26s %-8s %5d %8d %6d %10.1f %9.1f %9.2f %9.2f %9.2f",
                scenario, target, concurrency, ops, errors, opsPerSecond(), mibPerSecond(), p50Millis, p99Millis, maxMillis);
    }

    String jsonLine() {
        return String.format(Locale.ROOT,
                "{\"scenario\":\"%s\",\"target\":\"%s\",\"concurrency\":%d,\"ops\":%d,\"errors\":%d,\"seconds\":%.4f,\"bytes\":%d,"
                        + "\"opsPerSecond\":%.2f,\"mibPerSecond\":%.2f,\"p50Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f%s}",
                scenario, target, concurrency, ops, errors, seconds, bytes, opsPerSecond(), mibPerSecond(), p50Millis, p99Millis, maxMillis,
                firstError == null ? "" : ",\"firstError\":\"" + firstError.replace("\\", "\\\\").replace("\"", "'") + "\"");
    }
}
