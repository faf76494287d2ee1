package io.berth.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Berth in a JVM of its own, for tests that limit its heap, read its output, or signal or kill it. */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening on [^ ]*:(\\d+)");

    private final Process process;
    private final int port;
    private final List<String> output;
    private final Thread reader;

    private ServerProcess(Process process, int port, List<String> output, Thread reader) {
        this.process = process;
        this.port = port;
        this.output = output;
        this.reader = reader;
    }

    /** Starts {@code berth serve} over a filesystem root on a free loopback port, with extra JVM options. */
    public static ServerProcess start(Path root, List<String> jvmOptions) throws IOException, InterruptedException {
        return builder(root).jvmOptions(jvmOptions).start();
    }

    /** Starts what {@code builder} says (a {@code berth serve} of some kind) and returns once it listens, within 60 s. */
    public static ServerProcess start(ProcessBuilder builder) throws IOException, InterruptedException {
        Process process = builder.redirectErrorStream(true).start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // the process is gone; the port future fails below
            }
            port.completeExceptionally(new IllegalStateException("berth exited before listening: " + output));
        });
        try {
            return new ServerProcess(process, port.get(60, TimeUnit.SECONDS), output, reader);
        } catch (Exception e) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("berth did not start: " + String.join("\n", output), e);
        }
    }

    /** The JVM options the launchers run serve with when JAVA_OPTS is unset, read from their shared scripts/jvm.sh. */
    public static List<String> launcherJvmOptions() throws IOException {
        Matcher m = Pattern.compile("JAVA_OPTS:=([^}\"]*)").matcher(Files.readString(Path.of("scripts/jvm.sh")));
        if (!m.find()) {
            throw new IllegalStateException("no default JAVA_OPTS in scripts/jvm.sh");
        }
        return List.of(m.group(1).trim().split("\\s+"));
    }

    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** What to start: JVM options, environment on top of the test defaults, and arguments after {@code serve}. */
    public static final class Builder {
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new HashMap<>();
        private final List<String> arguments = new ArrayList<>();
        private final List<String> launcher = new ArrayList<>();

        private Builder(Path root) {
            environment.put("REGISTRY_HTTP_ADDR", "127.0.0.1:0");
            environment.put("REGISTRY_HTTP_SECRET", TestRegistry.SECRET);
            environment.put("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", root.toString());
        }

        public Builder jvmOptions(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder env(String key, String value) {
            environment.put(key, value);
            return this;
        }

        /** Storage in a bucket of an S3 server under {@code rootDirectory}, as {@link TestRegistry.Builder#s3} sets it. */
        public Builder s3(S3Proxy server, String bucket, String rootDirectory) {
            environment.remove("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY");
            environment.putAll(server.environment(bucket));
            environment.put("REGISTRY_STORAGE_S3_ROOTDIRECTORY", rootDirectory);
            return this;
        }

        /**
         * A command that runs the JVM's command line, given as its last arguments, e.g. a shell that
         * sets a signal to be ignored and then {@code exec}s it, so the JVM keeps the shell's pid.
         */
        public Builder launcher(String... command) {
            launcher.addAll(List.of(command));
            return this;
        }

        /** Arguments after {@code serve}, e.g. a configuration file. */
        public Builder arguments(String... args) {
            arguments.addAll(List.of(args));
            return this;
        }

        public ServerProcess start() throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(launcher);
            command.addAll(javaCommand(jvmOptions));
            command.add("serve");
            command.addAll(arguments);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            return ServerProcess.start(builder);
        }
    }

    /**
     * {@code java <options> -cp <test classpath> io.berth.Main}. {@code serve} sets logging up from
     * its configuration, as in production (its start line names the port); before that, and for the
     * other commands, the test classpath's quiet logback-test.xml applies.
     */
    static List<String> javaCommand(List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.berth.Main"));
        return command;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every line the server printed so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    /** SIGTERM, then waits for the exit and its last output; the exit code, or -1 if it did not exit in time. */
    public int terminate(long timeout, TimeUnit unit) throws InterruptedException {
        // Not process.destroy(): it also closes our end of the output, losing what the server says while it stops.
        process.toHandle().destroy();
        if (!process.waitFor(timeout, unit)) {
            return -1;
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** SIGTERM, then every line the server printed until it exited. */
    public List<String> outputAfterExit() throws InterruptedException {
        if (terminate(30, TimeUnit.SECONDS) == -1) {
            throw new IllegalStateException("berth did not exit on SIGTERM");
        }
        return output();
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            kill();
        }
    }
}
