package capnweb.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with a header row: the first column left-aligned, the others (numbers)
 * right-aligned, every column as wide as its widest cell, two spaces between columns. Also
 * renders as a Markdown table for docs/PERFORMANCE.md.
 */
public final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    /** A table with these column names. */
    public Table(String... header) {
        this.header = List.of(header);
    }

    /** Adds a row; it must have one cell per column. */
    public Table row(Object... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("A row of this table has " + header.size()
                    + " cells, got " + cells.length);
        }
        List<String> row = new ArrayList<>();
        for (Object cell : cells) {
            row.add(cell == null ? "-" : cell.toString());
        }
        rows.add(row);
        return this;
    }

    /** @return the table as aligned plain text, one line per row, ending with a newline */
    public String render() {
        int[] widths = widths();
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        return out.toString();
    }

    /** @return the table in Markdown, numbers right-aligned */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            out.append(i == 0 ? " --- |" : " ---: |");
        }
        out.append('\n');
        for (List<String> row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return out.toString();
    }

    private int[] widths() {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        return widths;
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String cell = cells.get(i);
            String pad = " ".repeat(widths[i] - cell.length());
            if (i > 0) {
                line.append("  ");
            }
            line.append(i == 0 ? cell + pad : pad + cell);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /** Formats a number with a fixed count of decimals, or "-" for NaN. */
    public static String num(double value, int decimals) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "-";
        }
        return String.format(java.util.Locale.ROOT, "%,." + decimals + "f", value);
    }
}
