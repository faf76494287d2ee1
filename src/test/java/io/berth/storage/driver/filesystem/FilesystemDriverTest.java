package io.berth.storage.driver.filesystem;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.FileInfo;
import io.berth.storage.driver.StorageDriver;
import io.berth.storage.driver.StorageDriverContract;
import io.berth.storage.driver.StorageDriverException.InvalidPath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilesystemDriverTest extends StorageDriverContract {

    @TempDir
    Path root;

    @Override
    protected StorageDriver newDriver() {
        return new FilesystemDriver(root);
    }

    @Test
    void nameIsFilesystem() {
        assertThat(driver.name()).isEqualTo("filesystem");
    }

    @Test
    void driverPathsMapToFilesUnderTheRoot() throws Exception {
        driver.putContent("/mapped/file", "content".getBytes(UTF_8));

        assertThat(Files.readString(root.resolve("mapped/file"))).isEqualTo("content");
        driver.delete("/mapped");
        assertThat(root.resolve("mapped")).doesNotExist();
    }

    @Test
    void putContentLeavesNoTemporaryFiles() throws Exception {
        driver.putContent("/tmp/a/file", "first".getBytes(UTF_8));
        driver.putContent("/tmp/a/file", "second".getBytes(UTF_8));
        driver.putContent("/tmp/b", new byte[0]);

        assertThat(temporaryFiles()).isEmpty();
        driver.delete("/tmp");
    }

    @Test
    void listAndWalkHideLeftoverTemporaryFiles() throws Exception {
        Files.createDirectories(root.resolve("crash"));
        Files.writeString(root.resolve("crash/.berth-tmp-0123"), "half written");
        Files.writeString(root.resolve("crash/file"), "whole");
        List<FileInfo> visited = new ArrayList<>();

        driver.walk("/", visited::add);

        assertThat(driver.list("/crash")).containsExactly("/crash/file");
        assertThat(visited).extracting(FileInfo::path).containsExactly("/crash", "/crash/file");
        driver.delete("/crash");
        assertThat(root.resolve("crash")).doesNotExist();
    }

    @Test
    void pathsCannotEscapeTheRootEvenWithoutTheCheckingWrapper() throws Exception {
        StorageDriver unchecked = new FilesystemDriver(root.resolve("inner"));

        assertThatThrownBy(() -> unchecked.putContent("/../escaped", new byte[1])).isInstanceOf(InvalidPath.class);
        assertThatThrownBy(() -> unchecked.getContent("/../../etc/passwd")).isInstanceOf(InvalidPath.class);
        assertThatThrownBy(() -> unchecked.delete("/..")).isInstanceOf(InvalidPath.class);
        assertThat(root.resolve("escaped")).doesNotExist();
    }

    @Test
    void aMissingRootIsAnEmptyStore() throws Exception {
        StorageDriver absent = new FilesystemDriver(root.resolve("absent"));
        List<FileInfo> visited = new ArrayList<>();

        absent.walk("/", visited::add);

        assertThat(absent.list("/")).isEmpty();
        assertThat(visited).isEmpty();
        assertThat(absent.stat("/").isDirectory()).isTrue();
        assertThat(root.resolve("absent")).doesNotExist();
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith(FilesystemDriver.TEMP_PREFIX)).toList();
        }
    }
}
