package org.cramlab.model;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import org.cramlab.checkpoint.CheckpointException;

/**
 * How to load a model: weight dtype, device, attention path and the id recorded in results.
 *
 * <p>bfloat16 is emulated: DJL 0.36's PyTorch JNI has no bfloat16 dtype (it aborts the JVM), so
 * "bfloat16" weights are float32 arrays holding bf16-rounded values and the forward runs in float32.
 * This matches bf16 weight precision but not bf16 matmul rounding (the paper's autocast).
 */
public final class LoadOptions {

    private final DataType dtype;
    private final Device device;
    private final String modelId;
    private final AttentionPath attention;
    private final BlockPath blocks;

    private LoadOptions(Builder b) {
        this.dtype = b.dtype;
        this.device = b.device;
        this.modelId = b.modelId;
        this.attention = b.attention == null ? AttentionPath.fromEnvironment() : b.attention;
        this.blocks = b.blocks == null ? BlockPath.fromEnvironment() : b.blocks;
    }

    /** Defaults: float32 on DJL's default device, id = directory name. */
    public static LoadOptions defaults() {
        return builder().build();
    }

    /** A builder with defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The requested weight dtype (FLOAT32, FLOAT16 or BFLOAT16, the last emulated). */
    public DataType dtype() {
        return dtype;
    }

    /** The device, or null for DJL's default. */
    public Device device() {
        return device;
    }

    /** The model id, or null for the directory name. */
    public String modelId() {
        return modelId;
    }

    /** The attention path (default: {@code CRAMLAB_ATTENTION}, else {@link AttentionPath#AUTO}). */
    public AttentionPath attention() {
        return attention;
    }

    /** The path of the blocks around attention (default: {@code CRAMLAB_BLOCKS}, else {@link BlockPath#AUTO}). */
    public BlockPath blocks() {
        return blocks;
    }

    /** Builder for {@link LoadOptions}. */
    public static final class Builder {
        private DataType dtype = DataType.FLOAT32;
        private Device device;
        private String modelId;
        private AttentionPath attention;
        private BlockPath blocks;

        private Builder() {}

        /** Weight dtype: float32 (default), bfloat16 or float16. */
        public Builder optDtype(DataType dtype) {
            if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16 && dtype != DataType.BFLOAT16) {
                throw new CheckpointException("unsupported weight dtype " + dtype + ", expected float32, bfloat16 or float16");
            }
            this.dtype = dtype;
            return this;
        }

        /** Weight dtype by name: "float32", "bfloat16" (or "bf16"), "float16" (or "fp16"). */
        public Builder optDtype(String name) {
            switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "float32": case "fp32": case "f32": return optDtype(DataType.FLOAT32);
                case "bfloat16": case "bf16": return optDtype(DataType.BFLOAT16);
                case "float16": case "fp16": case "f16": return optDtype(DataType.FLOAT16);
                default:
                    throw new CheckpointException("unsupported weight dtype '" + name + "', expected float32, bfloat16 or float16");
            }
        }

        /** Device for weights and compute (default: DJL's default device). */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /** Id recorded in {@link ModelInfo#modelId()} (default: the directory name). */
        public Builder optModelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /**
         * Attention kernel: AUTO (default; per call, whichever is faster for its length), EXPLICIT (the
         * reference, materialises the scores) or FUSED (torch's sdpa through TorchScript).
         */
        public Builder optAttention(AttentionPath attention) {
            this.attention = attention;
            return this;
        }

        /**
         * Blocks around attention (RMSNorm, SwiGLU MLP): AUTO (default; per call, whichever is faster for its
         * size), EXPLICIT (one libtorch op each) or FUSED (one TorchScript call each, torch's fused silu).
         */
        public Builder optBlocks(BlockPath blocks) {
            this.blocks = blocks;
            return this;
        }

        /** Builds the options. */
        public LoadOptions build() {
            return new LoadOptions(this);
        }
    }
}
