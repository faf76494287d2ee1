package io.berth.storage.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.berth.registry.Descriptor;
import io.berth.registry.Digest;
import io.berth.registry.RegistryException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Descriptors in Redis, shared by every Berth process that uses the same Redis, in Distribution's
 * key layout so that a Redis shared with Distribution reads the same:
 * <ul>
 *   <li>{@code blobs::<digest>}: a hash with {@code digest}, {@code size}, {@code mediatype} (global);
 *   <li>{@code repository::<name>::blobs}: the set of digests the repository links as layers, and
 *       {@code repository::<name>::blobs::<digest>} a hash with the repository's {@code mediatype};
 *   <li>{@code repository::<name>::manifests} and {@code repository::<name>::manifests::<digest>}:
 *       the same for manifest revisions (Berth's own: Distribution keeps both kinds in one set);
 *   <li>{@code berth::blobdescriptor::epoch}: advanced by every clear (see {@link BlobDescriptorService}).
 * </ul>
 * A repository entry counts only with its set membership, the global hash and the repository hash
 * all present, as Distribution reads it; each operation is one Lua script, so it is atomic.
 *
 * <p>Redis never fails a request: commands time out after the read timeout, commands are refused
 * rather than queued while disconnected, and after a failure Redis is left alone for a second. A
 * clear that could not reach Redis is kept and replayed before the cache is read again, so a delete
 * made while Redis was away is not undone by an entry that survived it.
 */
public final class RedisBlobDescriptorService implements BlobDescriptorService {

    private static final Logger log = LoggerFactory.getLogger(RedisBlobDescriptorService.class);

    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(200);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    static final String EPOCH_KEY = "berth::blobdescriptor::epoch";
    /** Clears kept while Redis is away; past this many, the whole cache is flushed when it returns. */
    static final int MAX_PENDING_CLEARS = 100_000;

    private static final Script STAT_LINKED = new Script("""
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
              local g = redis.call('HMGET', KEYS[2], 'digest', 'size')
              local m = redis.call('HGET', KEYS[3], 'mediatype')
              if g[1] and g[2] and m then
                return {'hit', g[1], g[2], m}
              end
            end
            return {'miss', redis.call('GET', KEYS[4]) or '0'}
            """);
    private static final Script STAT_GLOBAL = new Script("""
            local g = redis.call('HMGET', KEYS[1], 'digest', 'size', 'mediatype')
            if g[1] and g[2] then
              return {'hit', g[1], g[2], g[3] or ''}
            end
            return {'miss', redis.call('GET', KEYS[2]) or '0'}
            """);
    private static final Script SET_LINKED = new Script("""
            if (redis.call('GET', KEYS[4]) or '0') ~= ARGV[4] then
              return 0
            end
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[2], 'digest', ARGV[1], 'size', ARGV[2])
            redis.call('HSETNX', KEYS[2], 'mediatype', ARGV[3])
            redis.call('HSET', KEYS[3], 'mediatype', ARGV[3])
            return 1
            """);
    private static final Script SET_GLOBAL = new Script("""
            if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[4] then
              return 0
            end
            redis.call('HSET', KEYS[1], 'digest', ARGV[1], 'size', ARGV[2])
            redis.call('HSETNX', KEYS[1], 'mediatype', ARGV[3])
            return 1
            """);
    private static final Script CLEAR_LINKED = new Script("""
            redis.call('INCR', KEYS[4])
            redis.call('SREM', KEYS[1], ARGV[1])
            redis.call('DEL', KEYS[3])
            redis.call('HDEL', KEYS[2], 'digest', 'size', 'mediatype')
            return 1
            """);
    private static final Script CLEAR_GLOBAL = new Script("""
            redis.call('INCR', KEYS[2])
            redis.call('HDEL', KEYS[1], 'digest', 'size', 'mediatype')
            return 1
            """);

    /** A Lua script with its SHA-1, sent by hash and, when Redis does not know it yet (a restart), in full. */
    private record Script(String text, String sha) {
        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record PendingClear(Scope scope, Digest digest) {}

    private final RedisSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final long retryAfterNanos;
    /** Time for the pause after a failure, in nanoseconds; injected so that tests move it instead of waiting. */
    private final Ticker ticker;
    private volatile StatefulRedisConnection<String, String> connection;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile long pausedUntil;
    private final Set<PendingClear> pending = ConcurrentHashMap.newKeySet();
    /** Clears lost because {@link #pending} was full: the next recovery flushes everything. */
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicBoolean recovering = new AtomicBoolean();

    /** Connects to Redis; when it cannot, starts anyway (the cache is bypassed) and keeps trying on use. */
    public RedisBlobDescriptorService(RedisSettings settings, Ticker ticker) {
        this(settings, DEFAULT_RETRY_AFTER, ticker);
    }

    /** As above, with how long (on {@code ticker}) Redis is left alone after a failure. */
    public RedisBlobDescriptorService(RedisSettings settings, Duration retryAfter, Ticker ticker) {
        this.settings = settings;
        this.retryAfterNanos = retryAfter.toNanos();
        this.ticker = ticker;
        this.pausedUntil = ticker.read();
        Duration commandTimeout = positive(settings.readTimeout(), DEFAULT_COMMAND_TIMEOUT);
        Duration connectTimeout = positive(settings.dialTimeout(), DEFAULT_CONNECT_TIMEOUT);
        this.uri = uri(settings, commandTimeout);
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                // Back within about two seconds of Redis returning, not Lettuce's default of up to 30.
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // A request must never wait for a connection that is not there.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                .build());
        try {
            connection = client.connect(StringCodec.UTF8, uri);
            log.info("descriptor cache on redis at {} (db {})", settings.addr(), settings.db());
        } catch (RuntimeException e) {
            log.warn("descriptor cache: cannot reach redis at {} ({}); serving from storage until it answers",
                    settings.addr(), e.getMessage());
            pause();
        }
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Lookup stat(Scope scope, Digest digest) {
        RedisCommands<String, String> redis = readable();
        List<Object> reply = run(() -> evaluate(redis, scope instanceof Scope.Linked ? STAT_LINKED : STAT_GLOBAL,
                ScriptOutputType.MULTI, keys(scope, digest), digest.toString()));
        if (reply.size() >= 2 && "miss".equals(reply.get(0))) {
            return new Lookup.Miss(epochOf(reply.get(1)));
        }
        if (reply.size() == 4 && "hit".equals(reply.get(0))) {
            Descriptor descriptor = descriptor(digest, reply.get(1), reply.get(2), reply.get(3));
            if (descriptor != null) {
                return new Lookup.Hit(descriptor);
            }
            // An entry Berth would not have written (another digest, a bad size): not one to trust.
            return new Lookup.Miss(CachedBlobStatter.NO_FILL);
        }
        throw new CacheException("unexpected reply from redis: " + reply);
    }

    @Override
    public long epoch() {
        RedisCommands<String, String> redis = readable();
        return epochOf(run(() -> redis.get(EPOCH_KEY)));
    }

    @Override
    public void set(Scope scope, Digest digest, Descriptor descriptor, long epoch) {
        RedisCommands<String, String> redis = readable();
        run(() -> evaluate(redis, scope instanceof Scope.Linked ? SET_LINKED : SET_GLOBAL, ScriptOutputType.INTEGER,
                keys(scope, digest), digest.toString(), Long.toString(descriptor.size()), descriptor.mediaType(),
                Long.toString(epoch)));
    }

    @Override
    public void clear(Scope scope, Digest digest) {
        PendingClear clear = new PendingClear(scope, digest);
        StatefulRedisConnection<String, String> current = connection;
        if (current == null || paused()) {
            keep(clear);
            throw new CacheException("redis unavailable; the invalidation of " + digest + " waits for it");
        }
        try {
            run(() -> replay(current.sync(), clear));
        } catch (CacheException e) {
            keep(clear);
            throw e;
        }
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> current = connection;
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Clears kept for replay, for tests. */
    int pendingClears() {
        return pending.size();
    }

    /** The connection, when Redis may be read: connected, not resting after a failure, no clears owed. */
    private RedisCommands<String, String> readable() {
        if (paused()) {
            throw new CacheException("redis failed less than " + Duration.ofNanos(retryAfterNanos).toMillis() + " ms ago");
        }
        StatefulRedisConnection<String, String> current = connection;
        if (current == null) {
            reconnect();
            throw new CacheException("not connected to redis at " + settings.addr());
        }
        if (!pending.isEmpty() || overflows.get() > 0) {
            recover(current);
            throw new CacheException("redis is back; replaying " + pending.size() + " invalidations first");
        }
        return current.sync();
    }

    private boolean paused() {
        return ticker.read() - pausedUntil < 0;
    }

    private void pause() {
        pausedUntil = ticker.read() + retryAfterNanos;
    }

    private <T> T run(Supplier<T> command) {
        try {
            return command.get();
        } catch (CacheException e) {
            pause();
            throw e;
        } catch (RuntimeException e) {
            // Lettuce's timeouts, refusals while disconnected, server errors: all mean "use storage".
            pause();
            throw new CacheException(e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static <T> T evaluate(RedisCommands<String, String> redis, Script script, ScriptOutputType type, String[] keys,
            String... args) {
        try {
            return redis.evalsha(script.sha(), type, keys, args);
        } catch (RedisNoScriptException e) {
            return redis.eval(script.text(), type, keys, args);
        }
    }

    private Long replay(RedisCommands<String, String> redis, PendingClear clear) {
        return evaluate(redis, clear.scope() instanceof Scope.Linked ? CLEAR_LINKED : CLEAR_GLOBAL,
                ScriptOutputType.INTEGER, keys(clear.scope(), clear.digest()), clear.digest().toString());
    }

    private void keep(PendingClear clear) {
        if (pending.size() < MAX_PENDING_CLEARS) {
            pending.add(clear);
        } else {
            overflows.incrementAndGet();
        }
    }

    /** Replays the clears owed to Redis, or flushes it when too many were lost, off the request's thread. */
    private void recover(StatefulRedisConnection<String, String> current) {
        if (!recovering.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("redis-cache-recovery").start(() -> {
            try {
                RedisCommands<String, String> redis = current.sync();
                long lost = overflows.get();
                if (lost > 0) {
                    List<PendingClear> covered = List.copyOf(pending);
                    run(() -> flush(redis));
                    overflows.addAndGet(-lost);
                    covered.forEach(pending::remove);
                    log.warn("descriptor cache: {} invalidations were lost while redis was away; flushed its entries", lost);
                }
                int replayed = 0;
                for (PendingClear clear : List.copyOf(pending)) {
                    run(() -> replay(redis, clear));
                    pending.remove(clear);
                    replayed++;
                }
                if (replayed > 0) {
                    log.info("descriptor cache: replayed {} invalidations made while redis was away", replayed);
                }
            } catch (CacheException e) {
                // Still away: the next read tries again once the pause is over.
            } finally {
                recovering.set(false);
            }
        });
    }

    /** Removes every descriptor entry (Distribution's and Berth's), then advances the epoch. */
    private static Long flush(RedisCommands<String, String> redis) {
        for (String pattern : List.of("blobs::*", "repository::*")) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
                if (!page.getKeys().isEmpty()) {
                    redis.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        }
        return redis.incr(EPOCH_KEY);
    }

    private void reconnect() {
        if (!connecting.compareAndSet(false, true)) {
            return;
        }
        pause();
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((opened, failure) -> {
            if (opened != null) {
                connection = opened;
                log.info("descriptor cache: connected to redis at {}", settings.addr());
            }
            connecting.set(false);
        });
    }

    private static String[] keys(Scope scope, Digest digest) {
        String global = "blobs::" + digest;
        return switch (scope) {
            case Scope.Global g -> new String[] {global, EPOCH_KEY};
            case Scope.Linked linked -> {
                String set = "repository::" + linked.repository().value() + switch (linked.links()) {
                    case LAYERS -> "::blobs";
                    case MANIFESTS -> "::manifests";
                };
                yield new String[] {set, global, set + "::" + digest, EPOCH_KEY};
            }
        };
    }

    private static Descriptor descriptor(Digest digest, Object storedDigest, Object size, Object mediaType) {
        try {
            if (!digest.toString().equals(storedDigest)) {
                return null;
            }
            return new Descriptor(digest, Long.parseLong(String.valueOf(size)), mediaType == null ? null : String.valueOf(mediaType));
        } catch (NumberFormatException | RegistryException e) {
            return null;
        }
    }

    private static long epochOf(Object value) {
        try {
            return value == null ? 0 : Long.parseLong(String.valueOf(value));
        } catch (NumberFormatException e) {
            throw new CacheException("the epoch in redis is not a number: " + value);
        }
    }

    /** Where {@code settings} point, with a command timeout; also used by garbage collection's lease. */
    public static RedisURI uri(RedisSettings settings, Duration timeout) {
        String addr = settings.addr() == null || settings.addr().isBlank() ? "localhost:6379" : settings.addr().trim();
        int colon = addr.lastIndexOf(':');
        String host = addr;
        int port = 6379;
        if (colon > 0 && addr.indexOf(']') < colon) {
            host = addr.substring(0, colon);
            port = Integer.parseInt(addr.substring(colon + 1));
        }
        host = host.replace("[", "").replace("]", "");
        RedisURI.Builder builder = RedisURI.Builder.redis(host, port)
                .withDatabase(settings.db())
                .withSsl(settings.tls())
                // The synchronous API waits this long for each command, then cancels it: a
                // per-command timer (TimeoutOptions) would only add a second one, at a cost per command.
                .withTimeout(timeout)
                .withClientName("berth");
        if (settings.password() != null && !settings.password().isEmpty()) {
            if (settings.username() != null && !settings.username().isEmpty()) {
                builder.withAuthentication(settings.username(), settings.password());
            } else {
                builder.withPassword(settings.password());
            }
        }
        return builder.build();
    }

    private static Duration positive(Duration value, Duration fallback) {
        return value == null || value.isZero() || value.isNegative() ? fallback : value;
    }
}
