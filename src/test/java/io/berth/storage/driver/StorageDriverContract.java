package io.berth.storage.driver;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.berth.storage.driver.StorageDriverException.InvalidOffset;
import io.berth.storage.driver.StorageDriverException.InvalidPath;
import io.berth.storage.driver.StorageDriverException.PathNotFound;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every storage driver must do, run against each driver through {@link CheckedStorageDriver}. */
public abstract class StorageDriverContract {

    private static final int MIB = 1024 * 1024;

    /** The driver under test, wrapped as the registry uses it. */
    protected StorageDriver driver;

    protected abstract StorageDriver newDriver() throws Exception;

    @BeforeEach
    void openDriver() throws Exception {
        driver = CheckedStorageDriver.wrap(newDriver());
    }

    @AfterEach
    void leavesNothingBehind() throws Exception {
        try {
            assertThat(driver.list("/")).as("entries a test left behind").isEmpty();
        } finally {
            driver.close();
        }
    }

    // ---- putContent and getContent

    @Test
    void putContentThenGetContentReturnsTheSameBytes() throws Exception {
        driver.putContent("/put/file", bytes("hello"));

        assertThat(driver.getContent("/put/file")).isEqualTo(bytes("hello"));
        driver.delete("/put");
    }

    /** Protected so that a driver whose test server cannot show atomic replacement states what it shows instead. */
    @Test
    protected void putContentReplacesExistingContentAtomically() throws Exception {
        String path = "/atomic/file";
        // Distinct fill bytes and lengths, so a mix of two values or a short read shows.
        byte[][] values = {filled('o', 256 * 1024), filled('a', 256 * 1024 + 1), filled('b', 256 * 1024 + 2)};
        driver.putContent(path, values[0]);
        AtomicBoolean done = new AtomicBoolean();

        inParallel(5, id -> {
            if (id == 0) {
                try {
                    for (int i = 0; i < 30; i++) {
                        driver.putContent(path, values[1 + i % 2]);
                    }
                } finally {
                    done.set(true);
                }
            } else {
                while (!done.get()) {
                    byte[] seen = id % 2 == 0 ? driver.getContent(path) : readAll(driver.reader(path, 0));
                    assertThat(Arrays.stream(values).anyMatch(v -> Arrays.equals(v, seen)))
                            .as("a reader saw one whole value, %d bytes", seen.length)
                            .isTrue();
                }
            }
        });

        assertThat(driver.getContent(path)).isEqualTo(values[2]);
        driver.delete("/atomic");
    }

    @Test
    void putContentCreatesParentDirectories() throws Exception {
        driver.putContent("/parents/a/b/file", bytes("x"));

        assertThat(driver.stat("/parents/a/b").isDirectory()).isTrue();
        assertThat(driver.list("/parents")).containsExactly("/parents/a");
        driver.delete("/parents");
    }

    @Test
    void putContentOfZeroBytesCreatesAnEmptyFile() throws Exception {
        driver.putContent("/empty/file", new byte[0]);

        assertThat(driver.getContent("/empty/file")).isEmpty();
        assertThat(driver.stat("/empty/file").size()).isZero();
        assertThat(driver.stat("/empty/file").isDirectory()).isFalse();
        driver.delete("/empty");
    }

    @Test
    void putContentOntoADirectoryFails() throws Exception {
        driver.putContent("/conflict/dir/file", bytes("kept"));

        assertFailsWithoutNotFound(() -> driver.putContent("/conflict/dir", bytes("x")));
        assertThat(driver.getContent("/conflict/dir/file")).isEqualTo(bytes("kept"));
        driver.delete("/conflict");
    }

    @Test
    void putContentBelowAFileFails() throws Exception {
        driver.putContent("/conflict/file", bytes("kept"));

        assertFailsWithoutNotFound(() -> driver.putContent("/conflict/file/child", bytes("x")));
        assertThat(driver.getContent("/conflict/file")).isEqualTo(bytes("kept"));
        driver.delete("/conflict");
    }

