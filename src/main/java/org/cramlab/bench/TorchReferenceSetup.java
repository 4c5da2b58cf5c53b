package org.cramlab.bench;

import java.nio.file.Path;

/** Sets up the PyTorch reference of the step benchmark (or says, in a report note, why it is skipped). */
final class TorchReferenceSetup {
    private TorchReferenceSetup() {}

    /** The reference for {@code c}'s model, or null (with a note saying why) when off, on GPU or unavailable. */
    static TorchReference open(Bench.Context c) {
        BenchOptions o = c.options();
        if (!o.torch) {
            c.report().note("torch reference: off (--no-torch)");
            return null;
        }
        if (o.gpu) {
            c.report().note("torch reference: skipped on --device gpu (the sid tree's torch is CPU-only)");
            return null;
        }
        Path tree = TorchReference.tree(o.torchTree);
        String why = TorchReference.unavailableReason(tree, o.torchScript);
        if (why != null) {
            c.report().note("torch reference: skipped, " + why);
            return null;
        }
        try {
            TorchReference t = new TorchReference(tree, o.torchScript, c.modelDir(), o.threads);
            if (!t.treeMounts.isEmpty()) {
                c.report().note("torch reference: mounted " + t.treeMounts + " in " + tree
                        + " (missing; left mounted, other users of the tree may need them)");
            }
            c.report().note("torch reference: transformers " + t.header.get("transformers_version").getAsString()
                    + ", torch " + t.header.get("torch_version").getAsString() + ", "
                    + t.header.get("threads").getAsInt() + " threads, "
                    + (t.header.has("mixer") ? t.header.get("mixer").getAsString()
                            : "attn " + t.header.get("attn_implementation").getAsString())
                    + "; measured interleaved with cramlab in chunks of " + o.chunk + " steps (same load)");
            return t;
        } catch (BenchException e) {
            c.report().note("torch reference: skipped, " + e.getMessage());
            return null;
        }
    }
}
