package org.cramlab.bits;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;

/**
 * The {@code .cram} file: a header, then per chunk the quantised memory and the arithmetic-coded
 * tokens, then a CRC-32 of everything before it. All integers big-endian.
 *
 * <pre>
 * magic "CRAM" | u8 format version (3) | u32 file length
 * UTF model id | 16 B: SHA-256 of the model files, first half | UTF compute (dtype device) | UTF cramlab version
 * UTF attention (none, explicit, fused, auto) | var auto crossover | 16 B: fused module SHA-256, first half (zeros: unused)
 * var PyTorch threads (0: not recorded) | UTF BLAS (mkl, the OpenBLAS configuration; empty on a GPU)
 * var d | var vocab | var K | u8 precision code | var BOS id + 1 (0: none)
 * var original bytes | 16 B: SHA-256 of the original bytes, first half | var tokens | var chunks
 * per chunk: var tokens | var memory vectors (0 or K) | memory payload if any (K * (d*b + scales) bits, byte-padded)
 *     | var n | n coded bytes
 * u32 CRC-32
 * </pre>
 *
 * <p>"var" is an unsigned LEB128 varint (7 bits a byte). Both hashes keep the first 128 bits of SHA-256: ample to tell models and texts apart, and 32
 * bytes fewer in a header that matters for short texts. Version 1 (no coding path, every chunk with K
 * vectors) is still read, its {@link Header#path()} null; so is version 2 (no BLAS: {@link CodingPath#blas()} null).
 *
 * @param header everything before the chunks
 * @param chunks the chunks in order
 */
public record Container(Header header, List<Chunk> chunks) {

    static final byte[] MAGIC = {'C', 'R', 'A', 'M'};
    static final int VERSION = 3;
    /** The first format, still read: no coding path, a memory in every chunk when K > 0. */
    static final int VERSION_1 = 1;
    /** The second format, still read: no BLAS in the coding path. */
    static final int VERSION_2 = 2;
    /** Bytes kept of each SHA-256. */
    public static final int HASH_BYTES = 16;

    /**
     * @param model what the container must be decoded with
     * @param cramlabVersion the writing cramlab's version (reported when decoding fails)
     * @param d memory width
     * @param vocab the model's vocabulary (logits) size
     * @param k memory vectors per chunk (0: no memory)
     * @param precision how the memory is stored
     * @param bos BOS id fed after the memory, -1 for none
     * @param originalBytes length of the original file
     * @param sha256 SHA-256 of the original bytes (the first {@link #HASH_BYTES} are stored)
     * @param tokens total tokens over all chunks
     * @param path how the logits were computed (attention, threads); null in a version-1 container
     */
    public record Header(ModelFingerprint model, String cramlabVersion, int d, int vocab, int k, Precision precision,
            int bos, long originalBytes, byte[] sha256, int tokens, CodingPath path) {}

    /**
     * @param tokens tokens in this chunk
     * @param memory the chunk's memory (null when it has none: K = 0, or the memory did not pay)
     * @param coded the arithmetic-coded tokens
     */
    public record Chunk(int tokens, QuantisedMemory memory, byte[] coded) {}

    /** Where a container's bytes go. */
    public record Breakdown(int headerBytes, int memoryBytes, int tokenBytes, int total) {}

    /** The container's bytes. */
    public byte[] write() {
        return write(VERSION);
    }

