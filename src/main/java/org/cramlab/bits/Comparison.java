package org.cramlab.bits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One text through every method: gzip, bzip2, xz, the model alone (K = 0) and cramlab (memory +
 * model). Sizes are the lengths of the real compressed files; every method's output is decompressed
 * and compared with the original before it is reported.
 */
public final class Comparison {

    private Comparison() {}

    /**
     * One method on one text.
     *
     * @param method e.g. "gzip", "model alone", "cramlab K=1 int8"
     * @param originalBytes size of the text
     * @param sizeBytes size of the compressed file
     * @param headerBytes container header (cramlab methods; the whole file for the classic ones)
     * @param memoryBytes the memory's bytes (0 without memory)
     * @param tokenBytes the coded tokens' bytes (cramlab methods)
     * @param note for a method with memory: whether the memory saves more bits than it costs
     */
    public record Row(String method, int originalBytes, int sizeBytes, int headerBytes, int memoryBytes, int tokenBytes,
            String note) {

        /** Compressed bits per original byte (NaN for an empty text). */
        public double bitsPerByte() {
            return originalBytes == 0 ? Double.NaN : 8.0 * sizeBytes / originalBytes;
        }

        /** Original size over compressed size. */
        public double ratio() {
            return (double) originalBytes / sizeBytes;
        }

        /** Share of the file taken by the memory. */
        public double memoryShare() {
            return (double) memoryBytes / sizeBytes;
        }

        /** Share of the file taken by the coded tokens. */
        public double tokenShare() {
            return (double) tokenBytes / sizeBytes;
        }
    }

    /** Measures {@code data} with the classic baselines, {@code modelAlone} (K = 0) and each codec in {@code withMemory}. */
    public static List<Row> measure(byte[] data, Codec modelAlone, List<Codec> withMemory, List<String> labels) {
        List<Row> rows = new ArrayList<>();
        for (Baselines b : Baselines.values()) {
            byte[] file = b.compress(data);
            check(Arrays.equals(b.decompress(file), data), b.label());
            rows.add(new Row(b.label(), data.length, file.length, file.length, 0, 0, ""));
        }
        Codec.Compressed alone = modelAlone.compress(data);
        check(Arrays.equals(modelAlone.decompress(alone.bytes(), "model-alone"), data), "model alone");
        Container.Breakdown a = alone.breakdown();
        rows.add(new Row("model alone", data.length, a.total(), a.headerBytes(), 0, a.tokenBytes(), ""));
        for (int i = 0; i < withMemory.size(); i++) {
            Codec codec = withMemory.get(i);
            Codec.Compressed c = codec.compress(data);
            check(Arrays.equals(codec.decompress(c.bytes(), labels.get(i)), data), labels.get(i));
            Container.Breakdown b = c.breakdown();
            rows.add(new Row(labels.get(i), data.length, b.total(), b.headerBytes(), b.memoryBytes(), b.tokenBytes(),
                    verdict(b.memoryBytes(), a.tokenBytes() - b.tokenBytes())));
        }
        return rows;
    }

    /** Says whether a memory of {@code memoryBytes} pays for itself given the coded-token bytes it saved. */
    static String verdict(int memoryBytes, int savedBytes) {
        long cost = 8L * memoryBytes;
        long saved = 8L * savedBytes;
        return String.format(Locale.ROOT, cost > saved
                ? "memory costs %d bits and saves %d: it does not pay"
                : "memory costs %d bits and saves %d: it pays", cost, saved);
    }

    private static void check(boolean ok, String method) {
        if (!ok) {
            throw new BitsException(method + ": decompressing did not give back the original bytes");
        }
    }
}
