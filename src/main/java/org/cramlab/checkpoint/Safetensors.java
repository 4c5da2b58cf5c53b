package org.cramlab.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A memory-mapped reader for safetensors checkpoints, single file or sharded
 * ({@code model.safetensors.index.json}).
 *
 * <p>Our own reader because DJL's decoder reads a whole file into one {@code byte[]} (files {@literal <} 2 GiB,
 * ~2x RAM). Here each tensor's byte range is mapped on its own, wrapped as a native tensor without a
 * copy and converted once into an array owned by the caller's manager, so peak memory stays close
 * to the checkpoint size and shards of any size work.
 */
public final class Safetensors implements AutoCloseable {

    /** The dtypes we read, safetensors name to DJL type. */
    private static final Map<String, DataType> DTYPES =
            Map.of(
                    "F64", DataType.FLOAT64,
                    "F32", DataType.FLOAT32,
                    "F16", DataType.FLOAT16,
                    "BF16", DataType.BFLOAT16, // emulated, see Bf16
                    "I64", DataType.INT64,
                    "I32", DataType.INT32,
                    "I8", DataType.INT8,
                    "U8", DataType.UINT8,
                    "BOOL", DataType.BOOLEAN);

    /**
     * Largest mapping (and conversion buffer) in flight; bigger tensors are copied in row chunks into
     * their final array, so loading peaks at the weights plus one chunk, not at twice the largest
     * tensor (package-private for tests).
     */
    static long maxChunkBytes = 16L << 20;

    private static final long MAX_HEADER_BYTES = 100L << 20;

    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final Map<Path, FileChannel> channels;

    private Safetensors(
            Map<String, TensorInfo> tensors, Map<String, String> metadata, Map<Path, FileChannel> channels) {
        this.tensors = tensors;
        this.metadata = metadata;
        this.channels = channels;
    }

    /** Opens one {@code .safetensors} file. */
    public static Safetensors open(Path file) {
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        readFile(file, tensors, metadata, channels);
        return new Safetensors(tensors, metadata, channels);
    }

    /**
     * Opens the weights of a Hugging Face model directory: {@code model.safetensors.index.json} with
     * its shards if present, else {@code model.safetensors}.
     */
    public static Safetensors openDirectory(Path dir) {
        Path index = dir.resolve("model.safetensors.index.json");
        Path single = dir.resolve("model.safetensors");
        if (Files.isRegularFile(index)) {
            return openIndex(index);
        }
        if (Files.isRegularFile(single)) {
            return open(single);
        }
        throw new CheckpointException(
                "no weights in "
                        + dir
                        + ": expected model.safetensors or model.safetensors.index.json with shards"
                        + " (only safetensors checkpoints are read, not pytorch_model.bin)");
    }

