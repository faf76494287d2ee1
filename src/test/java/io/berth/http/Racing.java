package io.berth.http;

import java.net.http.HttpResponse;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Lets two requests loose at the same instant, from threads of its own, and hands back both answers. */
final class Racing implements AutoCloseable {

    /** One request of a race. */
    interface Request {
        HttpResponse<byte[]> send() throws Exception;
    }

    /** The answers to the two requests of one race. */
    record Pair(HttpResponse<byte[]> first, HttpResponse<byte[]> second) {}

    private final ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();

    Pair together(Request first, Request second) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Future<HttpResponse<byte[]>> a = pool.submit(() -> {
            start.await();
            return first.send();
        });
        Future<HttpResponse<byte[]>> b = pool.submit(() -> {
            start.await();
            return second.send();
        });
        return new Pair(a.get(), b.get());
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
