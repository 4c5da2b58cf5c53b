package org.cramlab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.cramlab.core.CramlabException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * The one place command failures become exit codes: cramlab's own errors (bad input, named in the message)
 * and I/O failures print {@code <command>: <message>} on stderr and exit with {@link #BAD_INPUT}; anything
 * else is a bug and keeps picocli's stack trace and exit code 1. Commands just throw.
 */
final class ErrorHandler implements IExecutionExceptionHandler {

    /** Exit code of a command that could not do what it was asked (as picocli's usage errors). */
    static final int BAD_INPUT = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) throws Exception {
        if (!(e instanceof CramlabException || e instanceof UncheckedIOException || e instanceof IOException)) {
            throw e;
        }
        PrintWriter err = cl.getErr();
        err.println(cl.getCommandName() + ": " + e.getMessage());
        err.flush();
        return BAD_INPUT;
    }
}
