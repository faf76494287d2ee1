package io.berth.observe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and git commit this build of Berth comes from, as the build wrote them into
 * {@code io/berth/build.properties}: the commit ends in {@code -dirty} when the tree had changes,
 * and is {@code unknown} when the build had no git (from a source tarball).
 */
public record BuildInfo(String version, String commit) {

    private static final BuildInfo CURRENT = load();

    /** This build's. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** How {@code berth version}, the start-up line and the metric's labels say it: {@code 0.1.0 (commit 4f3b7e281579-dirty)}. */
    @Override
    public String toString() {
        return version + " (commit " + commit + ")";
    }

    private static BuildInfo load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/berth/build.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String commit = value(properties, "commit");
        if (!commit.equals("unknown") && Boolean.parseBoolean(properties.getProperty("dirty"))) {
            commit += "-dirty";
        }
        return new BuildInfo(value(properties, "version"), commit);
    }

    /** A property the build filled in; an unfilled {@code ${...}} (a build outside Maven, e.g. an IDE's) is unknown. */
    private static String value(Properties properties, String key) {
        String value = properties.getProperty(key, "").strip();
        return value.isEmpty() || value.startsWith("${") ? "unknown" : value;
    }
}
