package io.berth.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth bench compare}: the suite of the performance targets, run against Berth and
 * Distribution in alternation, reported as medians, ratios, CPU per operation and peak memory.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run the target suite against two registries in alternation (A B A B ...) and print ratios.")
final class CompareCommand implements Callable<Integer> {

    @Option(names = "--berth", required = true, description = "Berth's URL.")
    URI berth;

    @Option(names = "--berth-pid", required = true, description = "Berth's process id, for CPU time and peak RSS.")
    long berthPid;

    @Option(names = "--distribution", required = true, description = "Distribution's URL.")
    URI distribution;

    @Option(names = "--distribution-pid", required = true, description = "Distribution's process id.")
    long distributionPid;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed runs per registry and scenario.")
    int rounds;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs per registry and scenario first (JIT, caches).")
    int warmup;

    @Option(names = "--data-dir", required = true, description = "A folder on the storage disk, for the durable-write limit.")
    Path dataDir;

    @Option(names = "--only", split = ",", description = "Run only the suite entries whose label contains one of these.")
    List<String> only;

    @Option(names = "--json", description = "Also write every run as a JSON line to this file.")
    Path jsonFile;

    @Option(names = "--suite", defaultValue = "filesystem",
            description = "filesystem: the target suite; s3: blob push and pull with both registries on S3 (no targets).")
    String suiteName;

    @Option(names = "--keep", description = "Leave what the runs pushed in both registries instead of deleting it at the end.")
    boolean keep;

    private final Pushed berthPushed = new Pushed();
    private final Pushed distributionPushed = new Pushed();

    /** One line of the suite: a scenario with its settings, and the ratio it must reach (0: none). */
    record Entry(String label, String scenario, Scenarios.Settings settings, double target) {}

    static final long MIB = Scenarios.MIB;

    /**
     * Blob push and pull with both registries storing in S3, labelled "s3 ..." so that the lines sit
     * beside the filesystem ones of the same name. No targets: the S3 server sets the pace as much
     * as the registries do.
     */
    static List<Entry> s3Suite() {
        List<Entry> suite = new ArrayList<>();
        suite.add(new Entry("s3 push-monolithic 4MiB c1", "push-monolithic", new Scenarios.Settings(4 * MIB, 40, 1, MIB, null), 0));
        suite.add(new Entry("s3 push-monolithic 4MiB c8", "push-monolithic", new Scenarios.Settings(4 * MIB, 80, 8, MIB, null), 0));
        suite.add(new Entry("s3 push-monolithic 64MiB c1", "push-monolithic", new Scenarios.Settings(64 * MIB, 4, 1, MIB, null), 0));
        suite.add(new Entry("s3 push-chunked 4MiB/1MiB c1", "push-chunked", new Scenarios.Settings(4 * MIB, 40, 1, MIB, null), 0));
        suite.add(new Entry("s3 pull-blob 4MiB c1", "pull-blob", new Scenarios.Settings(4 * MIB, 200, 1, MIB, null), 0));
        suite.add(new Entry("s3 pull-blob 4MiB c8", "pull-blob", new Scenarios.Settings(4 * MIB, 400, 8, MIB, null), 0));
        suite.add(new Entry("s3 head-blob c16", "head-blob", new Scenarios.Settings(MIB, 5000, 16, MIB, null), 0));
        return suite;
    }

