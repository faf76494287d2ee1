package io.berth.bench;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code berth bench cache} (or {@code targets}): the read path (blob HEAD, manifest HEAD and GET
 * by digest) against several registries that differ in one setting (the descriptor cache,
 * authentication), in alternation, reported as ratios to the first.
 */
@Command(name = "cache", aliases = "targets", mixinStandardHelpOptions = true,
        description = {"Run the cached read scenarios against several registries in alternation and print",
                "each one's throughput as a ratio to the first (e.g. Berth without a cache, or without auth)."})
final class CacheCompareCommand implements Callable<Integer> {

    @Option(names = "--target", required = true, description = {"NAME=URL=PID, repeated; the first is the baseline.",
            "A URL with a user (http://alice:secret@host:port) signs in with Basic or bearer tokens, as the registry asks."})
    List<String> targets;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed runs per target and scenario.")
    int rounds;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs per target and scenario first.")
    int warmup;

    @Option(names = "--count", defaultValue = "20000", description = "Requests per run.")
    long count;

    @Option(names = "--duration", converter = Sizes.DurationConverter.class, description = "Run for this long instead of --count, e.g. 10s.")
    Duration duration;

    @Option(names = "--concurrency", split = ",", defaultValue = "16,64", description = "Client connections, one entry each.")
    List<Integer> concurrency;

    @Option(names = "--scenario", split = ",", defaultValue = "head-blob,manifest-head-digest,manifest-get-digest",
            description = "Scenarios to run (any of berth bench's), comma-separated.")
    List<String> scenarios;

    // Output goes through picocli's writers, so that a caller (a test) can capture it without touching System.out.
    @Spec
    CommandSpec spec;

    @Option(names = "--keep", description = "Leave what the runs pushed in the registries instead of deleting it at the end.")
    boolean keep;

    /** One registry under test, and what the runs pushed into it. */
    record Target(String name, URI url, CompareCommand.ProcessStats process, Pushed pushed) {
        static Target parse(String text) {
            String[] parts = text.split("=", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("--target takes NAME=URL=PID, got " + text);
            }
            return new Target(parts[0], URI.create(parts[1]), new CompareCommand.ProcessStats(Long.parseLong(parts[2])), new Pushed());
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Target> all = targets.stream().map(Target::parse).toList();
        PrintWriter out = spec.commandLine().getOut();
        boolean failed = true;
        try {
            failed = compare(all, out) > 0;
        } finally {
            if (!keep) {
                for (Target target : all) {
                    failed |= Cleanup.runAndReport(target.url(), target.pushed(), spec.commandLine().getErr());
                }
            }
        }
        return failed ? 1 : 0;
    }

    /** Runs every scenario at every concurrency against each target in turn and prints a line each; the runs with errors. */
    private int compare(List<Target> all, PrintWriter out) throws Exception {
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-26s", "scenario"));
        for (Target target : all) {
            header.append(String.format(Locale.ROOT, " %12s", target.name()));
        }
        for (Target target : all.subList(1, all.size())) {
            header.append(String.format(Locale.ROOT, " %9s", target.name() + "/" + all.get(0).name()));
        }
        for (Target target : all) {
            header.append(String.format(Locale.ROOT, " %10s", target.name() + " ms/op"));
        }
        out.println(header);
        int errors = 0;
        for (String name : scenarios) {
            Scenarios.Scenario scenario = Scenarios.ALL.get(name);
            if (scenario == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "berth bench cache: unknown scenario " + name);
            }
            for (int c : concurrency) {
                long runCount = duration == null ? count : 0;
                Scenarios.Settings settings = new Scenarios.Settings(Scenarios.MIB, runCount, c, Scenarios.MIB, duration);
                String label = name + " c" + c;
                double[][] ops = new double[all.size()][rounds];
                double[][] cpu = new double[all.size()][rounds];
                for (int round = -warmup; round < rounds; round++) {
                    for (int t = 0; t < all.size(); t++) {
                        Target target = all.get(t);
                        Runner.Operation operation = BenchCommand.prepare(target.url(), target.pushed(), scenario, settings);
                        double before = target.process().cpuSeconds();
                        Result result = Runner.run(label, target.name(), target.url(), target.pushed(), c, runCount, duration, operation);
                        if (result.errors() > 0) {
                            errors++;
                            out.println("  " + target.name() + " had " + result.errors() + " errors; first: " + result.firstError());
                        }
                        if (round >= 0) {
                            ops[t][round] = result.opsPerSecond();
                            cpu[t][round] = (target.process().cpuSeconds() - before) / Math.max(1, result.ops());
                        }
                    }
                }
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-26s", label));
                List<Double> medians = new ArrayList<>();
                for (int t = 0; t < all.size(); t++) {
                    medians.add(CompareCommand.median(ops[t]));
                    line.append(String.format(Locale.ROOT, " %7.0f op/s", medians.get(t)));
                }
                for (int t = 1; t < all.size(); t++) {
                    line.append(String.format(Locale.ROOT, " %8.2fx", medians.get(t) / medians.get(0)));
                }
                for (int t = 0; t < all.size(); t++) {
                    line.append(String.format(Locale.ROOT, " %10.3f", CompareCommand.median(cpu[t]) * 1000));
                }
                out.println(line);
            }
        }
        return errors;
    }
}
