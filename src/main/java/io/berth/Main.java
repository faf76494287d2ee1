package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.observe.BuildInfo;
import io.berth.observe.Logging;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The {@code berth} command line; its subcommands are listed in {@link Commands}. */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "An OCI Distribution container image registry.")
public final class Main {

    public static void main(String[] args) {
        System.exit(Commands.commandLine().execute(args));
    }

    /** The configuration file: the argument, else {@code BERTH_CONFIG}, else {@code REGISTRY_CONFIGURATION_PATH}, else none. */
    static Path configFile(Path argument, Map<String, String> environment) {
        if (argument != null) {
            return argument;
        }
        for (String variable : new String[] {"BERTH_CONFIG", "REGISTRY_CONFIGURATION_PATH"}) {
            String value = environment.get(variable);
            if (value != null && !value.isEmpty()) {
                return Path.of(value);
            }
        }
        return null;
    }

    /** {@code berth serve [config.yml]} */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the registry until stopped.")
    static final class Serve implements Callable<Integer> {

        @Parameters(arity = "0..1", paramLabel = "CONFIG",
                description = "A Distribution-style config.yml; default: $BERTH_CONFIG, $REGISTRY_CONFIGURATION_PATH, else built in.")
        Path config;

        @Override
        public Integer call() throws Exception {
            Config loaded;
            try {
                loaded = Config.load(configFile(config, System.getenv()), System.getenv());
                loaded.auth().checkFiles();
            } catch (ConfigException e) {
                System.err.println("berth: " + e.getMessage());
                return 2;
            }
            Logging.configure(LayerSettings.logging(loaded.log()));
            loaded.unactedWarning().ifPresent(LoggerFactory.getLogger(Main.class)::warn);
            // Before the start, so that a signal arriving meanwhile is not lost.
            CountDownLatch stopRequested = new CountDownLatch(1);
            StopSignals.install(stopRequested::countDown);
            Berth started;
            try {
                started = Berth.start(loaded, Clock.systemUTC());
            } catch (ConfigException e) {
                // Found only when used, e.g. a TLS key that cannot be read.
                System.err.println("berth: " + e.getMessage());
                return 2;
            } catch (IOException e) {
                // The address is taken or not ours: an operator's mistake, told in one line, not a stack trace.
                if (!(e.getCause() instanceof BindException bind)) {
                    throw e;
                }
                System.err.println("berth: cannot listen on " + loaded.http().address().getHostString() + ":"
                        + loaded.http().address().getPort() + " (http.addr): " + bind.getMessage());
                return 1;
            }
            try (Berth berth = started) {
                // Any other way out of the JVM (SIGHUP, an exit elsewhere) still drains and closes; close() runs once.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        berth.close();
                    } catch (Exception e) {
                        System.err.println("berth: closing failed: " + e);
                    }
                }, "berth-shutdown"));
                stopRequested.await();
                berth.stop();
            }
            return 0;
        }
    }

    /** {@code berth config check <config.yml>} */
    @Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
            subcommands = {ConfigCommand.Check.class, CommandLine.HelpCommand.class})
    static final class ConfigCommand implements Callable<Integer> {

        @Override
        public Integer call() {
            new CommandLine(this).usage(System.out);
            return 0;
        }

        /** Validates a configuration and prints what is in force. */
        @Command(name = "check", mixinStandardHelpOptions = true,
                description = "Validate a configuration (with the REGISTRY_* environment applied) and print the "
                        + "effective configuration, secrets masked. Exits 2 when it is invalid.")
        static final class Check implements Callable<Integer> {

            @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "The config.yml; default: as for serve.")
            Path config;

            @Override
            public Integer call() {
                try {
                    Config loaded = Config.load(configFile(config, System.getenv()), System.getenv());
                    loaded.auth().checkFiles();
                    System.out.print(loaded.effectiveYaml());
                    return 0;
                } catch (ConfigException e) {
                    System.err.println("berth: " + e.getMessage());
                    return 2;
                }
            }
        }
    }

    /** {@code berth version} */
    @Command(name = "version", mixinStandardHelpOptions = true, description = "Print Berth's version and the git commit it was built from.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(new Version().getVersion()[0]);
            return 0;
        }
    }

    /** Reports the version and commit the build wrote into the jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"berth " + BuildInfo.current()};
        }
    }
}
