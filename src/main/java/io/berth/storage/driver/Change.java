package io.berth.storage.driver;

/** One step of {@link StorageDriver#publish}: a small file written whole, or a file moved into place. */
public sealed interface Change {

    /** The path whose name the change makes appear. */
    String path();

    /** Writes {@code content} at {@code path}, as {@link StorageDriver#putContent} does. */
    record Put(String path, byte[] content) implements Change {}

    /** Moves a file whose content is already durable to {@code path}, as {@link StorageDriver#move} does. */
    record Move(String from, String path) implements Change {}
}
