package io.berth.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a JVM process of the tests holds, measured from outside: heap in use after a full collection
 * ({@code jcmd GC.run}, then {@code GC.heap_info}), its OS threads and its open sockets ({@code /proc}).
 */
public record ProcessUsage(long heapKib, int threads, int sockets) {

    /** How far above an idle level a measure may be and still count as idle. */
    public record Tolerance(long heapKib, int threads, int sockets) {}

    private static final Pattern GENERATION_USED = Pattern.compile("(?m)^\\S.* total \\d+K, used (\\d+)K");
    private static final Pattern THREADS = Pattern.compile("(?m)^Threads:\\s+(\\d+)");

    /** Measures the process now. */
    public static ProcessUsage of(long pid) throws Exception {
        jcmd(pid, "GC.run");
        Matcher used = GENERATION_USED.matcher(jcmd(pid, "GC.heap_info"));
        long heap = 0;
        while (used.find()) {
            heap += Long.parseLong(used.group(1));
        }
        Matcher threads = THREADS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        assertThat(heap).as("heap figures from jcmd").isPositive();
        assertThat(threads.find()).as("Threads: in /proc/<pid>/status").isTrue();
        return new ProcessUsage(heap, Integer.parseInt(threads.group(1)), sockets(pid));
    }

    /**
     * Measures until the process is within {@code tolerance} of {@code idle} or {@code patience} has
     * passed (connections close and threads end asynchronously), then asserts that it is.
     */
    public static void assertBackTo(ProcessUsage idle, Tolerance tolerance, long pid, Duration patience) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        ProcessUsage now = of(pid);
        while (!now.within(idle, tolerance) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            now = of(pid);
        }
        assertThat(now.heapKib()).as("heap after GC, idle was " + idle).isLessThanOrEqualTo(idle.heapKib() + tolerance.heapKib());
        assertThat(now.threads()).as("threads, idle was " + idle).isLessThanOrEqualTo(idle.threads() + tolerance.threads());
        assertThat(now.sockets()).as("sockets, idle was " + idle).isLessThanOrEqualTo(idle.sockets() + tolerance.sockets());
    }

    /** The process's open file descriptors that are sockets. */
    public static int sockets(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return (int) fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while listed
                }
            }).count();
        }
    }

    private boolean within(ProcessUsage idle, Tolerance tolerance) {
        return heapKib <= idle.heapKib + tolerance.heapKib() && threads <= idle.threads + tolerance.threads()
                && sockets <= idle.sockets + tolerance.sockets();
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
        Process process = new ProcessBuilder(java.resolveSibling("jcmd").toString(), String.valueOf(pid), command)
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("jcmd " + command).isTrue();
        assertThat(process.exitValue()).as("jcmd " + command + ": " + output).isZero();
        return output;
    }
}
