package io.berth.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code skopeo} binary against a plain-HTTP loopback registry and fails with its whole output. */
public final class Skopeo {

    private static final long TIMEOUT_SECONDS = 120;

    /** What a successful run printed. */
    public record Output(String stdout, String stderr) {
    }

    private final Path executable;

    public Skopeo() {
        executable = find();
    }

    /** {@code skopeo copy}; {@code options} go before the two references, e.g. {@code --all}, {@code --format v2s2}. */
    public Output copy(String source, String destination, String... options) {
        List<String> arguments = new ArrayList<>(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false"));
        arguments.addAll(List.of(options));
        arguments.addAll(List.of(source, destination));
        return run(arguments);
    }

    public Output inspect(String reference, String... options) {
        List<String> arguments = new ArrayList<>(List.of("inspect", "--tls-verify=false"));
        arguments.addAll(List.of(options));
        arguments.add(reference);
        return run(arguments);
    }

    public Output listTags(String repository) {
        return run(List.of("list-tags", "--tls-verify=false", repository));
    }

    public Output delete(String reference) {
        return run(List.of("delete", "--tls-verify=false", reference));
    }

    /**
     * Runs {@code skopeo --insecure-policy --debug <arguments>}. The policy flag spares the tests a
     * {@code policy.json}; {@code --debug} makes skopeo log every request it sends, which is what a failure
     * against the registry needs to show.
     */
    public Output run(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--insecure-policy", "--debug"));
        command.addAll(arguments);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            throw new AssertionError("could not start " + String.join(" ", command), e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("skopeo did not finish in " + TIMEOUT_SECONDS + " s: " + String.join(" ", command)
                        + report(stdout.join(), stderr.join()));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running skopeo", e);
        }
        Output output = new Output(stdout.join(), stderr.join());
        if (process.exitValue() != 0) {
            throw new AssertionError("skopeo exited with " + process.exitValue() + ": " + String.join(" ", command)
                    + report(output.stdout(), output.stderr()));
        }
        return output;
    }

    private static String report(String stdout, String stderr) {
        return "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
    }

    // Both pipes are read at once, so that a chatty stderr cannot fill its pipe and stall the process.
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return text;
    }

    // A missing client must fail the build, not skip the tests that need it: ./test installs it.
    private static Path find() {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(folder.isEmpty() ? "." : folder, "skopeo");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("skopeo is not installed (not found on PATH): run ./test, which installs it with apt-get,"
                + " or install it yourself, e.g. 'apt-get install skopeo'");
    }
}
