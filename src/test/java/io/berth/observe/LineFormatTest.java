package io.berth.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** The logging context (MDC) of an event in both line formats: printed, and never twice beside the event's own pairs. */
class LineFormatTest {

    private static final LoggerContext CONTEXT = new LoggerContext();

    private static LoggingEvent event(Map<String, String> context, KeyValuePair... pairs) {
        LoggingEvent event = new LoggingEvent(LineFormatTest.class.getName(), CONTEXT.getLogger("io.berth.storage.cache.DescriptorCache"),
                Level.WARN, "descriptor cache unavailable", null, null);
        event.setMDCPropertyMap(context);
        for (KeyValuePair pair : pairs) {
            event.addKeyValuePair(pair);
        }
        return event;
    }

    private static String line(String formatter, LoggingEvent event) {
        return new String(LineFormat.of(formatter, Map.of("service", "registry")).encode(event), StandardCharsets.UTF_8);
    }

    private static Map<String, String> request() {
        Map<String, String> context = new LinkedHashMap<>();
        context.put("request_id", "0123abcd");
        context.put("route", "blob");
        return context;
    }

    @Test
    void textLinesEndWithTheContextsPairsBeforeTheConfiguredFields() {
        assertThat(line("text", event(request())))
                .endsWith(" WARN  DescriptorCache - descriptor cache unavailable request_id=0123abcd route=blob service=registry\n");
    }

    @Test
    void jsonLinesHaveTheContextsPairsAsTopLevelKeys() {
        assertThat(line("json", event(request())))
                .endsWith(",\"msg\":\"descriptor cache unavailable\",\"request_id\":\"0123abcd\",\"route\":\"blob\",\"service\":\"registry\"}\n");
    }

    @Test
    void aPairOfTheEventWinsOverTheContextEntryOfTheSameName() {
        LoggingEvent event = event(request(), new KeyValuePair("route", "manifest"), new KeyValuePair("status", 500));
        assertThat(line("text", event)).contains(" route=manifest status=500 request_id=0123abcd service=registry")
                .doesNotContain("route=blob");
        assertThat(line("json", event)).contains("\"route\":\"manifest\",\"status\":500,\"request_id\":\"0123abcd\",\"service\"")
                .doesNotContain("\"blob\"");
    }

    @Test
    void anEmptyContextAddsNothing() {
        assertThat(line("text", event(Map.of()))).endsWith("DescriptorCache - descriptor cache unavailable service=registry\n");
    }
}
