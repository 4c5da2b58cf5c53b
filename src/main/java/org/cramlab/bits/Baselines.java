package org.cramlab.bits;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * Classic compressors on the same bytes, each producing its real file format: gzip (the JDK's
 * Deflater at level 9 inside a gzip member), bzip2 (Apache Commons Compress, 900 k blocks) and xz
 * (XZ for Java, preset 9).
 */
public enum Baselines {
    GZIP("gzip"),
    BZIP2("bzip2"),
    XZ("xz");

    private final String label;

    Baselines(String label) {
        this.label = label;
    }

    /** The method's name in tables. */
    public String label() {
        return label;
    }

    /** The compressed file's bytes. */
    public byte[] compress(byte[] data) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = open(bytes)) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(label + " failed: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    /** Decompresses a file this method wrote. */
    public byte[] decompress(byte[] file) {
        try (InputStream in = switch (this) {
            case GZIP -> new GZIPInputStream(new ByteArrayInputStream(file));
            case BZIP2 -> new BZip2CompressorInputStream(new ByteArrayInputStream(file));
            case XZ -> new XZInputStream(new ByteArrayInputStream(file));
        }) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(label + " could not decompress: " + e.getMessage(), e);
        }
    }

    private OutputStream open(OutputStream sink) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPOutputStream(sink) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            };
            case BZIP2 -> new BZip2CompressorOutputStream(sink, BZip2CompressorOutputStream.MAX_BLOCKSIZE);
            case XZ -> new XZOutputStream(sink, new LZMA2Options(9));
        };
    }
}
