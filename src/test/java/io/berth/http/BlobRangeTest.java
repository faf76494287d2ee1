package io.berth.http;

import static io.berth.testing.TestRegistry.errorCode;

import io.berth.registry.Digest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * Range requests on blobs, as a table: a range starting at or past the end is 416 with
 * {@code Content-Range: bytes *&#47;<size>} and RANGE_INVALID, suffix ranges and an empty blob follow
 * RFC 9110, and satisfiable ranges are 206 with the exact bytes.
 */
class BlobRangeTest extends RegistryTestBase {

    private static final int SIZE = 1000;

    /** A Range header and what it must get: a status, and for 206 the first and last byte served. */
    private record Case(String range, int status, long first, long last) {
        static Case unsatisfiable(String range) {
            return new Case(range, 416, -1, -1);
        }

        static Case whole(String range) {
            return new Case(range, 200, -1, -1);
        }

        static Case part(String range, long first, long last) {
            return new Case(range, 206, first, last);
        }
    }

    @Test
    void rangesOfABlobGetTheStatusAndBytesRfc9110Prescribes() throws Exception {
        byte[] content = new byte[SIZE];
        new Random(9).nextBytes(content);
        Digest digest = registry.push("range/app", content);
        check(digest, content, List.of(
                Case.unsatisfiable("bytes=1000-"),
                Case.unsatisfiable("bytes=1000-1000"),
                Case.unsatisfiable("bytes=1500-2000"),
                Case.unsatisfiable("bytes=-0"),
                Case.part("bytes=999-", 999, 999),
                Case.part("bytes=0-0", 0, 0),
                Case.part("bytes=0-999", 0, 999),
                Case.part("bytes=10-5000", 10, 999),
                Case.part("bytes=-1", 999, 999),
                Case.part("bytes=-1000", 0, 999),
                Case.part("bytes=-5000", 0, 999),
                Case.whole("bytes=5-3"),
                Case.whole("bytes=0-1,5-6"),
                Case.whole("items=0-1")));
    }

    @Test
    void anEmptyBlobHasNoSatisfiableRangeButANonZeroSuffixServesItWhole() throws Exception {
        Digest digest = registry.push("range/app", new byte[0]);
        check(digest, new byte[0], List.of(
                Case.unsatisfiable("bytes=0-"),
                Case.unsatisfiable("bytes=0-0"),
                Case.unsatisfiable("bytes=-0"),
                Case.whole("bytes=-1")));
    }

    private void check(Digest digest, byte[] content, List<Case> cases) throws Exception {
        String blob = "/v2/range/app/blobs/" + digest;
        SoftAssertions softly = new SoftAssertions();
        for (Case c : cases) {
            for (String method : List.of("GET", "HEAD")) {
                HttpResponse<byte[]> response = registry.send(method, blob, null, "Range", c.range());
                String what = method + " " + c.range();
                softly.assertThat(response.statusCode()).as(what).isEqualTo(c.status());
                switch (c.status()) {
                    case 416 -> {
                        softly.assertThat(response.headers().firstValue("Content-Range")).as(what).hasValue("bytes */" + content.length);
                        if (method.equals("GET") && response.statusCode() == 416) {
                            softly.assertThat(errorCode(response)).as(what).isEqualTo("RANGE_INVALID");
                        }
                    }
                    case 206 -> {
                        softly.assertThat(response.headers().firstValue("Content-Range")).as(what)
                                .hasValue("bytes " + c.first() + "-" + c.last() + "/" + content.length);
                        softly.assertThat(response.headers().firstValue("Content-Length")).as(what).hasValue(String.valueOf(c.last() - c.first() + 1));
                        if (method.equals("GET")) {
                            softly.assertThat(response.body()).as(what).isEqualTo(Arrays.copyOfRange(content, (int) c.first(), (int) c.last() + 1));
                        }
                    }
                    default -> {
                        softly.assertThat(response.headers().firstValue("Content-Range")).as(what).isEmpty();
                        softly.assertThat(response.headers().firstValue("Content-Length")).as(what).hasValue(String.valueOf(content.length));
                        if (method.equals("GET")) {
                            softly.assertThat(response.body()).as(what).isEqualTo(content);
                        }
                    }
                }
            }
        }
        softly.assertAll();
    }
}
