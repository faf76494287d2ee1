package io.berth.storage.driver;

import java.time.Instant;

/** What a driver knows of one path. Directories have size 0. */
public record FileInfo(String path, long size, Instant modified, boolean isDirectory) {}
