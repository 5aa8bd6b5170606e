package capnweb.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LongMapTest {

    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        Random random = new Random(42);
        LongMap<String> map = new LongMap<>();
        Map<Long, String> expected = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            // Ids near zero on both sides, as sessions use them, collide and wrap in the table.
            long key = random.nextInt(400) - 200;
            switch (random.nextInt(3)) {
                case 0:
                    map.put(key, "v" + step);
                    expected.put(key, "v" + step);
                    break;
                case 1:
                    assertThat(map.remove(key)).isEqualTo(expected.remove(key));
                    break;
                default:
                    assertThat(map.get(key)).isEqualTo(expected.get(key));
                    assertThat(map.containsKey(key)).isEqualTo(expected.containsKey(key));
            }
            assertThat(map.size()).isEqualTo(expected.size());
        }
        assertThat(map.values()).containsExactlyInAnyOrderElementsOf(expected.values());
        for (long key = -200; key < 200; key++) {
            assertThat(map.get(key)).isEqualTo(expected.get(key));
        }
    }

    @Test
    void growsAndKeepsEveryEntryThroughLongRunsOfRemovals() {
        LongMap<Long> map = new LongMap<>();
        for (long id = 1; id <= 10_000; id++) {
            map.put(id, id);
            map.put(-id, -id);
        }
        assertThat(map.size()).isEqualTo(20_000);
        for (long id = 1; id <= 10_000; id += 2) {
            assertThat(map.remove(id)).isEqualTo(id);
        }
        assertThat(map.size()).isEqualTo(15_000);
        for (long id = 1; id <= 10_000; id++) {
            assertThat(map.get(id)).isEqualTo(id % 2 == 0 ? Long.valueOf(id) : null);
            assertThat(map.get(-id)).isEqualTo(-id);
        }
        assertThat(map.remove(123_456L)).isNull();
    }
}
