package io.berth.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code berth bench}: load for any registry, with every answer checked. */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {CompareCommand.class, CacheCompareCommand.class, S3RelayCommand.class},
        description = {"Load-test a registry (Berth or any other) with one or more scenarios, checking every answer.",
                "Scenarios: push-monolithic, push-chunked, pull-blob, pull-range, head-blob, manifest-put,",
                "manifest-head-tag, manifest-get-tag, manifest-head-digest, manifest-get-digest, tags-list,",
                "catalog-page, catalog-all, mix, image-push (50 layers, each HEADed first), or all."})
public final class BenchCommand implements Callable<Integer> {

    // Not required by picocli, so that `berth bench compare` runs without it.
    @Option(names = "--url", description = {"The registry, e.g. http://127.0.0.1:5000 (required); http://alice:secret@127.0.0.1:5000",
            "signs in as alice with Basic or bearer tokens, as the registry asks (user and password percent-encoded)."})
    URI url;

    @Option(names = "--scenario", split = ",", defaultValue = "push-monolithic", description = "Scenarios to run, comma-separated, or all.")
    List<String> scenarios;

    @Option(names = "--size", converter = Sizes.SizeConverter.class, description = "Blob size, e.g. 4MiB.")
    Long size;

    @Option(names = "--count", description = "Operations per scenario.")
    Long count;

    @Option(names = "--concurrency", description = "Workers, each with its own connection.")
    Integer concurrency;

    @Option(names = "--chunk", converter = Sizes.SizeConverter.class, description = "PATCH size of push-chunked, e.g. 1MiB.")
    Long chunk;

    @Option(names = "--duration", converter = Sizes.DurationConverter.class, description = "Run for this long instead of a count, e.g. 10s.")
    Duration duration;

    @Option(names = "--name", defaultValue = "registry", description = "What to call the target in the report.")
    String name;

    @Option(names = "--json", description = "Print JSON lines only.")
    boolean json;

    @Option(names = "--keep", description = "Leave what the run pushed in the registry instead of deleting it at the end.")
    boolean keep;

    // Output goes through picocli's writers, so that a caller (a test) can capture it without touching System.out.
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (url == null) {
            err.println("berth bench: --url is required, e.g. --url http://127.0.0.1:5000");
            return 2;
        }
        List<String> names = scenarios.contains("all") ? List.copyOf(Scenarios.ALL.keySet()) : scenarios;
        List<String> unknown = names.stream().filter(n -> !Scenarios.ALL.containsKey(n)).toList();
        if (!unknown.isEmpty()) {
            err.println("berth bench: unknown scenario " + String.join(", ", unknown));
            return 2;
        }
        Pushed pushed = new Pushed();
        boolean failed = false;
        try {
            if (!json) {
                out.println(Result.tableHeader());
            }
            for (String scenarioName : names) {
                Scenarios.Scenario scenario = Scenarios.ALL.get(scenarioName);
                Result result = run(url, name, pushed, scenario, settings(scenario.defaults()));
                failed |= result.errors() > 0;
                out.println(json ? result.jsonLine() : result.tableRow());
                if (result.firstError() != null && !json) {
                    out.println("  first error: " + result.firstError());
                }
                out.flush();
            }
        } finally {
            if (!keep) {
                failed |= Cleanup.runAndReport(url, pushed, err);
            }
        }
        return failed ? 1 : 0;
    }

    private Scenarios.Settings settings(Scenarios.Settings d) {
        return new Scenarios.Settings(size != null ? size : d.size(), count != null ? count : d.count(),
                concurrency != null ? concurrency : d.concurrency(), chunk != null ? chunk : d.chunk(),
                duration != null ? duration : d.duration());
    }

    /** Sets a scenario up on its own connection, then times it. */
    static Result run(URI url, String target, Pushed pushed, Scenarios.Scenario scenario, Scenarios.Settings settings) throws Exception {
        Runner.Operation operation = prepare(url, pushed, scenario, settings);
        return Runner.run(scenario.name(), target, url, pushed, settings.concurrency(), settings.count(), settings.duration(), operation);
    }

    /** A scenario's untimed set-up, with fresh content (a new run number) each time; its pushes are recorded in {@code pushed}. */
    static Runner.Operation prepare(URI url, Pushed pushed, Scenarios.Scenario scenario, Scenarios.Settings settings) throws IOException {
        long run = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE / 2_000_000);
        try (HttpConnection setup = new HttpConnection(url, pushed)) {
            return scenario.prepare(setup, settings, run);
        }
    }
}
