package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cramlab.bits.BitsException;
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
        description = "Losslessly compress a UTF-8 text file: the tokens arithmetic-coded under the model's next-token"
                + " distribution, per chunk given a crammed memory where one pays for its bits (--mem).",
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

    @Option(names = "--mem", defaultValue = "auto", paramLabel = "K",
            description = "Memory vectors per chunk: auto (default) crams one vector only in chunks where it can pay"
                    + " for its bits and reports the decision per chunk; K forces K in every chunk; 0: the model alone.")
    String mem;

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
        Integer k = memoryVectors();
        Precision p = Precision.parse(precision);
        try {
            byte[] data = CodecFiles.read(input, "input");
            CodecFiles.checkWritable(out, force); // before any cramming: a bad -o is found at once
            try (CausalLM model = modelOptions.load();
                    Codec codec = configure(Codec.builder(model, modelOptions.directory()), k).optPrecision(p)
                            .optSteps(steps).optSeed(seed.seed()).optProgress(CodecFiles.progress(err)).build()) {
                Codec.Compressed c = codec.compress(data);
                CodecFiles.write(out, c.bytes());
                CodecFiles.clearProgress(err);
                report(c, data.length, out, k);
                return 0;
            }
        } catch (RuntimeException e) {
            CodecFiles.clearProgress(err); // cli.ErrorHandler prints the message
            throw e;
        }
    }

    /** The sizes, then one line per chunk with its memory decision. */
    private void report(Codec.Compressed c, int originalBytes, Path out, Integer k) {
        PrintWriter stdout = spec.commandLine().getOut();
        Container.Breakdown b = c.breakdown();
        long withMemory = c.decisions().stream().filter(d -> d.memoryVectors() > 0).count();
        stdout.println(String.format(Locale.ROOT,
                "%s: %d bytes from %d (%.3f bits/byte, ratio %.2f): header %d, memory %d (%s, %s, %d of %d chunks),"
                        + " tokens %d (%d tokens, ideal %.0f bits)",
                out, b.total(), originalBytes, originalBytes == 0 ? 0 : 8.0 * b.total() / originalBytes,
                b.total() == 0 ? 0 : (double) originalBytes / b.total(), b.headerBytes(), b.memoryBytes(),
                k == null ? "auto" : "K=" + k, precision, withMemory, c.decisions().size(), b.tokenBytes(),
                c.container().header().tokens(), c.idealTokenBits()));
        for (Codec.ChunkDecision d : c.decisions()) {
            stdout.println(String.format(Locale.ROOT, "  chunk %d/%d (%d tokens): %s", d.index() + 1,
                    c.decisions().size(), d.tokens(), d.reason()));
        }
        stdout.flush();
    }

    /** {@code --mem}: null for auto, else K >= 0. */
    private Integer memoryVectors() {
        if (mem.strip().equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            int k = Integer.parseInt(mem.strip());
            if (k >= 0) {
                return k;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new BitsException("--mem must be auto or a number of memory vectors >= 0, got '" + mem + "'");
    }

    private static Codec.Builder configure(Codec.Builder b, Integer k) {
        return k == null ? b.optAutoMem() : b.optMem(k);
    }
}
