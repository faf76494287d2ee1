package io.berth.http;

import io.berth.testing.TestRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Gives each test a fresh registry over its own storage root, stopped afterwards. */
abstract class RegistryTestBase {

    @TempDir
    Path root;
    TestRegistry registry;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = TestRegistry.start(root);
    }

    @AfterEach
    void stopRegistry() throws Exception {
        registry.close();
    }
}
