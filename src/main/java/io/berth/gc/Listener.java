package io.berth.gc;

/**
 * Lines of progress as Distribution's garbage-collect prints them (repository, "marking manifest ...",
 * "blob eligible for deletion: ...", "Deleting blob: ..."). Called from several threads, one line at a time.
 */
public interface Listener {

    /** Says nothing. */
    Listener SILENT = line -> {};

    void line(String line);
}
