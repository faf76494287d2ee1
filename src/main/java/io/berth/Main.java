package io.berth;

import io.berth.bench.BenchCommand;
import io.berth.config.Config;
import io.berth.config.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The {@code berth} command line. */
@Command(name = "berth", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "An OCI Distribution container image registry.",
        subcommands = {Main.Serve.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** {@code berth serve [config.yml]} */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the registry until stopped.")
    static final class Serve implements Callable<Integer> {

        @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "A Distribution-style config.yml; default: built in.")
        Path config;

        @Override
        public Integer call() throws Exception {
            Config loaded;
            try {
                loaded = Config.load(config, System.getenv());
            } catch (ConfigException e) {
                System.err.println("berth: " + e.getMessage());
                return 2;
            }
            try (Berth berth = Berth.start(loaded, Clock.systemUTC())) {
                berth.join();
            }
            return 0;
        }
    }

    /** Reports the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"berth " + (version == null ? "development build" : version)};
        }
    }
}