    /** The bytes in format {@code version} (2 or 3; 2 leaves the BLAS out): tests write the older format with it. */
    byte[] write(int version) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(version);
            out.writeInt(0); // file length, patched below
            Header h = header;
            out.writeUTF(h.model().modelId());
            out.write(h.model().sha256(), 0, HASH_BYTES);
            out.writeUTF(h.model().compute());
            out.writeUTF(h.cramlabVersion());
            CodingPath p = h.path();
            out.writeUTF(p.attention());
            writeVar(out, p.crossover());
            out.write(p.fusedModule() == null ? new byte[HASH_BYTES] : p.fusedModule(), 0, HASH_BYTES);
            writeVar(out, p.threads());
            if (version > VERSION_2) {
                out.writeUTF(p.blas());
            }
            writeVar(out, h.d());
            writeVar(out, h.vocab());
            writeVar(out, h.k());
            out.writeByte(h.precision().code());
            writeVar(out, h.bos() + 1L);
            writeVar(out, h.originalBytes());
            out.write(h.sha256(), 0, HASH_BYTES);
            writeVar(out, h.tokens());
            writeVar(out, chunks.size());
            for (Chunk c : chunks) {
                writeVar(out, c.tokens());
                writeVar(out, c.memory() == null ? 0 : c.memory().k());
                if (c.memory() != null) {
                    out.write(c.memory().payload());
                }
                writeVar(out, c.coded().length);
                out.write(c.coded());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] body = bytes.toByteArray();
        byte[] all = Arrays.copyOf(body, body.length + 4);
        int len = all.length;
        all[5] = (byte) (len >>> 24);
        all[6] = (byte) (len >>> 16);
        all[7] = (byte) (len >>> 8);
        all[8] = (byte) len;
        CRC32 crc = new CRC32();
        crc.update(all, 0, body.length);
        long c = crc.getValue();
        for (int i = 0; i < 4; i++) {
            all[body.length + i] = (byte) (c >>> (24 - 8 * i));
        }
        return all;
    }

    /** Sizes of the header (including the CRC), the memories and the coded tokens (with their length fields). */
    public Breakdown breakdown() {
        int total = write().length;
        int memory = 0;
        int tokens = 0;
        for (Chunk c : chunks) {
            memory += c.memory() == null ? 0 : c.memory().payload().length;
            tokens += varLength(c.tokens()) + varLength(c.memory() == null ? 0 : c.memory().k()) + varLength(c.coded().length) + c.coded().length; // with its fields
        }
        return new Breakdown(total - memory - tokens, memory, tokens, total);
    }

    /**
     * Parses a container; {@code name} names it in errors. Checks magic, version, stated length
     * (truncation) and CRC (corruption) before anything else is read.
     */
    public static Container read(byte[] data, String name) {
        if (data.length < 13 || !Arrays.equals(data, 0, 4, MAGIC, 0, 4)) {
            throw new BitsException(name + " is not a cramlab container (no 'CRAM' magic at its start"
                    + (data.length < 13 ? ", only " + data.length + " bytes" : "") + ")");
        }
        int version = data[4];
        if (version < VERSION_1 || version > VERSION) {
            throw new BitsException(name + " has container format version " + version + "; this cramlab reads versions "
                    + VERSION_1 + " to " + VERSION);
        }
        long stated = ((data[5] & 0xffL) << 24) | ((data[6] & 0xff) << 16) | ((data[7] & 0xff) << 8) | (data[8] & 0xff);
        if (data.length < stated) {
            throw new BitsException(name + " is truncated: " + data.length + " bytes, its header says " + stated);
        }
        if (data.length > stated) {
            throw new BitsException(name + " has " + (data.length - stated) + " bytes after its end (" + stated
                    + " bytes stated): not a single intact container");
        }
        CRC32 crc = new CRC32();
        crc.update(data, 0, data.length - 4);
        long want = ((data[data.length - 4] & 0xffL) << 24) | ((data[data.length - 3] & 0xff) << 16)
                | ((data[data.length - 2] & 0xff) << 8) | (data[data.length - 1] & 0xff);
        if (crc.getValue() != want) {
            throw new BitsException(name + " is corrupted: CRC-32 " + Long.toHexString(crc.getValue())
                    + " does not match the stored " + Long.toHexString(want));
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, 9, data.length - 13))) {
            String modelId = in.readUTF();
            byte[] modelHash = in.readNBytes(HASH_BYTES);
            String compute = in.readUTF();
            String cramlab = in.readUTF();
            CodingPath path = version == VERSION_1 ? null : readPath(in, name, version);
            int d = readVarInt(in);
            int vocab = readVarInt(in);
            int k = readVarInt(in);
            int code = in.readUnsignedByte();
            Precision precision = Precision.ofCode(code);
            if (precision == null) {
                throw new BitsException(name + ": unknown precision code " + code);
            }
            int bos = readVarInt(in) - 1;
            long originalBytes = readVar(in);
            byte[] sha = in.readNBytes(HASH_BYTES);
            int tokens = readVarInt(in);
            int n = readVarInt(in);
            if (d < 1 || vocab < 1 || k < 0 || tokens < 0 || n < 0 || n > tokens + 1 || originalBytes < 0) {
                throw new BitsException(name + ": header fields out of range (d " + d + ", vocab " + vocab + ", K " + k
                        + ", tokens " + tokens + ", chunks " + n + ")");
            }
            Header h = new Header(new ModelFingerprint(modelId, modelHash, compute), cramlab, d, vocab, k, precision,
                    bos, originalBytes, sha, tokens, path);
            List<Chunk> chunks = new ArrayList<>();
            int memBytes = k == 0 ? 0 : QuantisedMemory.payloadBytes(precision, k, d);
            for (int i = 0; i < n; i++) {
                int t = readVarInt(in);
                int kc = version == VERSION_1 ? k : readVarInt(in);
                if (kc != 0 && kc != k) {
                    throw new BitsException(name + ": chunk " + i + " states " + kc + " memory vectors; the header says 0 or "
                            + k);
                }
                QuantisedMemory mem = kc == 0 ? null : new QuantisedMemory(precision, k, d, readExactly(in, memBytes));
                int len = readVarInt(in);
                if (t < 0 || len < 0 || len > in.available()) {
                    throw new BitsException(name + ": chunk " + i + " states " + t + " tokens in " + len
                            + " bytes, which the file does not hold");
                }
                chunks.add(new Chunk(t, mem, readExactly(in, len)));
            }
            if (in.available() != 0 || chunks.stream().mapToLong(Chunk::tokens).sum() != tokens) {
                throw new BitsException(name + ": chunks do not add up to the header's " + tokens + " tokens and "
                        + stated + " bytes");
            }
            return new Container(h, chunks);
        } catch (EOFException e) {
            throw new BitsException(name + " ends inside its header or a chunk: truncated or not a container", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CodingPath readPath(DataInputStream in, String name, int version) throws IOException {
        String attention = in.readUTF();
        int crossover = readVarInt(in);
        byte[] module = in.readNBytes(HASH_BYTES);
        int threads = readVarInt(in);
        String blas = version == VERSION_2 ? null : in.readUTF();
        if (!java.util.Set.of("none", "explicit", "fused", "auto").contains(attention)) {
            throw new BitsException(name + ": unknown attention path '" + attention + "' in its header");
        }
        boolean unused = Arrays.equals(module, new byte[HASH_BYTES]);
        return new CodingPath(attention, crossover, unused ? null : module, threads, blas);
    }

    static void writeVar(DataOutputStream out, long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            out.writeByte((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    static int varLength(long v) {
        int n = 1;
        while ((v & ~0x7fL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static long readVar(DataInputStream in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new BitsException("a length field runs over 9 bytes: not a cramlab container");
    }

    private static int readVarInt(DataInputStream in) throws IOException {
        long v = readVar(in);
        if (v > Integer.MAX_VALUE) {
            throw new BitsException("a count field holds " + v + ", more than a container can: corrupted");
        }
        return (int) v;
    }

    private static byte[] readExactly(DataInputStream in, int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** Short hex of a hash for messages. */
    static String hex(byte[] sha) {
        return HexFormat.of().formatHex(sha, 0, 8);
    }
}
