package io.berth.gc;

/** Lines of progress as Distribution's garbage-collect prints them. */
public interface Listener {

    /** One line of progress. */
    void line(String line);

    /** Prints nothing. */
    Listener SILENT = line -> {};
}
