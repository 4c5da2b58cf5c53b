package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.cramlab.cram.CramException;
import org.cramlab.run.ExperimentException;
import org.cramlab.model.ModelException;
import org.cramlab.text.TextException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

class ErrorHandlerTest {

    @Command(name = "fail")
    static final class Fail implements Callable<Integer> {
        @Parameters
        String what;

        @Override
        public Integer call() {
            throw switch (what) {
                case "text" -> new TextException("--texts f.csv has no 'text' column");
                case "model" -> new ModelException("sequence of 300 positions is longer than m takes: 256");
                case "cram" -> new CramException("K must be >= 1, got 0");
                case "experiment" -> new ExperimentException("plan file p.json is empty");
                case "io" -> new java.io.UncheckedIOException("cannot write out.csv", new java.io.IOException("disk full"));
                default -> new IllegalStateException("a bug");
            };
        }
    }

    private static String[] run(String what) {
        CommandLine cl = new CommandLine(new Main()).addSubcommand(new Fail()).setExecutionExceptionHandler(new ErrorHandler());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("fail", what);
        return new String[] {String.valueOf(code), err.toString()};
    }

    @Test
    void everyLayersErrorIsOneLineAndExitCode2() {
        for (String what : new String[] {"text", "model", "cram", "experiment", "io"}) {
            String[] r = run(what);
            assertEquals("2", r[0], what + ": " + r[1]);
            assertTrue(r[1].startsWith("fail: "), r[1]);
            assertEquals(1, r[1].strip().lines().count(), r[1]);
        }
        assertTrue(run("model")[1].contains("longer than m takes: 256"));
    }

    @Test
    void aBugKeepsItsStackTrace() {
        String[] r = run("bug");
        assertEquals("1", r[0]);
        assertTrue(r[1].contains("IllegalStateException: a bug"), r[1]);
        assertFalse(r[1].startsWith("fail: "), r[1]);
    }
}
