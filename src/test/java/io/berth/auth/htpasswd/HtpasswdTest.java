package io.berth.auth.htpasswd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.berth.testing.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Sign-in against files the real {@code htpasswd} (apache2-utils) writes, on a clock the tests move:
 * costs and prefixes, skipped lines, re-reading, remembered successes counted in bcrypt checks.
 */
class HtpasswdTest {

    /** Lines made once by {@code htpasswd -Bbn}: each is a process and a real bcrypt computation. */
    private static String alice4;
    private static String bob10;
    private static String carolDefault;
    private static String alice4Changed;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final Logger logger = (Logger) LoggerFactory.getLogger(Htpasswd.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Path file;

    @BeforeAll
    static void makeEntries() throws Exception {
        alice4 = htpasswd("alice", "wonderland", "-C", "4");
        bob10 = htpasswd("bob", "builder", "-C", "10");
        carolDefault = htpasswd("carol", "singing");
        alice4Changed = htpasswd("alice", "looking-glass", "-C", "4");
    }

    @BeforeEach
    void capture() {
        file = dir.resolve("htpasswd");
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    @Test
    void entriesOfCostFourTenAndHtpasswdsDefaultVerifyTheirPasswordsOnly() throws Exception {
        assertThat(alice4).startsWith("alice:$2y$04$");
        assertThat(bob10).startsWith("bob:$2y$10$");
        assertThat(carolDefault).startsWith("carol:$2y$05$");
        Htpasswd htpasswd = write(alice4, bob10, carolDefault);

        assertThat(htpasswd.users()).containsExactlyInAnyOrder("alice", "bob", "carol");
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.verify("bob", "builder")).isTrue();
        assertThat(htpasswd.verify("carol", "singing")).isTrue();
        assertThat(htpasswd.verify("alice", "Wonderland")).isFalse();
        assertThat(htpasswd.verify("bob", "wonderland")).isFalse();
        assertThat(htpasswd.verify("dave", "wonderland")).isFalse();
        assertThat(htpasswd.verify("Alice", "wonderland")).isFalse();
    }

    @Test
    void theTwoAAndTwoBPrefixesOfAnHtpasswdHashVerifyAsItsTwoY() throws Exception {
        // $2a$, $2b$ and $2y$ name the same computation for passwords of valid UTF-8; other tools write them.
        Htpasswd htpasswd = write(alice4.replace("$2y$", "$2a$").replace("alice:", "anna:"),
                alice4.replace("$2y$", "$2b$").replace("alice:", "bella:"));
        assertThat(htpasswd.verify("anna", "wonderland")).isTrue();
        assertThat(htpasswd.verify("bella", "wonderland")).isTrue();
        assertThat(htpasswd.verify("bella", "wonderlanD")).isFalse();
    }

    @Test
    void linesThatAreNotBcryptAreSkippedWithOneWarningEachAndTheOthersStillWork() throws Exception {
        String md5 = htpasswd("mallory", "x", "-m");
        String sha = htpasswd("sybil", "x", "-s");
        String crypt = htpasswd("trent", "x", "-d");
        Files.write(file, List.of(
                "# made by htpasswd",                          // 1
                "",                                            // 2
                md5,                                           // 3
                sha,                                           // 4
                crypt,                                         // 5
                "peggy:plain-text",                            // 6
                "a line without a colon",                      // 7
                "victor:$2y$04$short",                         // 8
                ":" + alice4.substring("alice:".length()),     // 9
                "walter:$2x$" + alice4.substring("alice:$2y$".length()), // 10
                "  " + alice4 + "\t ",                        // 11
                "x".repeat(5000)));                            // 12
        Files.write(file, new byte[] {'o', 's', 'c', 'a', 'r', ':', (byte) 0xC3, (byte) 0x28, '\n'}, StandardOpenOption.APPEND);
        Htpasswd htpasswd = Htpasswd.open(file, clock);

        assertThat(htpasswd.users()).containsExactly("alice");
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.verify("mallory", "x")).isFalse();
        assertThat(htpasswd.verify("peggy", "plain-text")).isFalse();
        List<String> warnings = warnings();
        assertThat(warnings).hasSize(10);
        assertThat(warnings.get(0)).contains("line 3 ").contains("user mallory").contains("MD5");
        assertThat(warnings.get(1)).contains("line 4 ").contains("user sybil").contains("SHA-1");
        assertThat(warnings.get(2)).contains("line 5 ").contains("user trent").contains("crypt");
        assertThat(warnings.get(3)).contains("line 6 ").contains("user peggy");
        assertThat(warnings.get(4)).contains("line 7 ").contains("not user:hash");
        assertThat(warnings.get(5)).contains("line 8 ").contains("user victor").contains("malformed bcrypt");
        assertThat(warnings.get(6)).contains("line 9 ").contains("user name is empty");
        assertThat(warnings.get(7)).contains("line 10 ").contains("user walter");
        assertThat(warnings.get(8)).contains("line 12 ").contains("longer than 4096 bytes");
        assertThat(warnings.get(9)).contains("line 13 ").contains("not UTF-8");
        for (String secret : List.of(md5, sha, crypt)) {
            String hash = secret.substring(secret.indexOf(':') + 1);
            assertThat(warnings).allSatisfy(w -> assertThat(w).doesNotContain(hash));
        }
        assertThat(warnings).allSatisfy(w -> assertThat(w).doesNotContain("plain-text").doesNotContain("without a colon"));
        assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.WARN).hasSize(10);
    }

    @Test
    void aUserOnTwoLinesHasTheLaterOneAsInDistribution() throws Exception {
        Htpasswd htpasswd = write(alice4, alice4Changed);
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue();
        assertThat(htpasswd.verify("alice", "wonderland")).isFalse();
        assertThat(warnings()).singleElement().asString().contains("line 2 repeats user alice");
    }

    @Test
    void nullEmptyHugeAndMalformedInputIsFalseWithoutAnException() throws Exception {
        Htpasswd htpasswd = write(alice4);
        assertThat(htpasswd.verify(null, "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice", null)).isFalse();
        assertThat(htpasswd.verify(null, null)).isFalse();
        assertThat(htpasswd.verify("", "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice", "")).isFalse();
        assertThat(htpasswd.verify("alice", "wonderland".repeat(200_000))).isFalse();
        assertThat(htpasswd.verify("alice".repeat(200_000), "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice", "wonder\uD800land")).isFalse();
        assertThat(htpasswd.verify("alice", "\uDC00")).isFalse();
        assertThat(htpasswd.verify("alice\u0000", "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice\n", "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice:wonderland", "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(warnings()).isEmpty();
    }

    @Test
    void passwordsLongerThan72BytesCountTheirFirst72AsApacheAndDistributionDo() throws Exception {
        String a71 = "a".repeat(71);
        // 80 ASCII bytes; 30 euro signs (90 bytes, 72 is a whole number of them); a smiley cut at byte 72.
        Htpasswd htpasswd = write(htpasswd("ascii", a71 + "b".repeat(9), "-C", "4"),
                htpasswd("euro", "€".repeat(30), "-C", "4"),
                htpasswd("smile", a71 + "😀", "-C", "4"));

        assertThat(htpasswd.verify("ascii", a71 + "b".repeat(9))).isTrue();
        assertThat(htpasswd.verify("ascii", a71 + "b" + "anything else")).isTrue();
        assertThat(htpasswd.verify("ascii", a71 + "c".repeat(9))).isFalse();
        assertThat(htpasswd.verify("ascii", a71)).isFalse();
        assertThat(htpasswd.verify("euro", "€".repeat(30))).isTrue();
        assertThat(htpasswd.verify("euro", "€".repeat(24) + "x")).isTrue();
        assertThat(htpasswd.verify("euro", "€".repeat(23) + "x")).isFalse();
        // 😀 and 😁 share their first UTF-8 byte, the 72nd of the password.
        assertThat(htpasswd.verify("smile", a71 + "😀")).isTrue();
        assertThat(htpasswd.verify("smile", a71 + "😁")).isTrue();
        assertThat(htpasswd.verify("smile", a71 + "é")).isFalse();
    }

    @Test
    void aRewrittenFileIsReadAgainOnceASecondOfTheClockHasPassed() throws Exception {
        Htpasswd htpasswd = write(alice4);
        rewrite(alice4Changed, bob10);

        assertThat(htpasswd.verify("alice", "looking-glass")).isFalse(); // not looked at within the second
        assertThat(htpasswd.users()).containsExactly("alice");
        clock.advance(Duration.ofMillis(999));
        assertThat(htpasswd.verify("alice", "looking-glass")).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue();
        assertThat(htpasswd.verify("alice", "wonderland")).isFalse();
        assertThat(htpasswd.users()).containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void aFileCaughtEmptyOrEndingInsideALineIsTakenOnlyWhenTheNextCheckFindsItUnchanged() throws Exception {
        // What a check sees between htpasswd's truncation of the file and its write, or in the middle of it.
        Htpasswd htpasswd = write(alice4);
        String cut = alice4Changed + System.lineSeparator() + bob10.substring(0, 20);
        Files.writeString(file, cut);
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue(); // unchanged for a second: taken as it is
        assertThat(htpasswd.verify("alice", "wonderland")).isFalse();

        rewrite();
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.users()).containsExactly("alice");
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.users()).isEmpty();
        assertThat(htpasswd.verify("alice", "looking-glass")).isFalse();
    }

    @Test
    void aRememberedSuccessSkipsBcryptForAMinuteWhileFailuresAreCheckedEveryTime() throws Exception {
        Htpasswd htpasswd = write(alice4);
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(1);
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(1);

        assertThat(htpasswd.verify("alice", "wrong")).isFalse();
        assertThat(htpasswd.verify("alice", "wrong")).isFalse();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(3);

        clock.advance(Duration.ofSeconds(59));
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(4);
    }

    @Test
    void anUnknownUserCostsABcryptCheckOfTheFilesCommonCostLikeAKnownOne() throws Exception {
        Htpasswd htpasswd = write(alice4, bob10, htpasswd("dora", "explorer", "-C", "10"));
        assertThat(htpasswd.verify("nobody", "wonderland")).isFalse();
        assertThat(htpasswd.verify("nobody", "wonderland")).isFalse();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(2);
        assertThat(Entries.parse(Files.readAllBytes(file), file).commonCost()).isEqualTo(10);
        assertThat(Entries.parse(new byte[0], file).commonCost()).isEqualTo(BcryptHash.HTPASSWD_DEFAULT_COST);
    }

    @Test
    void aChangedPasswordEndsItsRememberedSuccessAtOnce() throws Exception {
        Htpasswd htpasswd = write(alice4);
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        rewrite(alice4Changed);
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.verify("alice", "wonderland")).isFalse();
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue();

        rewrite(alice4); // and back: the success remembered before the change is not revived
        clock.advance(Htpasswd.RECHECK);
        long checks = htpasswd.bcryptChecks();
        assertThat(htpasswd.verify("alice", "looking-glass")).isFalse();
        assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        assertThat(htpasswd.bcryptChecks()).isEqualTo(checks + 2);
    }

    @Test
    void aVanishedFileKeepsTheLastContentWithOneWarningUntilItIsBack() throws Exception {
        Htpasswd htpasswd = write(alice4);
        Files.delete(file);
        for (int i = 0; i < 3; i++) {
            clock.advance(Htpasswd.RECHECK);
            assertThat(htpasswd.verify("alice", "wonderland")).isTrue();
        }
        assertThat(warnings()).singleElement().asString()
                .contains(file.toString()).contains("does not exist").contains("keeping the 1 users read before");

        Files.write(file, List.of(alice4Changed));
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue();
        Files.delete(file);
        clock.advance(Htpasswd.RECHECK);
        assertThat(htpasswd.verify("alice", "looking-glass")).isTrue();
        assertThat(warnings()).hasSize(2); // reported again: it had been readable in between
    }

    @Test
    void openNamesTheFileAndTheProblemWhenItIsMissingADirectoryOrTooLarge() throws Exception {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Htpasswd.open(missing, clock)).isInstanceOf(IOException.class)
                .hasMessage("htpasswd file " + missing + " does not exist");
        assertThatThrownBy(() -> Htpasswd.open(dir, clock)).isInstanceOf(IOException.class)
                .hasMessage("htpasswd file " + dir + " is not a regular file");
        try (RandomAccessFile huge = new RandomAccessFile(file.toFile(), "rw")) {
            huge.setLength(Htpasswd.MAX_FILE_BYTES + 1); // sparse: nothing is written
        }
        assertThatThrownBy(() -> Htpasswd.open(file, clock)).isInstanceOf(IOException.class)
                .hasMessage("htpasswd file " + file + " is larger than 16 MiB");
    }

    @Test
    void verifiesRacingAtomicReplacementsAllSeeOneWholeVersionOfTheFile() throws Exception {
        String alice4Again = htpasswd("alice", "wonderland", "-C", "4"); // same password, another salt
        Htpasswd htpasswd = write(alice4);
        AtomicBoolean done = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(4);
        List<Future<int[]>> verifiers = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 4; t++) {
                verifiers.add(threads.submit(() -> {
                    int[] passedOfTried = new int[2];
                    do {
                        passedOfTried[0] += htpasswd.verify("alice", "wonderland") ? 1 : 0;
                        passedOfTried[1]++;
                        started.countDown();
                    } while (!done.get());
                    return passedOfTried;
                }));
            }
            try {
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                for (int round = 0; round < 20; round++) {
                    Path next = dir.resolve("htpasswd.new");
                    Files.write(next, List.of(round % 2 == 0 ? alice4Again : alice4));
                    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    clock.advance(Htpasswd.RECHECK);
                }
            } finally {
                done.set(true); // the verifiers stop whatever happened here
            }
            for (Future<int[]> verifier : verifiers) {
                int[] passedOfTried = verifier.get(30, TimeUnit.SECONDS);
                assertThat(passedOfTried[0]).isEqualTo(passedOfTried[1]);
            }
        }
        assertThat(htpasswd.bcryptChecks()).as("a check after each re-read").isGreaterThan(1);
        assertThat(warnings()).isEmpty();
    }

    private Htpasswd write(String... entries) throws IOException {
        Files.write(file, List.of(entries));
        return Htpasswd.open(file, clock);
    }

    /** Replaces the file's content and moves its modification time on, as a later edit would. */
    private void rewrite(String... entries) throws IOException {
        FileTime before = Files.getLastModifiedTime(file);
        Files.write(file, List.of(entries));
        Files.setLastModifiedTime(file, FileTime.from(before.toInstant().plusSeconds(1)));
    }

    private List<String> warnings() {
        return lines.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
    }

    /**
     * One line as {@code htpasswd -nB [options] user} prints it (another hash kind with -m, -s or -d).
     * The password goes in on standard input as UTF-8: an argument would be encoded by the locale.
     */
    static String htpasswd(String user, String password, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("htpasswd", "-ni"));
        if (options.length == 0 || !options[0].matches("-[msdp]")) {
            command.add("-B");
        }
        command.addAll(List.of(options));
        command.add(user);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = process.getOutputStream()) {
            in.write(password.getBytes(UTF_8));
        }
        String out = new String(process.getInputStream().readAllBytes(), UTF_8).strip();
        assertThat(process.waitFor()).as("exit status of %s", command).isZero();
        assertThat(out).startsWith(user + ":");
        return out;
    }
}
