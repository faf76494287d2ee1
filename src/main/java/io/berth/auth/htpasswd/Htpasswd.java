package io.berth.auth.htpasswd;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An htpasswd file of bcrypt entries, re-read when it changes; verifications are remembered briefly.
 *
 * <p>At most once a second of the clock, {@link #verify} stats the file (modification time, size,
 * file key) and re-reads it when that changed; a file that vanished or became unreadable keeps the
 * last good content, with one warning until it is readable again. {@code htpasswd} rewrites the file
 * in place, so a check may catch it half written: content that changed while it was read is not
 * taken, and content that is empty or ends inside a line is taken only when the next check finds it
 * unchanged (until then the previous version serves). A success is remembered for a
 * minute as an HMAC of user and password under a random key of this instance (never the password),
 * so a client that signs in on every request pays bcrypt once a minute; failures are not remembered,
 * and a re-read forgets every success, so a changed password takes effect at once. An unknown user
 * costs a bcrypt check against a dummy hash of the file's most common cost, so that user names cannot
 * be told from timing.
 */
public final class Htpasswd {

    private static final Logger log = LoggerFactory.getLogger(Htpasswd.class);

    static final long MAX_FILE_BYTES = 16L << 20;
    static final Duration RECHECK = Duration.ofSeconds(1);
    static final Duration REMEMBER = Duration.ofMinutes(1);
    static final int REMEMBERED_MAX = 10_000;

    private final Path file;
    private final Clock clock;
    /** Keyed once and cloned per check: Mac.getInstance and init cost more than the HMAC of a short pair. */
    private final Mac proofPrototype;
    private final ReentrantLock reloading = new ReentrantLock();
    private final AtomicLong bcryptChecks = new AtomicLong();
    private volatile Snapshot current;
    private volatile long nextCheckMillis;
    /** Guarded by {@link #reloading}: whether the file's failure to read has been reported. */
    private boolean reportedUnreadable;
    /** Guarded by {@link #reloading}: a version that looked cut short, taken if the next check sees it again. */
    private Stamp unsettled;

    /** What the file held at one reading, and the successes remembered against exactly that content. */
    private record Snapshot(Stamp stamp, Entries entries, BcryptHash dummy, Cache<String, Boolean> remembered) {}

    /** What tells one version of the file from another without reading it. */
    private record Stamp(FileTime modified, long size, Object fileKey) {}

    private Htpasswd(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            this.proofPrototype = Mac.getInstance("HmacSHA256");
            proofPrototype.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }

    /** Reads the file now: IOException (message names the path and the problem) when it is missing or unreadable. */
    public static Htpasswd open(Path file, Clock clock) throws IOException {
        Htpasswd htpasswd = new Htpasswd(Objects.requireNonNull(file), Objects.requireNonNull(clock));
        Stamp stamp = htpasswd.stat();
        htpasswd.current = htpasswd.parsed(stamp, htpasswd.read());
        htpasswd.nextCheckMillis = clock.millis() + RECHECK.toMillis();
        log.info("htpasswd file {}: {} users", file, htpasswd.current.entries().users().size());
        return htpasswd;
    }

    /** True when the user exists and the password matches. Never throws for any input (null, empty, huge, non-UTF-8 garbage: false). */
    public boolean verify(String user, String password) {
        try {
            if (user == null || password == null || password.isEmpty() || !Entries.validUser(user)) {
                return false; // no entry can match: nothing to spend time on
            }
            byte[] key = BcryptHash.key(password);
            if (key == null) {
                return false;
            }
            Snapshot snapshot = snapshot();
            String proof = proof(user, password);
            if (snapshot.remembered().getIfPresent(proof) != null) {
                return true;
            }
            BcryptHash hash = snapshot.entries().users().get(user);
            bcryptChecks.incrementAndGet();
            boolean matches = (hash == null ? snapshot.dummy() : hash).matches(key) && hash != null;
            if (matches) {
                snapshot.remembered().put(proof, Boolean.TRUE);
            }
            return matches;
        } catch (RuntimeException e) {
            log.warn("htpasswd check of user failed: {}", e.toString());
            return false;
        }
    }

