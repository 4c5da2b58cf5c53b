package org.cramlab.cli;

import org.cramlab.core.CramlabException;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one rule for options that only mean something together with another: given where they would be
 * ignored, they are refused with a message naming the option and what it needs, never silently dropped.
 */
final class Options {

    private Options() {}

    /**
     * Refuses {@code option} (exit 2, one line) when the user gave it on the command line and {@code applies} is false.
     *
     * @param needs what the option needs, e.g. "only with --strategy progressive"
     */
    static void refuseUnless(CommandSpec spec, String option, boolean applies, String needs) {
        if (!applies && given(spec, option)) {
            throw new CramlabException(option + " applies " + needs + ": it would be ignored here");
        }
    }

    /** True when {@code option} was typed on this command's line (not just defaulted). */
    static boolean given(CommandSpec spec, String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
