package io.berth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The composition root's closer: newest first, every step run, failures collected on the first. */
class CloserTest {

    private final List<String> closed = new ArrayList<>();

    private AutoCloseable step(String name) {
        return () -> closed.add(name);
    }

    private AutoCloseable failing(String name) {
        return () -> {
            closed.add(name);
            throw new IOException(name + " failed");
        };
    }

    @Test
    void closesInReverseOrderOfOpeningEvenPastFailuresAndThrowsTheFirstWithTheOthersSuppressed() {
        Closer closer = new Closer();
        closer.add(step("driver"));
        closer.add(failing("cache"));
        closer.add(null); // a component that is off
        closer.add(step("purger"));
        closer.add(failing("server"));

        assertThatThrownBy(closer::close).isInstanceOf(IOException.class).hasMessage("server failed")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("cache failed"));
        assertThat(closed).containsExactly("server", "purger", "cache", "driver");
    }

    @Test
    void closesOnceSoASecondCloseNeitherClosesAgainNorThrows() throws Exception {
        Closer closer = new Closer();
        closer.add(failing("driver"));
        assertThatThrownBy(closer::close).hasMessage("driver failed");
        assertThatCode(closer::close).doesNotThrowAnyException();
        assertThat(closed).containsExactly("driver");
    }

    @Test
    void afterAFailedStartEveryCloseFailureIsAttachedToTheCauseOfTheFailure() {
        Closer closer = new Closer();
        closer.add(failing("driver"));
        closer.add(step("cache"));
        closer.add(failing("server"));
        IllegalStateException cause = new IllegalStateException("port in use");

        assertThat(closer.closeAfter(cause)).isSameAs(cause);
        assertThat(cause.getSuppressed()).extracting(Throwable::getMessage).containsExactly("server failed", "driver failed");
        assertThat(closed).containsExactly("server", "cache", "driver");
    }

    @Test
    void anInterruptedCloseKeepsClosingTheRestAndLeavesTheThreadInterrupted() {
        Closer closer = new Closer();
        closer.add(step("driver"));
        closer.add(() -> {
            closed.add("executor");
            throw new InterruptedException("interrupted while waiting");
        });
        try {
            assertThatThrownBy(closer::close).isInstanceOf(InterruptedException.class);
            assertThat(closed).containsExactly("executor", "driver");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
