package org.cramlab.cram;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.cramlab.checkpoint.CheckpointException;
import org.cramlab.checkpoint.Safetensors;
import org.cramlab.checkpoint.SafetensorsWriter;
import org.cramlab.model.CausalLM;

/**
 * The trainable memory: a float32 [K, d] block, kept on the host as a row-major {@code float[]}
 * between runs.
 *
 * <p>Random init as the paper's {@code MemoryCell}: {@code randn(K, d) * embeddings.weight.std()}
 * (one scalar: the unbiased standard deviation over every entry of the input-embedding matrix).
 * The normal draws come from {@code java.util.Random(seed).nextGaussian()} in row-major order, not
 * from DJL's engine RNG, so the same seed gives the same memory on CPU and GPU and across DJL
 * versions ({@code Random}'s algorithm is fixed by its specification). It does not reproduce
 * torch's {@code randn} stream.
 *
 * <p>Files: safetensors with one float32 tensor {@code memory} [K, d] and string metadata.
 */
public final class Memory {

    /** The tensor name in memory files. */
    public static final String TENSOR = "memory";

    private Memory() {}

    /**
     * A memory read from a file.
     *
     * @param values row-major [k, d]
     * @param k number of vectors
     * @param d vector width
     * @param metadata the file's {@code __metadata__}
     */
    public record Loaded(float[] values, int k, int d, Map<String, String> metadata) {}

    /** Reads tensor {@code memory} [K, d] from a safetensors file. */
    public static Loaded read(Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CramException("cannot read memory file " + file + ": no such readable file");
        }
        try (Safetensors st = Safetensors.open(file);
                NDManager manager = NDManager.newBaseManager()) {
            if (!st.contains(TENSOR)) {
                throw new CramException("memory file " + file + " has no tensor '" + TENSOR
                        + "' (it holds " + st.names() + ")");
            }
            long[] shape = st.info(TENSOR).shape().getShape();
            if (shape.length != 2) {
                throw new CramException("memory file " + file + ": tensor '" + TENSOR + "' has shape "
                        + Arrays.toString(shape) + ", expected [K, d]");
            }
            float[] values = st.load(TENSOR, manager, DataType.FLOAT32).toFloatArray();
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new CramException("memory file " + file + ": tensor '" + TENSOR + "' holds " + values[i]
                            + " at [" + i / shape[1] + ", " + i % shape[1] + "]: expected finite numbers");
                }
            }
            return new Loaded(values, (int) shape[0], (int) shape[1], new LinkedHashMap<>(st.metadata()));
        } catch (CheckpointException e) {
            throw new CramException("cannot read memory file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a memory file and checks that it holds exactly [k, d]. */
    public static float[] load(Path file, int k, int d) {
        Loaded m = read(file);
        if (m.k() != k || m.d() != d) {
            throw new CramException("memory file " + file + ": tensor '" + TENSOR + "' has shape [" + m.k()
                    + ", " + m.d() + "], expected [K, d] = [" + k + ", " + d + "]");
        }
        return m.values();
    }

    /** Writes row-major [k, d] {@code values} as tensor {@code memory} with string metadata. */
    public static void save(Path file, float[] values, int k, int d, Map<String, String> metadata) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(values, new Shape(k, d));
            SafetensorsWriter.write(file, Map.of(TENSOR, a), metadata);
        } catch (CheckpointException e) {
            throw new CramException("cannot write memory file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Row-major [K, d] float32 memory ~ N(0, 1) * std, drawn from {@code new Random(seed)}. */
    public static float[] random(long seed, int k, int d, double std) {
        Random rng = new Random(seed);
        float[] m = new float[k * d];
        float scale = (float) std;
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) rng.nextGaussian() * scale;
        }
        return m;
    }

    /**
     * Unbiased std (as torch's {@code Tensor.std()}) over all entries of the input embeddings. Two
     * passes over row blocks in float64, so an 8B model's [128256, 4096] matrix needs no full copy.
     */
    public static double embeddingStd(CausalLM model) {
        NDArray e = model.embeddingMatrix();
        long rows = e.getShape().get(0);
        double n = e.size();
        double sum = 0;
        for (long r = 0; r < rows; r += BLOCK_ROWS) {
            try (NDManager tmp = model.manager().newSubManager()) {
                sum += block(e, r, rows, tmp).sum().getDouble();
            }
        }
        double mean = sum / n;
        double sumSq = 0;
        for (long r = 0; r < rows; r += BLOCK_ROWS) {
            try (NDManager tmp = model.manager().newSubManager()) {
                sumSq += block(e, r, rows, tmp).sub(mean).square().sum().getDouble();
            }
        }
        return Math.sqrt(sumSq / (n - 1));
    }

    private static final long BLOCK_ROWS = 2048;

    /** Rows [r, r + BLOCK_ROWS) as float64, owned by {@code tmp} (slices land in the model's manager). */
    private static NDArray block(NDArray e, long r, long rows, NDManager tmp) {
        NDArray slice = e.get("{}:{}", r, Math.min(rows, r + BLOCK_ROWS));
        slice.attach(tmp);
        return slice.toType(DataType.FLOAT64, false);
    }
}
