package capnweb.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's CPU time and peak memory from Linux's /proc, as {@code ps} and {@code top}
 * do: the CPU time the server spent serving a measured window, whatever its language.
 */
public final class ProcProbe {
    /** Clock ticks per second of /proc/PID/stat (USER_HZ), 100 on every Linux we run on. */
    static final long TICKS_PER_SECOND = 100;

    private final long pid;

    /** A probe of process {@code pid}. */
    public ProcProbe(long pid) {
        this.pid = pid;
        if (!Files.isReadable(Path.of("/proc", Long.toString(pid), "stat"))) {
            throw new IllegalArgumentException("No process " + pid + " to measure: /proc/" + pid
                    + "/stat is not readable; pass the pid of a running server (Linux only).");
        }
    }

    /** @return the user plus system CPU time the process has used so far, in microseconds */
    public long cpuMicros() {
        return ticksToMicros(cpuTicks(read("stat")));
    }

    /** @return the peak resident set size (VmHWM) of the process so far, in KiB */
    public long peakRssKib() {
        return vmHwmKib(read("status"));
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read /proc/" + pid + "/" + file
                    + "; did the server exit?", e);
        }
    }

    static long ticksToMicros(long ticks) {
        return ticks * 1_000_000 / TICKS_PER_SECOND;
    }

    /**
     * utime + stime of a /proc/PID/stat line (fields 14 and 15). The command name (field 2) is in
     * parentheses and may itself hold spaces and parentheses, so fields are counted after the
     * last ')'.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("Not a /proc/PID/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 1).trim().split("\\s+");
        // fields[0] is field 3 (state), so field n is fields[n - 3]
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /** The VmHWM line of /proc/PID/status, in KiB. */
    static long vmHwmKib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        throw new IllegalArgumentException("No VmHWM line in /proc/PID/status");
    }
}
