package io.berth.storage;

import java.io.IOException;

/** A step of storage work that may fail with an I/O error. */
@FunctionalInterface
interface IoStep<T> {
    T run() throws IOException;
}