    /** The users currently in the file (for tests and `config check`). */
    public Set<String> users() {
        return snapshot().entries().users().keySet();
    }

    /** How many bcrypt computations {@link #verify} has run (remembered successes run none). */
    long bcryptChecks() {
        return bcryptChecks.get();
    }

    /** The current content, after re-reading the file when a second has passed and it changed. */
    private Snapshot snapshot() {
        long now = clock.millis();
        if (due(now) && reloading.tryLock()) {
            try {
                if (due(now)) { // not checked by another thread since this one looked
                    nextCheckMillis = now + RECHECK.toMillis();
                    refresh();
                }
            } finally {
                reloading.unlock();
            }
        }
        return current;
    }

    private boolean due(long now) {
        long next = nextCheckMillis;
        // A clock set back by more than the interval checks at once instead of waiting for it to catch up.
        return now >= next || now < next - RECHECK.toMillis();
    }

    private void refresh() {
        try {
            Stamp stamp = stat();
            if (stamp.equals(current.stamp())) {
                reportedUnreadable = false;
                return;
            }
            byte[] content = read();
            reportedUnreadable = false;
            if (!stat().equals(stamp)) {
                return; // being written: the old version serves, and a later check reads the new one
            }
            boolean cutShort = content.length == 0 || content[content.length - 1] != '\n';
            if (cutShort && !stamp.equals(unsettled)) {
                unsettled = stamp; // maybe between htpasswd's truncation and its write
                return;
            }
            unsettled = null;
            current = parsed(stamp, content);
            log.info("htpasswd file {} changed: {} users now", file, current.entries().users().size());
        } catch (IOException e) {
            if (!reportedUnreadable) {
                reportedUnreadable = true;
                log.warn("{}; keeping the {} users read before", e.getMessage(), current.entries().users().size());
            }
        }
    }

    private Stamp stat() throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw named(e);
        }
        if (!attributes.isRegularFile()) {
            throw new IOException("htpasswd file " + file + " is not a regular file");
        }
        return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
    }

    /** The whole file, at most {@link #MAX_FILE_BYTES}. */
    private byte[] read() throws IOException {
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes((int) MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            throw named(e);
        }
        if (content.length > MAX_FILE_BYTES) {
            throw new IOException("htpasswd file " + file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MiB");
        }
        return content;
    }

    /** The parsed content of the version {@code stamp} names, with no success remembered yet. */
    private Snapshot parsed(Stamp stamp, byte[] content) {
        Entries entries = Entries.parse(content, file);
        Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
        Cache<String, Boolean> remembered = Caffeine.newBuilder()
                .maximumSize(REMEMBERED_MAX)
                .expireAfterWrite(REMEMBER)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
        return new Snapshot(stamp, entries, BcryptHash.dummy(entries.commonCost()), remembered);
    }

    /** An IOException whose message names the file and says what is wrong in words. */
    private IOException named(IOException e) {
        String problem = switch (e) {
            case NoSuchFileException missing -> "does not exist";
            case AccessDeniedException denied -> "cannot be read: permission denied";
            default -> "cannot be read: " + e.getMessage();
        };
        return new IOException("htpasswd file " + file + " " + problem, e);
    }

    /** The keyed proof that this pair was checked: equal pairs give equal proofs, nothing gives the password back. */
    private String proof(String user, String password) {
        Mac mac;
        try {
            mac = (Mac) proofPrototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
        }
        mac.update(user.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0); // user names hold no control characters, so the split is unambiguous
        return Base64.getEncoder().encodeToString(mac.doFinal(password.getBytes(StandardCharsets.UTF_8)));
    }
}
