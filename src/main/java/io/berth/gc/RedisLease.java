package io.berth.gc;

import io.berth.storage.cache.RedisBlobDescriptorService;
import io.berth.storage.cache.RedisSettings;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.time.Duration;

/**
 * The lease as a Redis key with an expiry ({@code berth::gc::lease}, holding the owner), taken with
 * {@code SET NX PX}: Redis grants it to one owner at a time whatever the replicas' clocks say. Renewal
 * and release act only while the key still names this owner (one script each, so atomic). It
 * guarantees one collector as long as a holder renews before the expiry; a holder paused past it
 * learns so at its next renewal.
 */
public final class RedisLease implements Lease {

    static final String KEY = "berth::gc::lease";
    private static final String RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";
    private static final String RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then "
            + "return redis.call('DEL', KEYS[1]) else return 0 end";

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final String owner;
    private final Duration ttl;

    /** Connects to the Redis of {@code settings}; a Redis that cannot be reached now is an error. */
    public RedisLease(RedisSettings settings, String owner, Duration ttl) throws IOException {
        this.owner = owner;
        this.ttl = ttl;
        this.client = RedisClient.create();
        try {
            this.connection = client.connect(StringCodec.UTF8, RedisBlobDescriptorService.uri(settings, Duration.ofSeconds(2)));
        } catch (RedisException e) {
            client.shutdown();
            throw new IOException("gc lease: cannot reach redis at " + settings.addr() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean acquire() throws IOException {
        try {
            return "OK".equals(connection.sync().set(KEY, owner, SetArgs.Builder.nx().px(ttl.toMillis())))
                    || renew();
        } catch (RedisException e) {
            throw new IOException("gc lease: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean renew() throws IOException {
        return script(RENEW, String.valueOf(ttl.toMillis()));
    }

    @Override
    public void release() throws IOException {
        script(RELEASE);
    }

    private boolean script(String script, String... more) throws IOException {
        String[] args = new String[more.length + 1];
        args[0] = owner;
        System.arraycopy(more, 0, args, 1, more.length);
        try {
            Long done = connection.sync().eval(script, ScriptOutputType.INTEGER, new String[] {KEY}, args);
            return done != null && done == 1;
        } catch (RedisException e) {
            throw new IOException("gc lease: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
