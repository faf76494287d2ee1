package io.berth.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Deletes what a bench run pushed: every manifest by digest (its tags go with it), then every blob,
 * so that a run leaves the registry as it found it. A registry that refuses deletes (405, as
 * Distribution and Berth do without {@code storage.delete}) is told about once, with what was left.
 */
final class Cleanup {

    /** Connections deleting at once: a run can leave hundreds of manifests and blobs behind. */
    private static final int WORKERS = 4;

    /** How a clean-up ended; {@link #message} is the one line to show the operator. */
    record Outcome(boolean failed, String message) {}

    /** One DELETE, and the record it removes from once the registry no longer has the object. */
    private record Delete(String target, Collection<String> recorded, String digest) {}

    private Cleanup() {}

    /** Runs the clean-up and prints its one line to {@code err}; true when deletes failed. */
    static boolean runAndReport(URI url, Pushed pushed, PrintWriter err) {
        try {
            Outcome outcome = run(url, pushed);
            err.println(outcome.message());
            return outcome.failed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("berth bench: clean-up interrupted; " + left(pushed));
            return true;
        } finally {
            err.flush();
        }
    }

    /** Deletes everything in {@code pushed} from the registry at {@code url}, removing each entry once it is gone. */
    static Outcome run(URI url, Pushed pushed) throws InterruptedException {
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean refused = new AtomicBoolean();
        AtomicInteger deleted = new AtomicInteger();
        // Manifests first: a registry may refuse to delete a blob that a manifest still names.
        for (String kind : List.of("manifests", "blobs")) {
            List<Delete> deletes = new ArrayList<>();
            for (Pushed.Repository repository : pushed.repositories()) {
                Collection<String> recorded = kind.equals("manifests") ? repository.manifests() : repository.blobs().keySet();
                for (String digest : List.copyOf(recorded)) {
                    deletes.add(new Delete("/v2/" + repository.name() + "/" + kind + "/" + digest, recorded, digest));
                }
            }
            deleteAll(url, deletes, refused, deleted, failures);
            if (refused.get()) {
                return new Outcome(false, "berth bench: could not clean up, the registry refuses deletes: " + left(pushed)
                        + ": enable storage.delete to let berth bench clean up");
            }
        }
        if (!failures.isEmpty()) {
            return new Outcome(true, "berth bench: " + failures.size() + " deletes failed (first: " + failures.peek() + "); " + left(pushed));
        }
        return new Outcome(false, "berth bench: deleted the " + deleted.get() + " manifests and blobs it pushed");
    }

    /** Sends the DELETEs from a few connections; the first 405 stops them all. */
    private static void deleteAll(URI url, List<Delete> deletes, AtomicBoolean refused, AtomicInteger deleted, Queue<String> failures)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < Math.min(WORKERS, deletes.size()); w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                try (HttpConnection c = new HttpConnection(url)) {
                    for (int i; !refused.get() && (i = next.getAndIncrement()) < deletes.size(); ) {
                        Delete delete = deletes.get(i);
                        int status = send(c, delete.target(), failures);
                        // 404: already gone (another client, or the registry itself, removed it), which is as good.
                        if (status == 202 || status == 404) {
                            delete.recorded().remove(delete.digest());
                            deleted.incrementAndGet();
                        } else if (status == 405) {
                            refused.set(true);
                        } else if (status > 0) {
                            failures.add("DELETE " + delete.target() + " answered " + status);
                        }
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    /** The status of one DELETE, or -1 (and a failure recorded) when the connection failed. */
    private static int send(HttpConnection c, String target, Queue<String> failures) {
        try {
            return c.send("DELETE", target, null, HttpConnection.BodyMode.KEEP, null).status();
        } catch (IOException e) {
            failures.add("DELETE " + target + ": " + e.getMessage());
            return -1;
        }
    }

    /** What is still in the registry, e.g. "left 3 manifests and 12 blobs (4.0 MiB) in repository bench/x". */
    private static String left(Pushed pushed) {
        List<Pushed.Repository> remaining = pushed.repositories().stream()
                .filter(r -> !r.manifests().isEmpty() || !r.blobs().isEmpty()).toList();
        int manifests = remaining.stream().mapToInt(r -> r.manifests().size()).sum();
        int blobs = remaining.stream().mapToInt(r -> r.blobs().size()).sum();
        double mib = remaining.stream().mapToLong(Pushed.Repository::blobBytes).sum() / (1024.0 * 1024);
        List<String> names = remaining.stream().map(Pushed.Repository::name).toList();
        String where = names.size() == 1 ? "repository " + names.get(0)
                : names.size() + " repositories (" + String.join(", ", names.subList(0, Math.min(3, names.size())))
                        + (names.size() > 3 ? ", ..." : "") + ")";
        return String.format(Locale.ROOT, "left %d manifests and %d blobs (%.1f MiB) in %s", manifests, blobs, mib, where);
    }
}
