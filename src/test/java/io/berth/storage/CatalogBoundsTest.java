package io.berth.storage;

import io.berth.registry.CatalogPage;
import static org.assertj.core.api.Assertions.assertThat;

import io.berth.registry.RepositoryName;
import io.berth.storage.driver.CheckedStorageDriver;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.inmemory.InMemoryDriver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The catalog's memory stays bounded whatever the number of repositories: it remembers a bounded
 * number of names, and lists and reconciles a page at a time, through more names than it remembers.
 */
class CatalogBoundsTest {

    /** Enough for many pages of the index and of the walk, in a few seconds on the in-memory driver. */
    static final int REPOSITORIES = 40_000;
    static final int REMEMBERED = 500;

    static StorageDriver driver;
    static Catalog catalog;
    static List<String> names = new ArrayList<>();

    @BeforeAll
    static void fill() throws Exception {
        driver = CheckedStorageDriver.wrap(new InMemoryDriver());
        catalog = new Catalog(driver, REMEMBERED);
        for (int i = 0; i < REPOSITORIES; i++) {
            // Slashes, dots, dashes and digits side by side, where index and name order could part.
            String name = switch (i % 4) {
                case 0 -> "org" + (i % 97) + "/app-" + i;
                case 1 -> "org" + (i % 97) + ".x/" + i;
                case 2 -> "org" + (i % 97) + "-y" + i;
                default -> "org" + (i % 97) + "/" + i + "/z";
            };
            names.add(name);
            driver.putContent(Paths.of(new Paths.Manifests(RepositoryName.parse(name))) + "/tags/t/current/link", new byte[] {'x'});
        }
        names.sort(null);
    }

    private static List<String> pageThrough(int n) throws Exception {
        List<String> seen = new ArrayList<>();
        String last = null;
        CatalogPage page;
        do {
            page = catalog.page(last, n);
            assertThat(page.names()).hasSizeLessThanOrEqualTo(n);
            seen.addAll(page.names());
            last = page.names().isEmpty() ? last : page.names().getLast();
        } while (page.more());
        return seen;
    }

    @Test
    void theFirstListingIndexesEveryRepositoryRememberingNoMoreThanItsBound() throws Exception {
        assertThat(pageThrough(1000)).containsExactlyElementsOf(names);
        assertThat(catalog.remembered()).isLessThanOrEqualTo(REMEMBERED);
        assertThat(driver.list(Paths.of(new Paths.Catalog()))).hasSize(REPOSITORIES);
    }

    @Test
    void pagesOfAnySizeAfterAnyMarkerFollowTheLexicalOrderOfNames() throws Exception {
        assertThat(pageThrough(777)).containsExactlyElementsOf(names);
        for (String last : List.of("org1", "org1/", "org1/app-", "org10.x/", "org5-", "org5:", "org5A", "org5~", "ORG", "", "zzz")) {
            List<String> expected = names.stream().filter(name -> name.compareTo(last) > 0).limit(5).toList();
            assertThat(catalog.page(last, 5).names()).as("after %s", last).containsExactlyElementsOf(expected);
        }
        assertThat(catalog.page(names.getLast(), 5)).isEqualTo(new CatalogPage(List.of(), false));
        assertThat(catalog.page(null, 0)).isEqualTo(new CatalogPage(List.of(), true));
    }

    @Test
    void aReconcileOfManyRepositoriesKeepsTheBoundAndChangesNothingWhenAllIsIndexed() throws Exception {
        catalog.page(null, 1);

        Catalog.Reconciled done = catalog.reconcile();

        assertThat(done).isEqualTo(new Catalog.Reconciled(REPOSITORIES, 0, 0));
        assertThat(catalog.remembered()).isLessThanOrEqualTo(REMEMBERED);
    }
}
