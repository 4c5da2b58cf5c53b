package org.cramlab.kernel;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Expands {@code %jars} and classpath arguments: plain paths and globs such as {@code lib/*.jar}. */
final class Globs {
    private static final Pattern WILDCARD = Pattern.compile("[*?\\[{]");

    private Globs() {}

    /**
     * The files {@code pattern} names, relative to {@code base}, sorted. A plain path must exist; a
     * glob may match nothing. A bare {@code dir/*} (Java classpath style) matches files in dir.
     */
    static List<Path> expand(Path base, String pattern) throws IOException {
        String p = pattern.strip();
        if (p.startsWith("~/")) {
            p = System.getProperty("user.home") + p.substring(1);
        }
        if (!WILDCARD.matcher(p).find()) {
            Path path = base.resolve(p).normalize();
            if (!Files.exists(path)) {
                throw new IOException("no such file: " + path);
            }
            return List.of(path);
        }
        // The longest leading part without wildcards is the folder to search.
        String[] parts = p.split("/", -1);
        int fixed = 0;
        while (fixed < parts.length && !WILDCARD.matcher(parts[fixed]).find()) {
            fixed++;
        }
        String root = String.join("/", java.util.Arrays.copyOfRange(parts, 0, fixed));
        Path dir = base.resolve(root.isEmpty() && p.startsWith("/") ? "/" : root).normalize();
        String rest = String.join("/", java.util.Arrays.copyOfRange(parts, fixed, parts.length));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        int depth = rest.contains("**") ? Integer.MAX_VALUE : parts.length - fixed;
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            walk.filter(f -> !f.equals(dir) && Files.isRegularFile(f) && matcher.matches(dir.relativize(f)))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }
}
