package org.cramlab.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The cramlab arguments of a shell line as the docs show it, and whether picocli accepts them. Shell
 * words are split as bash would (quotes, comments); the line is cut at pipes, {@code &&}, {@code ;} and
 * redirections. {@code java ... -jar .../lib/cramlab.jar ARGS} and {@code environment/bench/run ARGS}
 * (the same as {@code bench ARGS}) count.
 */
final class ShownCommands {

    private static final Set<String> SEPARATORS = Set.of("|", "||", "&&", ";", "&");
    /** N, <out>, ... and shell variables ($opt, ${OPTS}): values the docs leave to the reader. */
    private static final String PLACEHOLDER = "[A-Z][A-Z0-9_]*|<[^>]*>|\\.\\.\\.|\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?";

    private ShownCommands() {}

    /** The cramlab argument lists in a shell line (usually none or one). */
    static List<List<String>> in(String line) {
        List<List<String>> out = new ArrayList<>();
        List<String> segment = new ArrayList<>();
        for (String w : words(line)) {
            if (SEPARATORS.contains(w)) {
                cramlabArgs(segment).ifPresent(out::add);
                segment = new ArrayList<>();
            } else {
                segment.add(w);
            }
        }
        cramlabArgs(segment).ifPresent(out::add);
        return out;
    }

    private static Optional<List<String>> cramlabArgs(List<String> words) {
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            boolean jar = w.endsWith("lib/cramlab.jar") && i > 0 && words.get(i - 1).equals("-jar");
            boolean bench = w.equals("environment/bench/run") || w.endsWith("/environment/bench/run");
            if (!jar && !bench) continue;
            List<String> args = new ArrayList<>();
            if (bench) args.add("bench");
            for (String a : words.subList(i + 1, words.size())) {
                boolean placeholder = a.matches("<[^<>\\s]+>.*"); // <out>/model: a value, not a redirection
                if (!placeholder && a.matches("\\d*[<>].*")) break; // a redirection: the rest is the shell's
                args.add(a);
            }
            return Optional.of(args);
        }
        return Optional.empty();
    }

    /** Shell words: quotes group, a backslash escapes, an unquoted '#' starting a word ends the line. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else w.append(c);
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (w != null) out.add(w.toString());
                w = null;
                continue;
            }
            if (c == '#' && w == null) break;
            if ("|&;".indexOf(c) >= 0) {
                if (w != null) out.add(w.toString());
                w = null;
                int j = i + 1 < line.length() && line.charAt(i + 1) == c ? i + 2 : i + 1;
                out.add(line.substring(i, j));
                i = j - 1;
                continue;
            }
            if (w == null) w = new StringBuilder();
            if (c == '"' || c == '\'') quote = c;
            else if (c == '\\' && i + 1 < line.length()) w.append(line.charAt(++i));
            else w.append(c);
        }
        if (w != null) out.add(w.toString());
        return out;
    }

    /** picocli's complaint about these arguments, or empty when it parses them (nothing runs). */
    static Optional<String> problem(List<String> args) {
        return problem(Main.commandLine(), args);
    }

    static Optional<String> problem(CommandLine cl, List<String> args) {
        try {
            CommandLine.ParseResult parsed = cl.parseArgs(withSamples(cl.getCommandSpec(), args).toArray(String[]::new));
            // with --help picocli lets unknown words through ("trian-default --help"); only placeholders may stay
            List<String> unmatched = unmatched(parsed).stream().filter(a -> !a.matches(PLACEHOLDER)).toList();
            if (!unmatched.isEmpty()) return Optional.of("unknown argument(s) " + unmatched);
            return hiddenOption(parsed);
        } catch (CommandLine.ParameterException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static List<String> unmatched(CommandLine.ParseResult parsed) {
        List<String> out = new ArrayList<>();
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) out.addAll(r.unmatched());
        return out;
    }

    /** Hidden options exist only to refuse an old spelling at run time: docs must not show them. */
    private static Optional<String> hiddenOption(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult r = parsed; r != null; r = r.subcommand()) {
            for (OptionSpec o : r.matchedOptions()) {
                if (o.hidden()) return Optional.of("option " + o.longestName() + " is hidden (an old spelling the command refuses)");
            }
        }
        return Optional.empty();
    }

    /**
     * Placeholders ({@code N}, {@code <out>}, {@code ...}) given to a number or enum option replaced by a
     * value of that type, so that "--steps N" checks the option and not the placeholder.
     */
    static List<String> withSamples(CommandSpec top, List<String> args) {
        List<String> out = new ArrayList<>(args);
        CommandSpec spec = top;
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            Map<String, CommandLine> subs = spec.subcommands();
            if (!a.startsWith("-") && subs.containsKey(a)) {
                spec = subs.get(a).getCommandSpec();
                continue;
            }
            if (!a.startsWith("--")) continue;
            int eq = a.indexOf('=');
            OptionSpec o = spec.findOption(eq < 0 ? a : a.substring(0, eq));
            if (o == null || o.arity().max() == 0) continue;
            if (eq >= 0) {
                String v = a.substring(eq + 1);
                if (v.matches(PLACEHOLDER)) out.set(i, a.substring(0, eq + 1) + sample(o).orElse(v));
            } else if (i + 1 < out.size() && out.get(i + 1).matches(PLACEHOLDER)) {
                String v = out.get(i + 1);
                out.set(++i, sample(o).orElse(v));
            }
        }
        // a bare shell variable ("... $opt") expands to options the docs do not show: nothing to check
        out.removeIf(a -> a.matches("\\$\\{?[A-Za-z_][A-Za-z0-9_]*\\}?"));
        return out;
    }

    private static Optional<String> sample(OptionSpec o) {
        Class<?> t = o.type();
        if (t.isArray() || Collection.class.isAssignableFrom(t)) {
            t = o.auxiliaryTypes().length > 0 ? o.auxiliaryTypes()[0] : String.class;
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) return Optional.of("1");
        if (t == double.class || t == Double.class || t == float.class || t == Float.class) return Optional.of("0.5");
        if (t.isEnum()) return Optional.of(((Enum<?>) t.getEnumConstants()[0]).name());
        return Optional.empty();
    }
}
