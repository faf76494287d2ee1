package io.berth.auth;

import io.berth.registry.RepositoryName;

/** One thing a request does to one resource, in the terms of Distribution's token scopes: {@code repository:<name>:pull}. */
public record Access(String type, String name, String action) {

    public static final String REPOSITORY = "repository";
    public static final String REGISTRY = "registry";
    public static final String PULL = "pull";
    public static final String PUSH = "push";
    public static final String DELETE = "delete";
    /** Listing every repository: {@code registry:catalog:*}. */
    public static final Access CATALOG = new Access(REGISTRY, "catalog", "*");

    public static Access pull(RepositoryName name) {
        return new Access(REPOSITORY, name.value(), PULL);
    }

    public static Access push(RepositoryName name) {
        return new Access(REPOSITORY, name.value(), PUSH);
    }

    public static Access delete(RepositoryName name) {
        return new Access(REPOSITORY, name.value(), DELETE);
    }

    @Override
    public String toString() {
        return type + ":" + name + ":" + action;
    }
}
