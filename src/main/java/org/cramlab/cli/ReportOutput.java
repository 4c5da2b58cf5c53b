package org.cramlab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.cramlab.bench.BenchReport;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --csv}, and how a benchmark's report is shown: its tables on stdout, the numbers optionally as CSV. */
public final class ReportOutput {

    @Option(names = "--csv", paramLabel = "F", description = "Also write the numbers as CSV (section,model,L,B,metric,value,unit).")
    Path csv;

    /** Prints the report's tables and writes --csv; the command's exit code. */
    int show(BenchReport report, CommandSpec spec) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(report.text());
        out.flush();
        if (csv != null) {
            report.writeCsv(csv);
            spec.commandLine().getErr().println("wrote " + csv);
        }
        return 0;
    }
}