    static List<Entry> suite() {
        List<Entry> suite = new ArrayList<>();
        suite.add(new Entry("push-monolithic 256MiB c1", "push-monolithic", new Scenarios.Settings(256 * MIB, 3, 1, MIB, null), 3));
        suite.add(new Entry("push-monolithic 4MiB c1", "push-monolithic", new Scenarios.Settings(4 * MIB, 100, 1, MIB, null), 3));
        suite.add(new Entry("push-monolithic 4MiB c8", "push-monolithic", new Scenarios.Settings(4 * MIB, 200, 8, MIB, null), 2.5));
        suite.add(new Entry("push-chunked 4MiB/1MiB c1", "push-chunked", new Scenarios.Settings(4 * MIB, 100, 1, MIB, null), 4));
        suite.add(new Entry("push-chunked 4MiB/1MiB c8", "push-chunked", new Scenarios.Settings(4 * MIB, 200, 8, MIB, null), 3));
        suite.add(new Entry("pull-blob 4MiB c1", "pull-blob", new Scenarios.Settings(4 * MIB, 400, 1, MIB, null), 1.5));
        suite.add(new Entry("pull-blob 4MiB c8", "pull-blob", new Scenarios.Settings(4 * MIB, 1000, 8, MIB, null), 1.5));
        suite.add(new Entry("pull-blob 256MiB c1", "pull-blob", new Scenarios.Settings(256 * MIB, 6, 1, MIB, null), 1.3));
        suite.add(new Entry("pull-range 4KiB c8", "pull-range", new Scenarios.Settings(64 * MIB, 5000, 8, MIB, null), 0));
        for (int c : new int[] {16, 64}) {
            suite.add(new Entry("head-blob c" + c, "head-blob", new Scenarios.Settings(MIB, 20000, c, MIB, null), 5));
            for (String s : List.of("manifest-head-tag", "manifest-get-tag", "manifest-head-digest", "manifest-get-digest")) {
                suite.add(new Entry(s + " c" + c, s, new Scenarios.Settings(0, 20000, c, MIB, null), 5));
            }
        }
        suite.add(new Entry("manifest-put c16", "manifest-put", new Scenarios.Settings(0, 2000, 16, MIB, null), 2.5));
        suite.add(new Entry("tags-list c16", "tags-list", new Scenarios.Settings(0, 5000, 16, MIB, null), 5));
        suite.add(new Entry("catalog-page c4", "catalog-page", new Scenarios.Settings(0, 2000, 4, MIB, null), 0));
        suite.add(new Entry("catalog-all 200 repos c4", "catalog-all", new Scenarios.Settings(0, 1000, 4, MIB, null), 10));
        suite.add(new Entry("mix c16", "mix", new Scenarios.Settings(MIB, 0, 16, MIB, Duration.ofSeconds(8)), 3));
        suite.add(new Entry("image-push 50x16KiB c1", "image-push", new Scenarios.Settings(16 * 1024, 5, 1, MIB, null), 3));
        return suite;
    }

    @Override
    public Integer call() throws Exception {
        ProcessStats berthStats = new ProcessStats(berthPid);
        ProcessStats distributionStats = new ProcessStats(distributionPid);
        double sha = sha256GibPerSecond();
        if (suiteName.equals("s3")) {
            System.out.printf(Locale.ROOT, "limits: JDK SHA-256 on one core %.2f GiB/s (%.0f MiB/s); storage: S3 server given to both%n",
                    sha, sha * 1024);
        } else {
            double disk = durableWriteMibPerSecond(dataDir);
            System.out.printf(Locale.ROOT, "limits: JDK SHA-256 on one core %.2f GiB/s (%.0f MiB/s); durable sequential write (dd conv=fsync) %.0f MiB/s%n",
                    sha, sha * 1024, disk);
        }
        System.out.printf(Locale.ROOT, "%-28s %12s %12s %7s %7s %4s %11s %11s%n",
                "scenario", "distribution", "berth", "ratio", "target", "ok", "dist ms/op", "berth ms/op");
        List<String> jsonLines = new ArrayList<>();
        int missed = 0;
        List<Entry> entries = switch (suiteName) {
            case "filesystem" -> suite();
            case "s3" -> s3Suite();
            default -> throw new IllegalArgumentException("--suite is filesystem or s3, not " + suiteName);
        };
        for (Entry entry : entries) {
            if (only != null && only.stream().noneMatch(entry.label()::contains)) {
                continue;
            }
            Scenarios.Scenario scenario = Scenarios.ALL.get(entry.scenario());
            double[] berthOps = new double[rounds];
            double[] distOps = new double[rounds];
            double[] berthCpu = new double[rounds];
            double[] distCpu = new double[rounds];
            for (int round = 0; round < warmup; round++) {
                timed(distribution, distributionPushed, "dist", scenario, entry, distributionStats, new double[1], 0);
                timed(berth, berthPushed, "berth", scenario, entry, berthStats, new double[1], 0);
            }
            for (int round = 0; round < rounds; round++) {
                Result d = timed(distribution, distributionPushed, "dist", scenario, entry, distributionStats, distCpu, round);
                Result b = timed(berth, berthPushed, "berth", scenario, entry, berthStats, berthCpu, round);
                distOps[round] = d.opsPerSecond();
                berthOps[round] = b.opsPerSecond();
                jsonLines.add(d.jsonLine());
                jsonLines.add(b.jsonLine());
                for (Result r : List.of(d, b)) {
                    if (r.errors() > 0) {
                        System.out.println("  " + r.target() + " had " + r.errors() + " errors; first: " + r.firstError());
                    }
                }
            }
            double ratio = median(berthOps) / median(distOps);
            boolean ok = entry.target() == 0 || ratio >= entry.target();
            missed += ok ? 0 : 1;
            System.out.printf(Locale.ROOT, "%-28s %12s %12s %6.2fx %7s %4s %11.3f %11.3f%n", entry.label(),
                    rate(entry, median(distOps)), rate(entry, median(berthOps)), ratio,
                    entry.target() == 0 ? "-" : String.format(Locale.ROOT, "%.1fx", entry.target()), ok ? "yes" : "NO",
                    median(distCpu) * 1000, median(berthCpu) * 1000);
        }
        System.out.printf(Locale.ROOT, "peak RSS: distribution %.0f MiB, berth %.0f MiB%n",
                distributionStats.peakRssKib() / 1024.0, berthStats.peakRssKib() / 1024.0);
        if (jsonFile != null) {
            Files.write(jsonFile, jsonLines);
        }
        boolean uncleaned = false;
        if (!keep) {
            PrintWriter err = new PrintWriter(System.err, true);
            uncleaned = Cleanup.runAndReport(distribution, distributionPushed, err) | Cleanup.runAndReport(berth, berthPushed, err);
        }
        return missed == 0 && !uncleaned ? 0 : 1;
    }

