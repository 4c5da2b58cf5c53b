package org.cramlab.cli;

import ai.djl.Device;
import org.cramlab.cram.CramException;
import org.cramlab.model.LoadOptions;
import picocli.CommandLine.Option;

/** {@code --device/--dtype}: where and in which precision a model's weights live. */
public final class DeviceOptions {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu",
            description = "Device for weights and compute (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|bfloat16",
            description = "Weight dtype (default: ${DEFAULT-VALUE}); memory and loss stay float32."
                    + " The paper used bfloat16 autocast for Llama-class models.")
    String dtype;

    /** The device named by --device. */
    public Device device() {
        return switch (device) {
            case "cpu" -> Device.cpu();
            case "gpu" -> Device.gpu();
            default -> throw new CramException("--device must be cpu or gpu, got '" + device + "'");
        };
    }

    /** True for --device gpu (fails on anything but cpu or gpu). */
    public boolean gpu() {
        return device().isGpu();
    }

    /** Load options for --device and --dtype. */
    public LoadOptions loadOptions() {
        return loadOptions(null);
    }

    /** Load options for --device and --dtype on an attention path (null: {@code CRAMLAB_ATTENTION}, else auto). */
    public LoadOptions loadOptions(org.cramlab.model.AttentionPath attention) {
        return LoadOptions.builder().optDevice(device()).optDtype(dtype).optAttention(attention).build();
    }

    /** The options as a task of another process (e.g. a Slurm task) is given them. */
    public java.util.List<String> asArgs() {
        return java.util.List.of("--device", device, "--dtype", dtype);
    }
}
