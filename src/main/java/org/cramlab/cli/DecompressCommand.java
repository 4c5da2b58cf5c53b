package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cramlab.bits.BitsException;
import org.cramlab.bits.Codec;
import org.cramlab.bits.CodingPath;
import org.cramlab.bits.Container;
import org.cramlab.model.CausalLM;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code decompress}: a {@code .cram} container back to the original bytes, verified by SHA-256. */
@Command(name = "decompress", mixinStandardHelpOptions = true,
        description = "Decompress a .cram file with the model it was compressed with (same files, dtype and device);"
                + " the original bytes' SHA-256 is checked before anything is written.",
        footer = {"%nExample:", "  java -jar lib/cramlab.jar decompress notes.txt.cram -o notes-again.txt"})
public final class DecompressCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Parameters(index = "0", paramLabel = "F.cram", description = "The container.")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Output file (default: F.cram without its .cram suffix).")
    Path output;

    @Option(names = "--force", description = "Overwrite the output file if it exists.")
    boolean force;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path out = output;
            if (out == null) {
                String name = input.toString();
                if (!name.endsWith(".cram")) {
                    throw new BitsException(input + " does not end in .cram: give the output file with -o");
                }
                out = Path.of(name.substring(0, name.length() - 5));
            }
            byte[] data = CodecFiles.read(input, "container");
            CodecFiles.checkWritable(out, force);
            // decode on the attention path the container records, whatever CRAMLAB_ATTENTION says
            CodingPath path = Container.read(data, input.toString()).header().path();
            try (CausalLM model = modelOptions.load(path == null ? null : path.attentionToLoad());
                    Codec codec = Codec.builder(model, modelOptions.directory())
                            .optProgress(CodecFiles.progress(err)).build()) {
                byte[] text = codec.decompress(data, input.toString());
                CodecFiles.write(out, text);
                CodecFiles.clearProgress(err);
                spec.commandLine().getOut().println(out + ": " + text.length + " bytes (SHA-256 verified)");
                spec.commandLine().getOut().flush();
                return 0;
            }
        } catch (RuntimeException e) {
            CodecFiles.clearProgress(err); // cli.ErrorHandler prints the message
            throw e;
        }
    }
}