    /** Opens a sharded checkpoint from its {@code model.safetensors.index.json}. */
    public static Safetensors openIndex(Path index) {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(index)).getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new CheckpointException("cannot read " + index + " as a JSON object: " + e.getMessage(), e);
        }
        if (!root.has("weight_map") || !root.get("weight_map").isJsonObject()) {
            throw new CheckpointException(index + ": expected an object field \"weight_map\" {tensor: shard file}");
        }
        Set<String> shards = new TreeSet<>();
        Map<String, String> wanted = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("weight_map").entrySet()) {
            shards.add(e.getValue().getAsString());
            wanted.put(e.getKey(), e.getValue().getAsString());
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<Path, FileChannel> channels = new LinkedHashMap<>();
        try {
            for (String shard : shards) {
                Path file = index.resolveSibling(shard);
                if (!Files.isRegularFile(file)) {
                    throw new CheckpointException(index + " names shard " + shard + " but " + file + " does not exist");
                }
                readFile(file, tensors, metadata, channels);
            }
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                TensorInfo info = tensors.get(e.getKey());
                if (info == null || !info.file().getFileName().toString().equals(e.getValue())) {
                    throw new CheckpointException(
                            index + " maps tensor " + e.getKey() + " to " + e.getValue() + " but that shard lacks it");
                }
            }
        } catch (RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        return new Safetensors(tensors, metadata, channels);
    }

    private static void readFile(
            Path file,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata,
            Map<Path, FileChannel> channels) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open safetensors file " + file + ": " + e, e);
        }
        channels.put(file, ch);
        try {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(
                        file + ": invalid safetensors header: file has " + size + " bytes, expected at least 8");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new CheckpointException(
                        file + ": invalid safetensors header: header length " + headerLen
                                + " does not fit the file of " + size + " bytes (truncated or not a safetensors file)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(headerBuf.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new CheckpointException(file + ": invalid safetensors header: not a JSON object: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                String name = e.getKey();
                if (name.equals("__metadata__")) {
                    if (e.getValue().isJsonObject()) {
                        for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                            metadata.put(m.getKey(), m.getValue().getAsString());
                        }
                    }
                    continue;
                }
                TensorInfo info = parseEntry(file, name, e.getValue(), dataStart, dataSize);
                if (tensors.put(name, info) != null) {
                    throw new CheckpointException(file + ": tensor " + name + " appears in more than one shard");
                }
            }
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + file + ": " + e, e);
        }
    }

    private static TensorInfo parseEntry(Path file, String name, JsonElement value, long dataStart, long dataSize) {
        String where = file + ": tensor " + name + ": ";
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            JsonArray shapeJson = o.getAsJsonArray("shape");
            long[] dims = new long[shapeJson.size()];
            long numel = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shapeJson.get(i).getAsLong();
                if (dims[i] < 0) {
                    throw new CheckpointException(where + "negative dimension in shape " + shapeJson);
                }
                numel *= dims[i];
            }
            JsonArray offsets = o.getAsJsonArray("data_offsets");
            long begin = offsets.get(0).getAsLong();
            long end = offsets.get(1).getAsLong();
            if (begin < 0 || end < begin || end > dataSize) {
                throw new CheckpointException(
                        where + "invalid safetensors header: data_offsets [" + begin + ", " + end
                                + "] outside the data section of " + dataSize + " bytes (truncated file?)");
            }
            DataType type = DTYPES.get(dtype);
            if (type != null && numel * type.getNumOfBytes() != end - begin) {
                throw new CheckpointException(
                        where + "invalid safetensors header: " + (end - begin) + " bytes for shape "
                                + shapeJson + " " + dtype + ", expected " + numel * type.getNumOfBytes());
            }
            return new TensorInfo(name, dtype, new Shape(dims), file, dataStart + begin, end - begin);
        } catch (NullPointerException | IllegalStateException | ClassCastException | IndexOutOfBoundsException
                | NumberFormatException | UnsupportedOperationException e) {
            throw new CheckpointException(
                    where + "invalid safetensors header entry " + value
                            + ", expected {\"dtype\": str, \"shape\": [ints], \"data_offsets\": [begin, end]}",
                    e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    /** Tensor names, in header order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** Whether the checkpoint holds {@code name}. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Header entry of a tensor; throws naming the tensor when absent. */
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new CheckpointException("tensor " + name + " not found in " + files());
        }
        return info;
    }

    /** The {@code __metadata__} entries of all files. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** The files this checkpoint reads. */
    public List<Path> files() {
        return List.copyOf(channels.keySet());
    }

    /** Loads a tensor in its stored dtype. */
    public NDArray load(String name, NDManager manager) {
        return load(name, manager, null);
    }

    /**
     * Loads a tensor converted to {@code target} (null keeps the stored dtype). The array is owned by
     * {@code manager} and independent of the file.
     *
     * <p>bfloat16 is emulated (see {@link Bf16}): a BF16 tensor loads as float32 (exact) unless
     * float16 is asked for, and a {@code BFLOAT16} target yields float32 holding bf16-rounded values.
     */
    public NDArray load(String name, NDManager manager, DataType target) {
        TensorInfo info = info(name);
        DataType source = DTYPES.get(info.dtype());
        if (source == null) {
            throw new CheckpointException(
                    info.file() + ": tensor " + name + " has dtype " + info.dtype()
                            + ", supported: " + new TreeSet<>(DTYPES.keySet()));
        }
        DataType to = target == null ? source : target;
        Shape shape = info.shape();
        long inFlight = shape.size() * Math.max(source.getNumOfBytes(), javaPath(source, to) ? 4 : 0);
        NDArray out;
        if (info.length() == 0) {
            out = manager.zeros(shape, storageType(to));
        } else if (inFlight <= maxChunkBytes || (shape.dimension() == 0 || shape.get(0) == 1) && inFlight < Integer.MAX_VALUE - 4096L) {
            out = readRegion(info, info.offset(), info.length(), shape, source, to, manager);
        } else {
            out = readInRowChunks(info, source, to, manager);
        }
        out.setName(name);
        return out;
    }

    /** The dtype an array of {@code type} is stored in (bfloat16 is emulated by float32). */
    public static DataType storageType(DataType type) {
        return type == DataType.BFLOAT16 ? DataType.FLOAT32 : type;
    }

    /** Whether the conversion goes through Java buffers (anything involving bfloat16). */
    private static boolean javaPath(DataType source, DataType to) {
        return source == DataType.BFLOAT16 || to == DataType.BFLOAT16;
    }

    /** A tensor bigger than one chunk: map whole rows of dim 0 at a time, copy each into the result. */
    private NDArray readInRowChunks(TensorInfo info, DataType source, DataType to, NDManager manager) {
        Shape shape = info.shape();
        long rows = shape.get(0);
        long rowBytes = info.length() / rows;
        long rowInFlight = (shape.size() / rows) * Math.max(source.getNumOfBytes(), javaPath(source, to) ? 4 : 0);
        if (rowInFlight > Integer.MAX_VALUE - 4096L) {
            throw new CheckpointException(
                    info.file() + ": tensor " + info.name() + " has rows of " + rowBytes
                            + " bytes, more than one mapping can hold (" + (Integer.MAX_VALUE - 4096L) + ")");
        }
        long rowsPerChunk = Math.max(1, maxChunkBytes / rowInFlight);
        NDArray out = manager.create(shape, storageType(to)); // uninitialised; every row is written below
        try {
            for (long r = 0; r < rows; r += rowsPerChunk) {
                long n = Math.min(rowsPerChunk, rows - r);
                Shape part = new Shape(n).addAll(shape.slice(1));
                NDIndex rowsIndex = new NDIndex("{}:{}", r, r + n);
                if (javaPath(source, to)) {
                    try (NDManager tmp = manager.newSubManager()) {
                        out.set(rowsIndex, readRegion(info, info.offset() + r * rowBytes, n * rowBytes, part, source, to, tmp));
                    }
                    continue;
                }
                // Straight from the mapped pages into the result: no intermediate copy that the
                // allocator might keep after it is freed.
                MappedByteBuffer buf = map(info, info.offset() + r * rowBytes, n * rowBytes);
                try (NDManager tmp = manager.newSubManager()) {
                    NDArray view = tmp.create(buf, part, source);
                    out.set(rowsIndex, to == source ? view : view.toType(to, false));
                } finally {
                    Buffers.release(buf);
                }
            }
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    private NDArray readRegion(
            TensorInfo info, long offset, long length, Shape shape, DataType source, DataType to, NDManager manager) {
        MappedByteBuffer buf = map(info, offset, length);
        try {
            return copyRegion(buf, shape, source, to, manager);
        } finally {
            Buffers.release(buf); // every view over the mapping is closed by now, see Buffers
        }
    }

    /** Maps {@code length} bytes of a tensor's file read-only, in native byte order. */
    private MappedByteBuffer map(TensorInfo info, long offset, long length) {
        try {
            MappedByteBuffer buf = channels.get(info.file()).map(FileChannel.MapMode.READ_ONLY, offset, length);
            buf.order(ByteOrder.nativeOrder());
            return buf;
        } catch (IOException e) {
            throw new CheckpointException("cannot map tensor " + info.name() + " of " + info.file() + ": " + e, e);
        }
    }

    /** Copies a mapped region into an array owned by {@code manager}, converting the dtype. */
    private static NDArray copyRegion(ByteBuffer buf, Shape shape, DataType source, DataType to, NDManager manager) {
        int count = Math.toIntExact(shape.size());
        if (source == DataType.BFLOAT16) {
            ByteBuffer wide = Bf16.widen(buf, count);
            try (NDArray view = manager.create(wide, shape, DataType.FLOAT32)) {
                return storageType(to) == DataType.FLOAT32 ? view.duplicate() : view.toType(to, true);
            } finally {
                Buffers.release(wide);
            }
        }
        if (to == DataType.BFLOAT16) {
            ByteBuffer f32 = buf;
            if (source != DataType.FLOAT32) {
                try (NDArray view = manager.create(buf, shape, source);
                        NDArray wide = view.toType(DataType.FLOAT32, true)) {
                    f32 = wide.toByteBuffer();
                }
            }
            ByteBuffer rounded = Bf16.roundFloat32(f32, count);
            try (NDArray view = manager.create(rounded, shape, DataType.FLOAT32)) {
                return view.duplicate();
            } finally {
                Buffers.release(rounded);
            }
        }
        // A zero-copy native view of the mapped pages, converted (or cloned) into memory owned by the
        // engine at once: the mapping is read-only and is unmapped right after this call.
        try (NDArray view = manager.create(buf, shape, source)) {
            return to == source ? view.duplicate() : view.toType(to, true);
        }
    }

    @Override
    public void close() {
        closeAll(channels);
    }

    private static void closeAll(Map<Path, FileChannel> channels) {
        for (FileChannel ch : channels.values()) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a read-only channel cannot lose data
            }
        }
    }
}
