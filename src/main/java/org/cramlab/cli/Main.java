package org.cramlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar lib/cramlab.jar <command> ...}. Each command is a small picocli class in this
 * package, registered in {@link #commandLine()}.
 */
@Command(
        name = "cramlab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Measure how much text fits into a language model's input vectors.",
        subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The command line with every subcommand; notebooks and tests call commands through it too. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Subcommands are added here, one line each.
        cl.addSubcommand(new CramCommand());
        cl.addSubcommand(new CapacityCommand());
        cl.addSubcommand(new SweepCommand());
        cl.addSubcommand(new PlanCommand());
        cl.addSubcommand(new TrainDefaultCommand());
        cl.addSubcommand(new EvalDefaultCommand());
        cl.addSubcommand(new TextsCommand());
        cl.addSubcommand(new BenchCommand());
        return cl.setExecutionExceptionHandler(new ErrorHandler()); // after the subcommands: applies to them too
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
