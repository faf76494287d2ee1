package io.berth.observe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The registry's health: named checks, each reporting null when fine or why it is not. Healthy
 * means every check is fine, as Distribution's {@code /debug/health} judges it.
 */
public final class Health {

    private final Map<String, Supplier<String>> checks = new ConcurrentHashMap<>();

    /** Adds a check; {@code status} answers null when healthy, else a short reason, and must be cheap. */
    public void register(String name, Supplier<String> status) {
        if (checks.putIfAbsent(name, status) != null) {
            throw new IllegalArgumentException("health check " + name + " is registered already");
        }
    }

    /** The failing checks and their reasons, by name; empty when healthy. */
    public Map<String, String> failures() {
        Map<String, String> failing = new TreeMap<>();
        checks.forEach((name, status) -> {
            String reason = status.get();
            if (reason != null) {
                failing.put(name, reason);
            }
        });
        return failing;
    }
}
