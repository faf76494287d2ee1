package io.berth;

import io.berth.config.Config;
import io.berth.http.Limits;
import io.berth.http.tls.TlsSettings;
import io.berth.observe.Logging;
import io.berth.storage.cache.RedisSettings;
import io.berth.storage.driver.s3.PartBufferSettings;
import io.berth.storage.driver.s3.S3Settings;
import java.time.Duration;

/**
 * Maps the configuration's records to each layer's own settings, so that storage, http and observe
 * never depend on the config package: only the composition root knows both.
 */
final class LayerSettings {

    private LayerSettings() {}

    static S3Settings s3(Config.S3 s3) {
        return new S3Settings(s3.region(), s3.regionEndpoint(), s3.bucket(), s3.rootDirectory(), s3.accessKey(),
                s3.secretKey(), s3.forcePathStyle(), s3.encrypt(), s3.chunkSize(), s3.multipartCopyChunkSize(),
                s3.multipartCopyMaxConcurrency(), s3.multipartCopyThresholdSize(), s3.secure(), s3.skipVerify(),
                s3.storageClass());
    }

    static PartBufferSettings partBuffers(Config.S3PartBuffers buffers) {
        return new PartBufferSettings(buffers.memory(), buffers.spillDirectory(), buffers.spillSize(), buffers.maxWait());
    }

    /** Berth multiplexes one connection, so the pool and write-timeout fields stay unset. */
    static RedisSettings redis(Config.Redis redis) {
        return new RedisSettings(redis.addr(), redis.username(), redis.password(), redis.db(), redis.dialTimeout(),
                redis.readTimeout(), Duration.ZERO, 0, 0, Duration.ZERO, redis.tls());
    }

    static Limits limits(Config.Limits limits) {
        return new Limits(limits.connections(), limits.headerTimeout(), limits.minBodyRate(), limits.idleTimeout(),
                limits.uploads(), limits.uploadsPerRepository(), limits.minResponseRate());
    }

    /** Null (plain HTTP) for null. */
    static TlsSettings tls(Config.Tls tls) {
        return tls == null ? null : new TlsSettings(tls.certificate(), tls.key(), tls.clientCas(), tls.minimumTls());
    }

    static Logging.Settings logging(Config.Log log) {
        return new Logging.Settings(log.level(), log.formatter(), log.fields());
    }
}
