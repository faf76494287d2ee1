package io.berth.auth;

import io.berth.registry.RepositoryName;

/** What one caller may do: every request it makes is checked against these. */
public interface Grants {

    /** Everything: what a registry without authentication grants. */
    Grants ALL = new Grants() {
        @Override
        public boolean allows(Access access) {
            return true;
        }

        @Override
        public boolean lists(RepositoryName name) {
            return true;
        }
    };

    boolean allows(Access access);

    /** Whether the catalog shows this repository to the caller. */
    boolean lists(RepositoryName name);
}
