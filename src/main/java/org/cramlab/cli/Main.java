package org.cramlab.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code java -jar lib/cramlab.jar <command> ...}. Each command is a small picocli class in this
 * package, registered in {@link #commandLine()}.
 */
@Command(
        name = "cramlab",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Measure how much text fits into a language model's input vectors.",
        subcommands = {CommandLine.HelpCommand.class},
        footer = {"%nExample:", "  java -jar lib/cramlab.jar cram --text \"Hello there\" --length 4 --steps 5"})
public final class Main implements Runnable {

    // Read by Logging from the raw arguments before any logger exists; declared here so every command accepts it.
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Show library logging (DJL, PyTorch set-up) at INFO; $" + Logging.ENV + "=<level> sets any level.")
    boolean verbose;

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
        cl.addSubcommand(new CompressCommand());
        cl.addSubcommand(new DecompressCommand());
        cl.addSubcommand(new InitCommand());
        cl.getSubcommands().get("help").getCommandSpec().usageMessage()
                .footer("%nExample:", "  java -jar lib/cramlab.jar help capacity");
        everyCommand(cl); // -V on a subcommand prints the version too
        return cl.setExecutionExceptionHandler(new ErrorHandler()); // after the subcommands: applies to them too
    }

    private static void everyCommand(CommandLine cl) {
        cl.getCommandSpec().versionProvider(new VersionProvider());
        cl.getSubcommands().values().forEach(Main::everyCommand);
    }

    public static void main(String[] args) {
        try {
            Logging.configure(args, System.getenv()); // before DJL (or anything) creates a logger
        } catch (IllegalArgumentException e) {
            System.err.println("cramlab: " + e.getMessage());
            System.exit(ErrorHandler.BAD_INPUT);
        }
        System.exit(commandLine().execute(args));
    }
}