    @Test
    void largeContentWrittenInSmallPiecesReadsBackByteForByte() throws Exception {
        byte[] content = random(4 * MIB + 123, 1);
        Random pieces = new Random(2);
        try (FileWriter writer = driver.writer("/large/data", false)) {
            int at = 0;
            while (at < content.length) {
                int length = Math.min(1 + pieces.nextInt(9000), content.length - at);
                writer.write(content, at, length);
                at += length;
                assertThat(writer.size()).isEqualTo(at);
            }
        }

        assertThat(driver.stat("/large/data").size()).isEqualTo(content.length);
        try (InputStream in = driver.reader("/large/data", 0)) {
            assertThat(sha256(in)).isEqualTo(sha256(content));
        }
        assertThat(sha256(driver.getContent("/large/data"))).isEqualTo(sha256(content));
        driver.delete("/large");
    }

    // ---- reader

    @Test
    void readerStartsAtTheGivenOffset() throws Exception {
        driver.putContent("/offsets/file", bytes("0123456789"));

        assertThat(read("/offsets/file", 0)).isEqualTo("0123456789");
        assertThat(read("/offsets/file", 4)).isEqualTo("456789");
        assertThat(read("/offsets/file", 9)).isEqualTo("9");
        assertThat(read("/offsets/file", 10)).as("offset == size reads nothing").isEmpty();
        driver.delete("/offsets");
    }

