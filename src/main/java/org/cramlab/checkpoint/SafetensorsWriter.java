package org.cramlab.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/** Writes named arrays to a {@code .safetensors} file (readable by Hugging Face's safetensors). */
public final class SafetensorsWriter {

    private SafetensorsWriter() {}

    /** Writes {@code tensors} (in map order) without metadata. */
    public static void write(Path file, Map<String, NDArray> tensors) {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} (in map order) with {@code __metadata__} string entries. The file is
     * written next to its target and moved into place, so a crash never leaves half a file.
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, false);
    }

    /**
     * Writes {@code tensors}; when {@code floatsAsBf16}, floating arrays are stored as BF16 (rounded
     * to nearest even), halving the file, as Hugging Face checkpoints usually ship.
     */
    public static void write(
            Path file, Map<String, NDArray> tensors, Map<String, String> metadata, boolean floatsAsBf16) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            boolean bf16 = floatsAsBf16 && a.getDataType().isFloating();
            long bytes = a.size() * (bf16 ? 2 : a.getDataType().getNumOfBytes());
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", bf16 ? "BF16" : dtypeName(e.getKey(), a.getDataType()));
            JsonArray shape = new JsonArray();
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // keep tensor data 8-byte aligned, as safetensors does
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (NDArray a : tensors.values()) {
                    if (floatsAsBf16 && a.getDataType().isFloating()) {
                        writeFully(ch, bf16Bytes(a));
                    } else {
                        writeFully(ch, a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                    }
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // a full disk leaves no half-written temporary file behind
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new CheckpointException("cannot write safetensors file " + file + ": " + e, e);
        }
    }

    private static ByteBuffer bf16Bytes(NDArray a) {
        ByteBuffer f32;
        try (NDArray f = a.toType(DataType.FLOAT32, true)) {
            f32 = f.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        int n = Math.toIntExact(a.size());
        ByteBuffer out = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putShort(i * 2, (short) Bf16.toBits(f32.getInt(i * 4)));
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    private static String dtypeName(String name, DataType type) {
        switch (type) {
            case FLOAT64: return "F64";
            case FLOAT32: return "F32";
            case FLOAT16: return "F16";
            case BFLOAT16: return "BF16";
            case INT64: return "I64";
            case INT32: return "I32";
            case INT8: return "I8";
            case UINT8: return "U8";
            case BOOLEAN: return "BOOL";
            default:
                throw new CheckpointException("cannot write tensor " + name + " of dtype " + type
                        + " to safetensors: expected float64/32/16, bfloat16, int64/32/8, uint8 or boolean");
        }
    }
}
