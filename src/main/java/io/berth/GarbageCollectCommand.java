package io.berth;

import io.berth.config.Config;
import io.berth.config.ConfigException;
import io.berth.gc.Fence;
import io.berth.gc.GarbageCollector;
import io.berth.gc.Options;
import io.berth.gc.Report;
import io.berth.storage.cache.DescriptorCache;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth garbage-collect [--dry-run] [--delete-untagged] [config.yml]}: Distribution's offline collection. */
@Command(name = "garbage-collect", mixinStandardHelpOptions = true,
        description = "Delete the blobs no manifest references, as Distribution's garbage-collect does. The registries "
                + "serving this storage must be stopped or read-only (storage.maintenance.readonly) meanwhile. Exits 2 "
                + "when the configuration is invalid, 1 when storage fails.")
final class GarbageCollectCommand implements Callable<Integer> {

    @Option(names = {"-d", "--dry-run"}, description = "Print what would be deleted; delete nothing.")
    boolean dryRun;

    @Option(names = {"-m", "--delete-untagged"}, description = "Also delete manifests that no tag, kept index or kept "
            + "subject needs (unlike Distribution 2.8, the images of a tagged multi-arch index and the referrers of kept "
            + "images stay).")
    boolean deleteUntagged;

    @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "The config.yml; default: as for serve.")
    Path config;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        // A bad configuration, or one found only when the driver is built, is exit 2; storage failing is 1.
        try (StorageDriver driver = CheckedStorageDriver.wrap(Berth.storageDriver(
                Config.load(Main.configFile(config, System.getenv()), System.getenv()).storage()))) {
            if (!dryRun) {
                System.err.println("berth: the registries serving this storage must be stopped or read-only "
                        + "(storage.maintenance.readonly) while garbage-collect runs, or what they push may be deleted");
            }
            GarbageCollector collector = new GarbageCollector(driver, DescriptorCache.none(), Fence.NONE, Clock.systemUTC());
            Report report = collector.collect(new Options(dryRun, deleteUntagged, Duration.ZERO), line -> {
                synchronized (out) {
                    out.println(line);
                }
            });
            out.println(summary(report, dryRun));
            return 0;
        } catch (ConfigException e) {
            System.err.println("berth: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            System.err.println("berth: garbage-collect failed: " + e);
            return 1;
        }
    }

    static String summary(Report report, boolean dryRun) {
        return String.format("%d repositories, %d manifests and %d blobs marked; %d manifests and %d blobs (%d bytes) %s in %d ms%s",
                report.repositories(), report.manifestsMarked(), report.blobsMarked(), report.manifestsDeleted().size(),
                report.blobsDeleted().size(), report.bytesFreed(), dryRun ? "eligible" : "deleted", report.took().toMillis(),
                dryRun ? "; dry run: nothing deleted" : "");
    }
}
