package io.berth.registry;

import java.io.IOException;

/**
 * The registry as handlers see it: repositories by name, and the catalog of their names. Storage
 * implements it; features such as authorisation wrap it.
 */
public interface Namespace {

    /** One repository; it need not exist yet. */
    Repository repository(RepositoryName name);

    /** Up to {@code n} repository names after {@code last} (any string, or null), in lexical order. */
    CatalogPage catalog(String last, int n) throws IOException;
}