    @Test
    void readerPastTheEndIsInvalidOffset() throws Exception {
        driver.putContent("/offsets/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader("/offsets/file", 11)).isInstanceOf(InvalidOffset.class);
        assertThatThrownBy(() -> driver.reader("/offsets/file", Long.MAX_VALUE)).isInstanceOf(InvalidOffset.class);
        driver.delete("/offsets");
    }

    @Test
    void readerAtANegativeOffsetIsInvalidOffset() throws Exception {
        driver.putContent("/offsets/file", bytes("0123456789"));

        assertThatThrownBy(() -> driver.reader("/offsets/file", -1)).isInstanceOf(InvalidOffset.class);
        driver.delete("/offsets");
    }

    // ---- writer

    @Test
    void writerAppendContinuesAfterClose() throws Exception {
        write("/append/file", false, "first,");
        write("/append/file", true, "second,");
        write("/append/file", true, "third");

        assertThat(text("/append/file")).isEqualTo("first,second,third");
        driver.delete("/append");
    }

    @Test
    void writerWithoutAppendTruncates() throws Exception {
        driver.putContent("/truncate/file", bytes("a much longer old content"));

        write("/truncate/file", false, "short");

        assertThat(text("/truncate/file")).isEqualTo("short");
        driver.delete("/truncate");
    }

    @Test
    void writerOfZeroBytesCreatesAnEmptyFile() throws Exception {
        driver.writer("/empty/file", false).close();

        assertThat(driver.getContent("/empty/file")).isEmpty();
        assertThat(driver.stat("/empty/file").size()).isZero();
        driver.delete("/empty");
    }

    @Test
    void writerAppendOnAMissingFileCreatesIt() throws Exception {
        write("/append/new/file", true, "created");

        assertThat(text("/append/new/file")).isEqualTo("created");
        driver.delete("/append");
    }

    @Test
    void writerSizeCountsExistingAndBufferedBytes() throws Exception {
        driver.putContent("/size/file", bytes("12345"));

        try (FileWriter writer = driver.writer("/size/file", true)) {
            assertThat(writer.size()).isEqualTo(5);
            writer.write(bytes("678"));
            writer.write('9');
            assertThat(writer.size()).isEqualTo(9);
        }
        try (FileWriter writer = driver.writer("/size/file", false)) {
            assertThat(writer.size()).isZero();
        }
        driver.delete("/size");
    }

    @Test
    void commitMakesWritesFinal() throws Exception {
        try (FileWriter writer = driver.writer("/commit/file", false)) {
            writer.write(bytes("committed"));
            writer.commit();

            assertThat(text("/commit/file")).as("readable after commit, before close").isEqualTo("committed");
            assertThatThrownBy(() -> writer.write(bytes("more"))).isInstanceOf(IOException.class);
            assertThatThrownBy(writer::commit).isInstanceOf(IOException.class);
        }

        assertThat(text("/commit/file")).isEqualTo("committed");
        driver.delete("/commit");
    }

    @Test
    void cancelRemovesTheFile() throws Exception {
        // Whether an emptied directory remains is up to the driver; a sibling keeps this test neutral.
        driver.putContent("/cancel/kept", bytes("kept"));
        try (FileWriter writer = driver.writer("/cancel/new", false)) {
            writer.write(bytes("abandoned"));
            writer.cancel();
        }
        driver.putContent("/cancel/existing", bytes("old"));
        try (FileWriter writer = driver.writer("/cancel/existing", true)) {
            writer.write(bytes("abandoned"));
            writer.cancel();
        }

        assertThatThrownBy(() -> driver.stat("/cancel/new")).isInstanceOf(PathNotFound.class);
        assertThatThrownBy(() -> driver.stat("/cancel/existing")).isInstanceOf(PathNotFound.class);
        assertThat(driver.list("/cancel")).containsExactly("/cancel/kept");
        driver.delete("/cancel");
    }

    @Test
    void writingAfterCloseFailsAndClosingTwiceIsHarmless() throws Exception {
        FileWriter writer = driver.writer("/closed/file", false);
        writer.write(bytes("data"));
        writer.close();

        assertThatThrownBy(() -> writer.write(bytes("more"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> writer.write('x')).isInstanceOf(IOException.class);
        writer.close();
        assertThat(text("/closed/file")).isEqualTo("data");
        driver.delete("/closed");
    }

    @Test
    void writerOntoADirectoryFails() throws Exception {
        driver.putContent("/conflict/dir/file", bytes("kept"));

        assertFailsWithoutNotFound(() -> driver.writer("/conflict/dir", false).close());
        assertFailsWithoutNotFound(() -> driver.writer("/conflict/dir/file/child", true).close());
        assertThat(driver.getContent("/conflict/dir/file")).isEqualTo(bytes("kept"));
        driver.delete("/conflict");
    }

    // ---- not found, from every method

    @Test
    void getContentOfAMissingFileOrADirectoryIsNotFound() throws Exception {
        driver.putContent("/nf/dir/file", bytes("x"));

        assertNotFound("/nf/missing", () -> driver.getContent("/nf/missing"));
        assertNotFound("/nf/dir", () -> driver.getContent("/nf/dir"));
        driver.delete("/nf");
    }

    @Test
    void readerOfAMissingFileOrADirectoryIsNotFound() throws Exception {
        driver.putContent("/nf/dir/file", bytes("x"));

        assertNotFound("/nf/missing", () -> driver.reader("/nf/missing", 0));
        assertNotFound("/nf/dir", () -> driver.reader("/nf/dir", 0));
        driver.delete("/nf");
    }

    @Test
    void statOfAMissingPathIsNotFound() {
        assertNotFound("/nf/missing", () -> driver.stat("/nf/missing"));
    }

    @Test
    void listOfAMissingDirectoryOrAFileIsNotFound() throws Exception {
        driver.putContent("/nf/file", bytes("x"));

        assertNotFound("/nf/missing", () -> driver.list("/nf/missing"));
        assertNotFound("/nf/file", () -> driver.list("/nf/file"));
        driver.delete("/nf");
    }

    @Test
    void moveOfAMissingSourceIsNotFound() throws Exception {
        assertNotFound("/nf/missing", () -> driver.move("/nf/missing", "/nf/destination"));

        assertNotFound("/nf/destination", () -> driver.stat("/nf/destination"));
    }

    @Test
    void deleteOfAMissingPathIsNotFound() {
        assertNotFound("/nf/missing", () -> driver.delete("/nf/missing"));
    }

    @Test
    void walkOfAMissingPathIsNotFound() {
        assertNotFound("/nf/missing", () -> driver.walk("/nf/missing", info -> {}));
    }

    @Test
    void pathsBelowAFileAreNotFound() throws Exception {
        driver.putContent("/nf/file", bytes("x"));
        String below = "/nf/file/child";

        assertNotFound(below, () -> driver.getContent(below));
        assertNotFound(below, () -> driver.reader(below, 0));
        assertNotFound(below, () -> driver.stat(below));
        assertNotFound(below, () -> driver.list(below));
        assertNotFound(below, () -> driver.move(below, "/nf/elsewhere"));
        assertNotFound(below, () -> driver.delete(below));
        assertNotFound(below, () -> driver.walk(below, info -> {}));
        driver.delete("/nf");
    }

    // ---- stat and list

    @Test
    void statDescribesAFile() throws Exception {
        Instant before = Instant.now().minusSeconds(2);
        driver.putContent("/stat/file", bytes("12345"));

        FileInfo info = driver.stat("/stat/file");

        assertThat(info.path()).isEqualTo("/stat/file");
        assertThat(info.size()).isEqualTo(5);
        assertThat(info.isDirectory()).isFalse();
        assertThat(info.modified()).isBetween(before, Instant.now().plusSeconds(2));
        driver.delete("/stat");
    }

    @Test
    void statDescribesADirectory() throws Exception {
        driver.putContent("/stat/dir/file", bytes("12345"));

        FileInfo info = driver.stat("/stat/dir");

        assertThat(info).extracting(FileInfo::path, FileInfo::size, FileInfo::isDirectory)
                .containsExactly("/stat/dir", 0L, true);
        driver.delete("/stat");
    }

    @Test
    void statOfTheRootIsADirectory() throws Exception {
        assertThat(driver.stat("/").isDirectory()).isTrue();

        driver.putContent("/file", bytes("x"));
        assertThat(driver.stat("/")).extracting(FileInfo::path, FileInfo::size, FileInfo::isDirectory)
                .containsExactly("/", 0L, true);
        driver.delete("/file");
    }

    @Test
    void listReturnsTheSortedFullPathsOfDirectChildren() throws Exception {
        for (String path : List.of("/list/bc", "/list/b/nested/deep", "/list/b.txt", "/list/a-b", "/list/B")) {
            driver.putContent(path, bytes(path));
        }

        assertThat(driver.list("/list"))
                .containsExactly("/list/B", "/list/a-b", "/list/b", "/list/b.txt", "/list/bc");
        assertThat(driver.list("/list/b")).containsExactly("/list/b/nested");
        assertThat(driver.list("/list/b/nested")).containsExactly("/list/b/nested/deep");
        driver.delete("/list");
    }

    @Test
    void listPageReturnsTheFilesAfterTheMarkerInOrderAPageAtATime() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            names.add(String.format("f%02d", i));
        }
        for (String name : List.of("f13", "f02", "f24", "f00")) {
            driver.putContent("/paged/" + name, bytes(name));
        }
        for (String name : names) {
            driver.putContent("/paged/" + name, bytes(name));
        }
        List<String> seen = new ArrayList<>();
        String after = "";
        for (List<String> page; !(page = driver.listPage("/paged", after, 7)).isEmpty(); ) {
            assertThat(page).hasSizeLessThanOrEqualTo(7);
            seen.addAll(page);
            after = page.getLast().substring("/paged/".length());
        }

        assertThat(seen).containsExactlyElementsOf(names.stream().map(n -> "/paged/" + n).toList());
        assertThat(driver.listPage("/paged", "f1", 2)).containsExactly("/paged/f10", "/paged/f11");
        assertThat(driver.listPage("/paged", "f24", 5)).isEmpty();
        assertThat(driver.listPage("/", "", 100)).contains("/paged");
        assertNotFound("/paged/f00", () -> driver.listPage("/paged/f00", "", 5));
        assertNotFound("/nothing", () -> driver.listPage("/nothing", "", 5));
        driver.delete("/paged");
    }

    @Test
    void listPageOfDirectoriesNamesEachOnce() throws Exception {
        for (String path : List.of("/pd/a/x", "/pd/a-b/x", "/pd/a.c/x", "/pd/b/x", "/pd/ab/x")) {
            driver.putContent(path, bytes(path));
        }
        List<String> seen = new ArrayList<>();
        String after = "";
        for (List<String> page; !(page = driver.listPage("/pd", after, 2)).isEmpty() && seen.size() < 10; ) {
            seen.addAll(page);
            after = page.getLast().substring("/pd/".length());
        }

        assertThat(seen).containsExactlyInAnyOrder("/pd/a", "/pd/a-b", "/pd/a.c", "/pd/ab", "/pd/b");
        driver.delete("/pd");
    }

    @Test
    void listOfTheRootShowsTopLevelEntries() throws Exception {
        driver.putContent("/top2/file", bytes("x"));
        driver.putContent("/top1", bytes("x"));

        assertThat(driver.list("/")).containsExactly("/top1", "/top2");
        driver.delete("/top1");
        driver.delete("/top2");
    }

    @Test
    void listAndWalkOfAnEmptyRootFindNothing() throws Exception {
        List<FileInfo> visited = new ArrayList<>();
        driver.walk("/", visited::add);

        assertThat(driver.list("/")).isEmpty();
        assertThat(visited).isEmpty();
    }

    // ---- move

    @Test
    void moveRenamesAFileCreatingParents() throws Exception {
        driver.putContent("/move/source", bytes("moved"));

        driver.move("/move/source", "/move/new/parent/destination");

        assertThat(text("/move/new/parent/destination")).isEqualTo("moved");
        assertNotFound("/move/source", () -> driver.stat("/move/source"));
        driver.delete("/move");
    }

    @Test
    void moveReplacesAnExistingFile() throws Exception {
        driver.putContent("/move/source", bytes("new"));
        driver.putContent("/move/destination", bytes("old and longer"));

        driver.move("/move/source", "/move/destination");

        assertThat(text("/move/destination")).isEqualTo("new");
        assertThat(driver.list("/move")).containsExactly("/move/destination");
        driver.delete("/move");
    }

    @Test
    void moveCarriesADirectoryWithEverythingUnderIt() throws Exception {
        driver.putContent("/move/src/a", bytes("a"));
        driver.putContent("/move/src/sub/b", bytes("b"));
        driver.putContent("/move/srcx", bytes("sibling"));

        driver.move("/move/src", "/move/dst");

        assertThat(walkPaths("/move"))
                .containsExactly("/move/dst", "/move/dst/a", "/move/dst/sub", "/move/dst/sub/b", "/move/srcx");
        assertThat(text("/move/dst/sub/b")).isEqualTo("b");
        assertThat(text("/move/srcx")).isEqualTo("sibling");
        driver.delete("/move");
    }

    @Test
    void moveOntoItselfChangesNothing() throws Exception {
        driver.putContent("/move/file", bytes("same"));

        driver.move("/move/file", "/move/file");

        assertThat(text("/move/file")).isEqualTo("same");
        driver.delete("/move");
    }

    @Test
    void moveBelowAFileFails() throws Exception {
        driver.putContent("/move/file", bytes("file"));
        driver.putContent("/move/source", bytes("source"));

        assertFailsWithoutNotFound(() -> driver.move("/move/source", "/move/file/child"));
        assertThat(text("/move/file")).isEqualTo("file");
        assertThat(text("/move/source")).isEqualTo("source");
        driver.delete("/move");
    }

    @Test
    void moveOfADirectoryIntoItselfFails() throws Exception {
        driver.putContent("/move/dir/file", bytes("x"));

        assertFailsWithoutNotFound(() -> driver.move("/move/dir", "/move/dir/inner/dir"));
        assertThat(walkPaths("/move")).containsExactly("/move/dir", "/move/dir/file");
        driver.delete("/move");
    }

    @Test
    void moveOntoANonEmptyDirectoryFails() throws Exception {
        driver.putContent("/move/dir/file", bytes("kept"));
        driver.putContent("/move/source", bytes("x"));
        driver.putContent("/move/otherdir/file", bytes("x"));

        assertFailsWithoutNotFound(() -> driver.move("/move/source", "/move/dir"));
        assertFailsWithoutNotFound(() -> driver.move("/move/otherdir", "/move/dir"));
        assertThat(text("/move/dir/file")).isEqualTo("kept");
        driver.delete("/move");
    }

    @Test
    void moveOfADirectoryOntoAFileFails() throws Exception {
        driver.putContent("/move/dir/file", bytes("x"));
        driver.putContent("/move/file", bytes("kept"));

        assertFailsWithoutNotFound(() -> driver.move("/move/dir", "/move/file"));
        assertThat(text("/move/file")).isEqualTo("kept");
        assertThat(text("/move/dir/file")).isEqualTo("x");
        driver.delete("/move");
    }

    // ---- delete

    @Test
    void deleteRemovesAFile() throws Exception {
        driver.putContent("/delete/file", bytes("x"));
        driver.putContent("/delete/other", bytes("y"));

        driver.delete("/delete/file");

        assertNotFound("/delete/file", () -> driver.stat("/delete/file"));
        assertThat(driver.list("/delete")).containsExactly("/delete/other");
        driver.delete("/delete");
    }

    @Test
    void deleteRemovesADirectoryRecursivelySparingSiblingPrefixes() throws Exception {
        for (String path : List.of("/delete/b/x", "/delete/b/y/z", "/delete/bc", "/delete/b.txt", "/delete/b-c/w")) {
            driver.putContent(path, bytes(path));
        }

        driver.delete("/delete/b");

        assertNotFound("/delete/b", () -> driver.stat("/delete/b"));
        assertThat(walkPaths("/delete"))
                .containsExactly("/delete/b-c", "/delete/b-c/w", "/delete/b.txt", "/delete/bc");
        assertThat(text("/delete/bc")).isEqualTo("/delete/bc");
        driver.delete("/delete");
    }

    // ---- walk

    @Test
    void walkVisitsDescendantsParentsFirstInLexicalOrder() throws Exception {
        // '-' and '.' sort before '/': a plain sort of full paths would put /w/a-b before /w/a/x.
        for (String path : List.of("/w/a.c", "/w/a/x", "/w/a-b/y", "/w/a/sub/z")) {
            driver.putContent(path, bytes(path));
        }
        List<FileInfo> visited = new ArrayList<>();

        driver.walk("/w", visited::add);

        assertThat(visited).extracting(FileInfo::path).containsExactly(
                "/w/a", "/w/a/sub", "/w/a/sub/z", "/w/a/x", "/w/a-b", "/w/a-b/y", "/w/a.c");
        assertThat(visited).extracting(FileInfo::isDirectory)
                .containsExactly(true, true, false, false, true, false, false);
        assertThat(visited.get(2).size()).isEqualTo("/w/a/sub/z".length());
        driver.delete("/w");
    }

    @Test
    void walkOfTheRootVisitsEverything() throws Exception {
        driver.putContent("/r2", bytes("x"));
        driver.putContent("/r1/file", bytes("x"));

        assertThat(walkPaths("/")).containsExactly("/r1", "/r1/file", "/r2");
        driver.delete("/r1");
        driver.delete("/r2");
    }

    @Test
    void walkOfAFileVisitsNothing() throws Exception {
        driver.putContent("/walk/file", bytes("x"));

        assertThat(walkPaths("/walk/file")).isEmpty();
        driver.delete("/walk");
    }

    // ---- invalid paths

    @Test
    void invalidPathsAreRefusedByEveryMethod() {
        List<String> invalid = Arrays.asList(
                null, "", "a", "a/b", "/a/", "//", "/a//b", "/..", "/a/../b", "/../a", "/.", "/a/./b",
                "/a\u0000b", "/a b", " /a", "/a\n", "\\a", "/a\\b", "/a/b/", "/é");
        for (String path : invalid) {
            assertInvalid(() -> driver.getContent(path));
            assertInvalid(() -> driver.putContent(path, bytes("x")));
            assertInvalid(() -> driver.reader(path, 0));
            assertInvalid(() -> driver.writer(path, false));
            assertInvalid(() -> driver.writer(path, true));
            assertInvalid(() -> driver.stat(path));
            assertInvalid(() -> driver.list(path));
            assertInvalid(() -> driver.move(path, "/valid"));
            assertInvalid(() -> driver.move("/valid", path));
            assertInvalid(() -> driver.delete(path));
            assertInvalid(() -> driver.walk(path, info -> {}));
        }
    }

    @Test
    void theRootIsRefusedWhereAFileIsMeant() {
        assertInvalid(() -> driver.getContent("/"));
        assertInvalid(() -> driver.putContent("/", bytes("x")));
        assertInvalid(() -> driver.reader("/", 0));
        assertInvalid(() -> driver.writer("/", true));
        assertInvalid(() -> driver.move("/", "/valid"));
        assertInvalid(() -> driver.move("/valid", "/"));
        assertInvalid(() -> driver.delete("/"));
    }

    // ---- concurrency

    @Test
    void concurrentReadersAtDifferentOffsetsAllReadCorrectBytes() throws Exception {
        byte[] content = random(MIB, 3);
        driver.putContent("/concurrent/file", content);

        inParallel(8, id -> {
            int offset = id * (MIB / 8) + id * 7;
            byte[] expected = Arrays.copyOfRange(content, offset, content.length);
            for (int round = 0; round < 10; round++) {
                try (InputStream in = driver.reader("/concurrent/file", offset)) {
                    assertThat(in.readAllBytes()).isEqualTo(expected);
                }
            }
        });
        driver.delete("/concurrent");
    }

    @Test
    void concurrentPutContentOfTheSamePathLeavesOneCompleteValue() throws Exception {
        int threads = 8;
        byte[][] values = new byte[threads][];
        for (int i = 0; i < threads; i++) {
            values[i] = filled('A' + i, 128 * 1024 + i * 1000);
        }

        inParallel(threads, id -> {
            for (int round = 0; round < 5; round++) {
                driver.putContent("/concurrent/file", values[id]);
            }
        });

        byte[] result = driver.getContent("/concurrent/file");
        assertThat(Arrays.stream(values).anyMatch(v -> Arrays.equals(v, result))).as("one whole value").isTrue();
        assertThat(driver.list("/concurrent")).containsExactly("/concurrent/file");
        driver.delete("/concurrent");
    }

    // ---- helpers

    private static void assertNotFound(String path, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PathNotFound.class, e -> assertThat(e.path()).isEqualTo(path));
    }

    private static void assertInvalid(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(InvalidPath.class);
    }

    /** A refusal by the storage itself (a file in the way): an I/O error, but not a claim that the path is missing. */
    private static void assertFailsWithoutNotFound(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IOException.class).isNotInstanceOf(StorageDriverException.class);
    }

    private void write(String path, boolean append, String content) throws IOException {
        try (FileWriter writer = driver.writer(path, append)) {
            writer.write(bytes(content));
        }
    }

    private String text(String path) throws IOException {
        return new String(driver.getContent(path), UTF_8);
    }

    private String read(String path, long offset) throws IOException {
        return new String(readAll(driver.reader(path, offset)), UTF_8);
    }

    private List<String> walkPaths(String path) throws IOException {
        List<String> paths = new ArrayList<>();
        driver.walk(path, info -> paths.add(info.path()));
        return paths;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    private static byte[] filled(int value, int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private interface Task {
        void run(int id) throws Exception;
    }

    /** Runs a task on several threads released together, failing if any thread fails. */
    private static void inParallel(int threads, Task task) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    start.await();
                    task.run(id);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(Duration.ofMinutes(1).toSeconds(), TimeUnit.SECONDS);
            }
        }
    }
}
