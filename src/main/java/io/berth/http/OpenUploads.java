package io.berth.http;

import io.berth.registry.RegistryError;
import io.berth.registry.RegistryException;
import io.berth.registry.RepositoryName;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The upload sessions this process started and that are not finished, cancelled or purged yet,
 * bounded overall ({@code http.limits.uploads}) and per repository
 * ({@code http.limits.uploadsperrepository}). A session idle for longer than the purge age is
 * forgotten, since the purger removes it from storage. Holds at most {@code max} entries.
 */
final class OpenUploads {

    /** When to try again once the bound is reached: a slot frees as soon as one upload ends. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final int max;
    private final int perRepository;
    private final Duration idleAge;
    private final Clock clock;
    /** Open sessions by upload id (or a reservation key), least recently active first. */
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<RepositoryName, Integer> perName = new HashMap<>();
    private long reservations;

    private static final class Session {
        final RepositoryName name;
        Instant active;

        Session(RepositoryName name, Instant active) {
            this.name = name;
            this.active = active;
        }
    }

    OpenUploads(int max, int perRepository, Duration idleAge, Clock clock) {
        this.max = max;
        this.perRepository = perRepository;
        this.idleAge = idleAge;
        this.clock = clock;
    }

    /**
     * Takes a slot for a session about to start in {@code name}, or refuses with
     * {@link RegistryError.TooManyRequests}. Returns a key to {@link #bind} to the upload's id once it
     * exists, or to {@link #close} when it could not start.
     */
    synchronized String reserve(RepositoryName name) {
        forgetIdle();
        if (sessions.size() >= max) {
            throw busy(max + " uploads are in progress, the most this registry runs at once");
        }
        if (perName.getOrDefault(name, 0) >= perRepository) {
            throw busy(perRepository + " uploads are in progress in " + name + ", the most a repository may have at once");
        }
        String key = "reserved-" + reservations++;
        sessions.put(key, new Session(name, clock.instant()));
        perName.merge(name, 1, Integer::sum);
        return key;
    }

    /** The reserved slot now belongs to the upload {@code id}. */
    synchronized void bind(String key, String id) {
        Session session = sessions.remove(key);
        if (session != null) {
            sessions.put(id, session);
        }
    }

    /** A request on the upload: it is not idle. */
    synchronized void touch(String id) {
        Session session = sessions.get(id);
        if (session != null) {
            session.active = clock.instant();
        }
    }

    /** The upload ended (finished, cancelled, gone): its slot is free. Unknown ids are ignored. */
    synchronized void close(String id) {
        Session session = sessions.remove(id);
        if (session != null) {
            perName.computeIfPresent(session.name, (name, count) -> count > 1 ? count - 1 : null);
        }
    }

    private void forgetIdle() {
        Instant cutoff = clock.instant().minus(idleAge);
        for (Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
            Session session = it.next().getValue();
            if (!session.active.isBefore(cutoff)) {
                return;
            }
            it.remove();
            perName.computeIfPresent(session.name, (name, count) -> count > 1 ? count - 1 : null);
        }
    }

    private static RegistryException busy(String message) {
        return new RegistryException(new RegistryError.TooManyRequests(
                message + "; retry when one finishes", RETRY_AFTER));
    }
}
