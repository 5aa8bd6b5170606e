package capnweb.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void alignsTheFirstColumnLeftAndNumbersRight() {
        String text = new Table("server", "ops/s").row("jetty", "12,345").row("reference", "9").render();
        assertThat(text).isEqualTo(
                "server      ops/s\n"
                + "jetty      12,345\n"
                + "reference       9\n");
    }

    @Test
    void rendersMarkdownWithRightAlignedNumberColumns() {
        String md = new Table("goal", "met").row("seq", "yes").markdown();
        assertThat(md).isEqualTo("| goal | met |\n| --- | ---: |\n| seq | yes |\n");
    }

    @Test
    void refusesRowsOfTheWrongWidthAndShowsNullAsDash() {
        Table t = new Table("a", "b");
        assertThatThrownBy(() -> t.row("only one")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 cells");
        assertThat(t.row("x", null).render()).contains("x  -");
    }

    @Test
    void formatsNumbersWithGroupingAndNaNAsDash() {
        assertThat(Table.num(1234567.891, 1)).isEqualTo("1,234,567.9");
        assertThat(Table.num(Double.NaN, 0)).isEqualTo("-");
    }
}
