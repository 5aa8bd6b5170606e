package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** URLs normalised as the WHATWG parser (new URL(href).href) does in the common cases. */
class UrlsTest {

    @ParameterizedTest
    @CsvSource({
        "https://example.com/path?q=1, https://example.com/path?q=1",
        "HTTPS://Example.COM/a/../b, https://example.com/b",
        "http://example.com, http://example.com/",
        "http://example.com:80/x, http://example.com/x",
        "https://example.com:8443/x, https://example.com:8443/x",
        "ws://h/a/./b/../../c, ws://h/c",
        "http://user:pw@Host.example/p#frag, http://user:pw@host.example/p#frag",
        "mailto:Someone@Example.com, mailto:Someone@Example.com",
        "custom://Host/a/../b, custom://host/b",
    })
    void normalises(String input, String expected) {
        assertThat(Urls.parse(input).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "relative/path", "/absolute/path", "http://exa mple.com/", "::"})
    void refusesWhatIsNotAnAbsoluteUrl(String input) {
        assertThatThrownBy(() -> Urls.parse(input)).hasMessageStartingWith("Invalid URL");
    }
}