    private Result timed(URI url, Pushed pushed, String name, Scenarios.Scenario scenario, Entry entry, ProcessStats stats, double[] cpu, int round) throws Exception {
        // Setup runs each round (fresh blobs, so no push is a duplicate) and is not timed.
        Runner.Operation operation = BenchCommand.prepare(url, pushed, scenario, entry.settings());
        double cpuBefore = stats.cpuSeconds();
        Result result = Runner.run(entry.label(), name, url, pushed, entry.settings().concurrency(), entry.settings().count(),
                entry.settings().duration(), operation);
        cpu[round] = (stats.cpuSeconds() - cpuBefore) / Math.max(1, result.ops());
        return result;
    }

    /** Throughput as a reader wants it: MiB/s for blob transfers, operations per second otherwise. */
    private static String rate(Entry entry, double opsPerSecond) {
        boolean blobs = entry.scenario().startsWith("push-") || entry.scenario().equals("pull-blob");
        return blobs ? String.format(Locale.ROOT, "%.0f MiB/s", opsPerSecond * entry.settings().size() / MIB)
                : String.format(Locale.ROOT, "%.0f op/s", opsPerSecond);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** SHA-256 of 1 GiB on this thread, with the JDK's (intrinsic-backed) implementation. */
    static double sha256GibPerSecond() {
        MessageDigest sha = Payload.sha256();
        byte[] buffer = new byte[1 << 20];
        for (int warm = 0; warm < 256; warm++) {
            sha.update(buffer);
        }
        long start = System.nanoTime();
        for (int i = 0; i < 1024; i++) {
            sha.update(buffer);
        }
        sha.digest();
        return 1.0 / ((System.nanoTime() - start) / 1e9);
    }

    /** {@code dd} of 1 GiB with conv=fsync into the data folder: the disk's durable sequential rate. */
    static double durableWriteMibPerSecond(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("dd-durable-write-test");
        long start = System.nanoTime();
        Process dd = new ProcessBuilder("dd", "if=/dev/zero", "of=" + file, "bs=1M", "count=1024", "conv=fsync")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int exit = dd.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        Files.deleteIfExists(file);
        return exit == 0 ? 1024 / seconds : 0;
    }

    /** CPU time and peak memory of a process, read from /proc. */
    record ProcessStats(long pid) {
        private static final double TICKS_PER_SECOND = 100;

        double cpuSeconds() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After the command name: state is field 3 of the whole line, utime 14 and stime 15.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        }

        long peakRssKib() throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return 0;
        }
    }
}
