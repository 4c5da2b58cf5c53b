package org.cramlab.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips through our writer and reader, sharding, chunked reads and malformed files. */
class SafetensorsTest {

    @TempDir Path tmp;

    private static Map<String, NDArray> sample(NDManager m) {
        Map<String, NDArray> t = new LinkedHashMap<>();
        t.put("w", m.arange(0f, 12f).reshape(3, 4).div(7f));
        t.put("h16", m.create(new float[] {0.5f, 65504f}).toType(DataType.FLOAT16, false));
        t.put("ids", m.create(new long[][] {{1, 2, 30000000000L}}));
        t.put("i32", m.create(new int[] {7, -8}));
        return t;
    }

    @Test
    void roundTripKeepsValuesDtypesAndMetadata() {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> t = sample(m);
            Path f = tmp.resolve("a.safetensors");
            SafetensorsWriter.write(f, t, Map.of("format", "pt"));
            try (Safetensors st = Safetensors.open(f)) {
                assertEquals(t.keySet(), st.names());
                assertEquals("pt", st.metadata().get("format"));
                for (String name : t.keySet()) {
                    NDArray got = st.load(name, m);
                    assertEquals(t.get(name).getDataType(), got.getDataType(), name);
                    assertEquals(t.get(name).getShape(), got.getShape(), name);
                    assertTrue(t.get(name).contentEquals(got), name);
                }
                // float16 on load, then back: within f16 rounding
                NDArray w16 = st.load("w", m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, w16.getDataType());
                assertTrue(t.get("w").sub(w16.toType(DataType.FLOAT32, false)).abs().max().getFloat() < 1e-3f);
                // bfloat16 target: emulated as float32 storage of bf16-rounded values
                NDArray wb = st.load("w", m, DataType.BFLOAT16);
                assertEquals(DataType.FLOAT32, wb.getDataType());
                float[] src = t.get("w").toFloatArray();
                float[] got = wb.toFloatArray();
                for (int i = 0; i < src.length; i++) {
                    assertEquals(Bf16.round(src[i]), got[i], 0f);
                }
            }
        }
    }

    @Test
    void bf16FilesRoundTrip() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {1.5f, -2.25f, 3f, 1.00390625f, 1.01171875f}); // last two tie-round
            Path f = tmp.resolve("b.safetensors");
            SafetensorsWriter.write(f, Map.of("w", w), Map.of(), true);
            try (Safetensors st = Safetensors.open(f)) {
                assertEquals("BF16", st.info("w").dtype());
                assertEquals(10, st.info("w").length());
                // round to nearest even: 1+2^-8 -> 1, 1+3*2^-8 -> 1+2^-6
                assertArrayEquals(new float[] {1.5f, -2.25f, 3f, 1f, 1.015625f}, st.load("w", m).toFloatArray());
                NDArray h = st.load("w", m, DataType.FLOAT16);
                assertEquals(DataType.FLOAT16, h.getDataType());
                assertEquals(1.5f, h.toType(DataType.FLOAT32, false).getFloat(0));
            }
        }
    }

    /**
     * A file written by Hugging Face's safetensors from torch (in the transformers reference tree):
     * <pre>x = torch.randn(5, 7) * 3 (seed 0); save_file({'b': x.bfloat16(), 'h': x.half(),
     * 'f': x.bfloat16().float(), 'hf': x.half().float()}, ..., metadata={'format': 'pt'})</pre>
     */
    @Test
    void readsTorchWrittenHalfPrecision() throws Exception {
        Path f = Path.of(getClass().getResource("/checkpoint/torch_dtypes.safetensors").toURI());
        try (NDManager m = NDManager.newBaseManager(); Safetensors st = Safetensors.open(f)) {
            assertEquals("pt", st.metadata().get("format"));
            assertEquals("BF16", st.info("b").dtype());
            assertEquals("F16", st.info("h").dtype());
            assertEquals(new Shape(5, 7), st.info("b").shape());
            // exact: widening bf16/f16 to f32 is lossless, torch did the same
            assertTrue(st.load("f", m).contentEquals(st.load("b", m, DataType.FLOAT32)));
            assertTrue(st.load("hf", m).contentEquals(st.load("h", m, DataType.FLOAT32)));
            assertTrue(st.load("f", m).contentEquals(st.load("b", m, DataType.BFLOAT16)));
            NDArray b16 = st.load("b", m, DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, b16.getDataType());
            assertTrue(st.load("f", m).toType(DataType.FLOAT16, false).contentEquals(b16));
        }
    }

    @Test
    void headerIsEightByteAligned() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path f = tmp.resolve("a.safetensors");
            SafetensorsWriter.write(f, sample(m));
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(0, b.getLong(0) % 8);
        }
    }

    @Test
    void bigTensorsAreReadInRowChunks() {
        long saved = Safetensors.maxChunkBytes;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.randomNormal(new Shape(37, 5));
            Path f = tmp.resolve("big.safetensors");
            SafetensorsWriter.write(f, Map.of("w", w));
            Safetensors.maxChunkBytes = 3 * 5 * 4 + 7; // 3 rows per mapping, 13 chunks
            try (Safetensors st = Safetensors.open(f)) {
                assertTrue(w.contentEquals(st.load("w", m)));
                assertTrue(w.toType(DataType.FLOAT16, false).contentEquals(st.load("w", m, DataType.FLOAT16)));
                NDArray wb = st.load("w", m, DataType.BFLOAT16); // Java path, chunked by float32 size
                assertTrue(wb.sub(w).abs().max().getFloat() <= w.abs().max().getFloat() / 128);
            }
        } finally {
            Safetensors.maxChunkBytes = saved;
        }
    }

    @Test
    void shardedCheckpointViaIndex() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(new Shape(4, 3));
            NDArray b = m.randomNormal(new Shape(2));
            SafetensorsWriter.write(tmp.resolve("model-00001-of-00002.safetensors"), Map.of("a", a));
            SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"), Map.of("b", b));
            Files.writeString(tmp.resolve("model.safetensors.index.json"),
                    "{\"metadata\":{\"total_size\":56},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                            + "\"b\":\"model-00002-of-00002.safetensors\"}}");
            try (Safetensors st = Safetensors.openDirectory(tmp)) {
                assertEquals(2, st.files().size());
                assertTrue(a.contentEquals(st.load("a", m)));
                assertTrue(b.contentEquals(st.load("b", m)));
            }
            Files.writeString(tmp.resolve("model.safetensors.index.json"),
                    "{\"weight_map\":{\"a\":\"model-00003-of-00002.safetensors\"}}");
            CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.openDirectory(tmp));
            assertTrue(e.getMessage().contains("model-00003-of-00002.safetensors"), e.getMessage());
        }
    }

    @Test
    void missingWeightsAreNamed() {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Safetensors.openDirectory(tmp));
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Path f = tmp.resolve("a.safetensors");
            SafetensorsWriter.write(f, sample(m));
            try (Safetensors st = Safetensors.open(f)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> st.load("nope", m));
                assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("a.safetensors"), e.getMessage());
            }
        }
    }

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = tmp.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static String messageOf(Path f) {
        return assertThrows(CheckpointException.class, () -> Safetensors.open(f).close()).getMessage();
    }

    @Test
    void truncatedFile() throws IOException {
        Path f = tmp.resolve("t.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(messageOf(f).contains("t.safetensors"));
        // header length larger than the file
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).putLong(0);
        Files.write(f, b.array());
        String msg = messageOf(f);
        assertTrue(msg.contains("header length 1000"), msg);
    }

    @Test
    void badJson() throws IOException {
        String msg = messageOf(raw("{\"w\": [1,", 0));
        assertTrue(msg.contains("bad.safetensors") && msg.contains("JSON"), msg);
    }

    @Test
    void offsetsOutsideTheFile() throws IOException {
        String msg = messageOf(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8));
        assertTrue(msg.contains("tensor w") && msg.contains("data_offsets [0, 16]"), msg);
    }

    @Test
    void sizeDisagreesWithShape() throws IOException {
        String msg = messageOf(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16));
        assertTrue(msg.contains("tensor w") && msg.contains("expected 12"), msg);
    }

    @Test
    void unsupportedDtype() throws IOException {
        Path f = raw("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        try (NDManager m = NDManager.newBaseManager(); Safetensors st = Safetensors.open(f)) {
            String msg = assertThrows(CheckpointException.class, () -> st.load("w", m)).getMessage();
            assertTrue(msg.contains("F8_E4M3") && msg.contains("BF16") && msg.contains("tensor w"), msg);
        }
    }
}
