package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cramlab.bits.Codec;
import org.cramlab.bits.Container;
import org.cramlab.bits.Precision;
import org.cramlab.model.CausalLM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code compress}: a UTF-8 text file into a {@code .cram} container (memory + arithmetic-coded tokens). */
@Command(name = "compress", mixinStandardHelpOptions = true,
        description = "Losslessly compress a UTF-8 text file: K crammed memory vectors per chunk plus the tokens"
                + " arithmetic-coded under the model's next-token distribution given that memory.",
        footer = {"%nExample:", "  java -jar lib/cramlab.jar compress notes.txt -o notes.txt.cram"})
public final class CompressCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "FILE", description = "The text file (UTF-8).")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "F.cram", description = "Output file (default: FILE.cram).")
    Path output;

    @Option(names = "--mem", defaultValue = "1", paramLabel = "K",
            description = "Memory vectors per chunk (default ${DEFAULT-VALUE}; 0: the model alone, no memory).")
    int mem;

    @Option(names = "--precision", defaultValue = "int8", paramLabel = "P",
            description = "How the memory is stored: float32, bfloat16, float16 or intB, B = 1..16 bits per dimension"
                    + " with a per-vector offset and step (default ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--steps", defaultValue = "300", paramLabel = "N",
            description = "Cramming steps per chunk (AdamW, the paper's settings; default ${DEFAULT-VALUE}).")
    int steps;

    @Mixin
    SeedOption seed; // of the memory init

    @Option(names = "--force", description = "Overwrite the output file if it exists.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Path out = output != null ? output : Path.of(input + ".cram");
        try {
            byte[] data = CodecFiles.read(input, "input");
            CodecFiles.checkWritable(out, force);
            try (CausalLM model = modelOptions.load();
                    Codec codec = Codec.builder(model, modelOptions.directory()).optMem(mem)
                            .optPrecision(Precision.parse(precision)).optSteps(steps).optSeed(seed.seed())
                            .optProgress(CodecFiles.progress(err)).build()) {
                Codec.Compressed c = codec.compress(data);
                CodecFiles.write(out, c.bytes());
                Container.Breakdown b = c.breakdown();
                CodecFiles.clearProgress(err);
                spec.commandLine().getOut().println(String.format(Locale.ROOT,
                        "%s: %d bytes from %d (%.3f bits/byte, ratio %.2f): header %d, memory %d (K=%d, %s), tokens %d"
                                + " (%d tokens, ideal %.0f bits)",
                        out, b.total(), data.length, data.length == 0 ? 0 : 8.0 * b.total() / data.length,
                        b.total() == 0 ? 0 : (double) data.length / b.total(), b.headerBytes(), b.memoryBytes(), mem,
                        precision, b.tokenBytes(), c.container().header().tokens(), c.idealTokenBits()));
                spec.commandLine().getOut().flush();
                return 0;
            }
        } catch (RuntimeException e) {
            CodecFiles.clearProgress(err); // cli.ErrorHandler prints the message
            throw e;
        }
    }
}
