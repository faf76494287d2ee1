package io.berth.gc;

/**
 * Lines of progress as Distribution's garbage-collect prints them (repository, "marking manifest ...",
 * "blob eligible for deletion: ...", "Deleting blob: ..."). Called from the thread that runs the collection, in order.
 */
public interface Listener {

    /** Says nothing. */
    Listener SILENT = line -> {};

    void line(String line);
}
