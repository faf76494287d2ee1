package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.storage.Catalog;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code berth catalog rebuild [config.yml]} */
@Command(name = "catalog", mixinStandardHelpOptions = true, description = "Work with the catalog index.",
        subcommands = {CatalogCommand.Rebuild.class, CommandLine.HelpCommand.class})
final class CatalogCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /** Matches the catalog index to the repositories in storage, as the background reconcile does. */
    @Command(name = "rebuild", mixinStandardHelpOptions = true,
            description = "Match the catalog index to the repositories in storage (adding those it lacks, removing "
                    + "those gone) and print the counts. Safe while registries serve the same storage. Exits 2 "
                    + "when the configuration is invalid, 1 when storage fails.")
    static final class Rebuild implements Callable<Integer> {

        @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "The config.yml; default: as for serve.")
        Path config;

        @Override
        public Integer call() {
            // A bad configuration, or one found only when the driver is built, is exit 2; storage failing is 1.
            try (StorageDriver driver = CheckedStorageDriver.wrap(Berth.storageDriver(
                    Config.load(Main.configFile(config, System.getenv()), System.getenv()).storage()))) {
                Catalog.Reconciled done = new Catalog(driver).rebuild();
                System.out.printf("catalog rebuilt: %d repositories, %d entries added, %d removed%n",
                        done.repositories(), done.added(), done.removed());
                return 0;
            } catch (ConfigException e) {
                System.err.println("berth: " + e.getMessage());
                return 2;
            } catch (Exception e) {
                System.err.println("berth: catalog rebuild failed: " + e);
                return 1;
            }
        }
    }
}
