package io.berth.registry;

import java.util.List;

/** One page of the catalog, and whether more repositories follow it. */
public record CatalogPage(List<String> names, boolean more) {}
