package org.cramlab.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's Markdown files read the way the docs test needs them: relative links, heading anchors
 * (GitHub's slugs) and the {@code java -jar lib/cramlab.jar} commands shown in code, each with its line.
 */
final class MarkdownDocs {

    /** A link target or a shown command, where it sits. */
    record Located(Path file, int line, String text) {
        String where(Path root) {
            return root.relativize(file) + ":" + line;
        }
    }

    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern INLINE_CODE = Pattern.compile("(`+)(.+?)\\1", Pattern.DOTALL);
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~).*");

    private MarkdownDocs() {}

    /** README.md, docs/*.md and environment/**.md (not build output, hidden folders or node modules). */
    static List<Path> files(Path root) {
        List<Path> out = new ArrayList<>();
        out.add(root.resolve("README.md"));
        for (String dir : List.of("docs", "environment")) {
            Path d = root.resolve(dir);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.toString().endsWith(".md"))
                        .filter(p -> !skipped(d.relativize(p)))
                        .sorted()
                        .forEach(out::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static boolean skipped(Path rel) {
        for (Path part : rel) {
            String n = part.toString();
            if (n.startsWith(".") || n.equals("target") || n.equals("node_modules")) return true;
        }
        return false;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text outside fenced blocks, with inline code blanked out (same length, newlines kept). */
    static String prose(List<String> lines) {
        StringBuilder sb = new StringBuilder();
        boolean fenced = false;
        for (String l : lines) {
            if (FENCE.matcher(l).matches()) {
                fenced = !fenced;
                sb.append('\n');
                continue;
            }
            sb.append(fenced ? "" : l).append('\n');
        }
        Matcher m = INLINE_CODE.matcher(sb);
        StringBuilder blanked = new StringBuilder(sb);
        while (m.find()) {
            for (int i = m.start(); i < m.end(); i++) {
                if (blanked.charAt(i) != '\n') blanked.setCharAt(i, ' ');
            }
        }
        return blanked.toString();
    }

    /** Every link target in a file's prose that is not a web or mail address. */
    static List<Located> relativeLinks(Path file) {
        String text = prose(lines(file));
        List<Located> out = new ArrayList<>();
        Matcher m = LINK.matcher(text);
        while (m.find()) {
            String target = m.group(1);
            if (target.matches("(?i)[a-z][a-z0-9+.-]*:.*")) continue; // https:, mailto:, ...
            out.add(new Located(file, lineOf(text, m.start()), target));
        }
        return out;
    }

    /** GitHub's heading anchors of a file: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(Path file) {
        Set<String> out = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String l : lines(file)) {
            if (FENCE.matcher(l).matches()) fenced = !fenced;
            if (fenced) continue;
            Matcher h = HEADING.matcher(l);
            if (!h.matches()) continue;
            String slug = slug(h.group(1));
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            out.add(n == 0 ? slug : slug + "-" + n);
        }
        return out;
    }

    static String slug(String heading) {
        String plain = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link's text only
        return plain.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /**
     * Code that shows a command: fenced lines (a trailing {@code \} joins the next line) and inline code
     * spans, each with the line it starts on.
     */
    static List<Located> code(Path file) {
        List<String> lines = lines(file);
        List<Located> out = new ArrayList<>();
        boolean fenced = false;
        StringBuilder joined = null;
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (FENCE.matcher(l).matches()) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) continue;
            if (joined == null) {
                joined = new StringBuilder();
                start = i + 1;
            }
            boolean continues = l.stripTrailing().endsWith("\\");
            joined.append(continues ? l.stripTrailing().substring(0, l.stripTrailing().length() - 1) : l).append(' ');
            if (!continues) {
                out.add(new Located(file, start, joined.toString().trim()));
                joined = null;
            }
        }
        StringBuilder outside = new StringBuilder();
        fenced = false;
        for (String l : lines) {
            boolean fence = FENCE.matcher(l).matches();
            if (fence) fenced = !fenced;
            outside.append(fenced || fence ? "" : l).append('\n');
        }
        Matcher m = INLINE_CODE.matcher(outside);
        while (m.find()) {
            out.add(new Located(file, lineOf(outside, m.start()), m.group(2).replace('\n', ' ').trim()));
        }
        return out;
    }

    private static int lineOf(CharSequence text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') line++;
        }
        return line;
    }
}
