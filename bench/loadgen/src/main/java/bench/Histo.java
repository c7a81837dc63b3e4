package bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Log-linear latency histogram in microseconds: exact below 512 µs, then 256 sub-buckets per power
 * of two (relative error below 0.4 %). Not thread-safe; callers synchronise or keep one per thread.
 */
final class Histo {
    private static final int LINEAR = 512;
    private static final int SUB = 256;
    private final long[] counts = new long[LINEAR + 48 * SUB];
    private long total;
    private long sum;
    private long max;

    private static int index(long v) {
        if (v < LINEAR) return (int) Math.max(v, 0);
        int msb = 63 - Long.numberOfLeadingZeros(v); // >= 9
        int shift = msb - 8;
        int sub = (int) ((v >>> shift) - SUB); // 0..255
        return LINEAR + (msb - 9) * SUB + sub;
    }

    private static long lowerBound(int idx) {
        if (idx < LINEAR) return idx;
        int k = idx - LINEAR;
        int msb = k / SUB + 9;
        int sub = k % SUB;
        return ((long) (SUB + sub)) << (msb - 8);
    }

    void record(long us) {
        counts[Math.min(index(us), counts.length - 1)]++;
        total++;
        sum += us;
        if (us > max) max = us;
    }

    void merge(Histo o) {
        for (int i = 0; i < counts.length; i++) counts[i] += o.counts[i];
        total += o.total;
        sum += o.sum;
        max = Math.max(max, o.max);
    }

    long count() {
        return total;
    }

    /** Value at quantile q (0..1), in microseconds (bucket lower bound, exact below 512 µs). */
    long quantile(double q) {
        if (total == 0) return 0;
        long rank = (long) Math.ceil(q * total);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) return Math.min(lowerBound(i), max);
        }
        return max;
    }

    Map<String, Object> summaryUs() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", total);
        m.put("mean", total == 0 ? 0 : Math.round((double) sum / total));
        m.put("p50", quantile(0.50));
        m.put("p90", quantile(0.90));
        m.put("p99", quantile(0.99));
        m.put("p999", quantile(0.999));
        m.put("max", max);
        return m;
    }
}
