package io.berth;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md, pinned on the compiled main classes: each package depends only on the
 * ones below it, {@code io.berth} (Berth, Main) alone wires them together, and no two packages
 * depend on each other in a cycle. Below, "depends on only" lists Berth's packages; the JDK and
 * libraries are always allowed.
 */
class LayeringTest {

    private static JavaClasses berth;

    @BeforeAll
    static void importClasses() {
        berth = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.berth");
    }

    /** Classes of {@code layer} depend on no package of Berth's but their own and {@code allowed}. */
    private static ArchRule layer(String layer, String because, String... allowed) {
        String[] own = Stream.concat(Stream.of(layer), Stream.of(allowed)).toArray(String[]::new);
        return classes().that().resideInAPackage(layer)
                .should().onlyDependOnClassesThat(resideOutsideOfPackage("io.berth..").or(resideInAnyPackage(own)))
                .because(because);
    }

    @Test
    void registryDependsOnNothingOfBerths() {
        layer("io.berth.registry..", "the domain values and errors are what every layer above shares").check(berth);
    }

    @Test
    void storageDependsOnlyOnRegistry() {
        layer("io.berth.storage..", "storage implements the domain and knows nothing of HTTP, config or metrics",
                "io.berth.registry..").check(berth);
    }

    @Test
    void gcDependsOnlyOnStorageAndRegistry() {
        // storage, which must not know gc, is held by the rule above
        layer("io.berth.gc..", "garbage collection works over storage's layout and the domain's values",
                "io.berth.storage..", "io.berth.registry..", "io.berth.observe..").check(berth);
    }

    @Test
    void descriptorCacheDependsOnlyOnRegistry() {
        layer("io.berth.storage.cache..", "a cache needs only descriptors and digests", "io.berth.registry..").check(berth);
    }

    @Test
    void driversDependOnlyOnTheDriverPackage() {
        layer("io.berth.storage.driver..", "a driver stores bytes at paths and knows nothing above it").check(berth);
    }

    @Test
    void garbageCollectionWorksOnStorageAndStorageKnowsNothingOfIt() {
        // storage's own rule (registry only) keeps it from reaching up to gc.
        layer("io.berth.gc..", "mark and sweep read and delete through storage's layout, driver and cache",
                "io.berth.registry..", "io.berth.storage..", "io.berth.observe..").check(berth);
    }

    @Test
    void proxyWrapsTheDomainOverStorage() {
        layer("io.berth.proxy..", "the pull-through cache is a decorator over the domain interfaces, storing through storage",
                "io.berth.registry..", "io.berth.storage..", "io.berth.observe..").check(berth);
    }

    @Test
    void httpKnowsNothingOfTheProxy() {
        noClasses().that().resideInAPackage("io.berth.http..")
                .should().dependOnClassesThat().resideInAPackage("io.berth.proxy..")
                .because("handlers see the cache only as the domain interfaces it implements").check(berth);
    }

    @Test
    void observeIsALeaf() {
        // Passes once the config branch maps the log settings in Berth instead of observe reading Config.
        layer("io.berth.observe..", "logs, metrics and health are used by every layer, so they use none").check(berth);
    }

    @Test
    void httpSpeaksTheDomainInterfacesNotStorage() {
        layer("io.berth.http..", "handlers speak the domain API, judged by auth; configuration reaches them as settings from Berth",
                "io.berth.registry..", "io.berth.auth..", "io.berth.observe..", "io.berth.crypto..").check(berth);
    }

    @Test
    void authWrapsTheDomainAndKnowsNoStorageHttpOrConfig() {
        layer("io.berth.auth..", "authorisation is a decorator over the domain interfaces", "io.berth.registry..",
                "io.berth.observe..", "io.berth.crypto..").check(berth);
    }

    @Test
    void notificationsWrapTheDomainAndStoreThroughTheDriver() {
        layer("io.berth.notify..", "notifications are a decorator over the domain interfaces, with an outbox on the driver",
                "io.berth.registry..", "io.berth.observe..", "io.berth.storage.driver..").check(berth);
    }

    @Test
    void cryptoIsALeaf() {
        layer("io.berth.crypto..", "PEM and DER reading serve TLS and tokens alike and need nothing of Berth's").check(berth);
    }

    @Test
    void tokensDependOnlyOnCrypto() {
        layer("io.berth.auth.token..", "bearer tokens are bytes and keys; the authoriser ties them to requests",
                "io.berth.crypto..").check(berth);
    }

    @Test
    void configDependsOnNothingElseOfBerths() {
        // Passes once the config branch stops config from building storage's settings records (RedisSettings, S3Settings).
        layer("io.berth.config..", "reading config.yml needs no layer; Berth maps it to each layer's settings").check(berth);
    }

    @Test
    void benchDependsOnNothingOfTheServer() {
        layer("io.berth.bench..", "the load tool speaks HTTP to any registry, Berth or not").check(berth);
    }

    @Test
    void onlyTheCommandTableNamesTheLoadTool() {
        noClasses().that().resideOutsideOfPackage("io.berth.bench..").and().doNotBelongToAnyOf(Commands.class)
                .should().dependOnClassesThat().resideInAPackage("io.berth.bench..")
                .because("the server must not depend on the load tool shipped beside it").check(berth);
    }

    @Test
    void onlyTheCompositionRootWiresEverything() {
        noClasses().that().resideOutsideOfPackage("io.berth")
                .should().dependOnClassesThat().resideInAPackage("io.berth")
                .because("Berth and Main build the layers; no layer reaches back to them").check(berth);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().matching("io.berth.(**)").should().beFreeOfCycles().check(berth);
    }
}
