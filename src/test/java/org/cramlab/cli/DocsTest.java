package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cramlab.cli.MarkdownDocs.Located;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The docs cannot go stale silently: every relative link in README.md, docs/*.md and environment/**.md
 * resolves (file and #anchor), and every {@code java -jar lib/cramlab.jar} command they show parses
 * against the real command line. Failures name the file, line and command.
 */
class DocsTest {

    /** Surefire runs in the project folder. */
    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    void everyRelativeLinkResolves() {
        List<Path> files = MarkdownDocs.files(ROOT);
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path f : files) {
            for (Located l : MarkdownDocs.relativeLinks(f)) {
                links++;
                brokenLink(l).ifPresent(why -> broken.add(l.where(ROOT) + ": (" + l.text() + ") " + why));
            }
        }
        assertTrue(files.contains(ROOT.resolve("docs/architecture.md")), "docs/ found: " + files);
        assertTrue(links >= 10, "links found: " + links + " (is the link pattern still right?)");
        assertEquals(List.of(), broken, "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void everyShownCommandParses() {
        List<String> stale = new ArrayList<>();
        int commands = 0;
        for (Path f : MarkdownDocs.files(ROOT)) {
            for (Located code : MarkdownDocs.code(f)) {
                for (List<String> args : ShownCommands.in(code.text())) {
                    commands++;
                    Optional<String> problem = ShownCommands.problem(args);
                    problem.ifPresent(p -> stale.add(code.where(ROOT) + ": `" + code.text() + "`: " + p));
                }
            }
        }
        assertTrue(commands >= 30, "commands found: " + commands + " (is the extraction still right?)");
        assertEquals(List.of(), stale, "commands the CLI no longer accepts:\n" + String.join("\n", stale));
    }

    /** The checks can fail: a planted stale command, a broken link and a missing anchor are all caught. */
    @Test
    void theChecksCatchAStaleCommandAndABrokenLink(@TempDir Path dir) throws Exception {
        Path md = dir.resolve("page.md");
        Files.writeString(md, String.join("\n",
                "# A page",
                "See [the other](other.md), [here](#a-page) and [gone](#no-such-heading).",
                "```bash",
                "java -jar lib/cramlab.jar cram --no-such-option 3 \\",
                "    --mem 1   # a comment",
                "CRAMLAB_THREADS=2 java -Xmx1g -jar lib/cramlab.jar capacity --texts t.jsonl --mem K --out <out>/cap | tee log",
                "```",
                "Inline: `java -jar lib/cramlab.jar sweep --plan plan.json --out runs/x > out.txt`."));
        List<Located> code = MarkdownDocs.code(md);
        List<List<String>> shown = code.stream().flatMap(c -> ShownCommands.in(c.text()).stream()).toList();
        assertEquals(List.of(
                List.of("cram", "--no-such-option", "3", "--mem", "1"),
                List.of("capacity", "--texts", "t.jsonl", "--mem", "K", "--out", "<out>/cap"),
                List.of("sweep", "--plan", "plan.json", "--out", "runs/x")), shown);
        assertEquals(4, code.get(0).line());
        assertEquals(8, code.get(2).line());
        assertTrue(ShownCommands.problem(shown.get(0)).orElse("").contains("--no-such-option"));
        assertEquals(Optional.empty(), ShownCommands.problem(shown.get(1)), "K is a placeholder for a number");
        assertEquals(Optional.empty(), ShownCommands.problem(shown.get(2)));
        assertFalse(ShownCommands.problem(List.of("cram", "--mem", "many")).isEmpty(), "a wrong value is not a placeholder");
        assertTrue(ShownCommands.problem(List.of("trian-default", "--help")).orElse("").contains("trian-default"),
                "--help does not hide a misspelt command");
        assertEquals(Optional.empty(), ShownCommands.problem(List.of("COMMAND", "--help")), "a placeholder command");

        List<Located> links = MarkdownDocs.relativeLinks(md);
        assertEquals(List.of("other.md", "#a-page", "#no-such-heading"), links.stream().map(Located::text).toList());
        assertTrue(brokenLink(links.get(0)).orElse("").contains("no file"));
        assertEquals(Optional.empty(), brokenLink(links.get(1)));
        assertTrue(brokenLink(links.get(2)).orElse("").contains("no heading"));
    }

    /** A command that keeps an old spelling only to refuse it (as sweep keeps --mem for --node-mem). */
    @Command(name = "old")
    static final class OldSpelling {
        @Option(names = "--node-mem") String nodeMem;
        @Option(names = "--mem", hidden = true) String mem;
    }

    @Test
    void aHiddenOldSpellingIsStale() {
        var cl = new CommandLine(new OldSpelling());
        assertEquals(Optional.empty(), ShownCommands.problem(cl, List.of("--node-mem", "32G")));
        assertTrue(ShownCommands.problem(cl, List.of("--mem", "32G")).orElse("").contains("--mem is hidden"));
    }

    @Test
    void anchorsAreGitHubSlugs() {
        assertEquals("batched-engine-where-b--16s-time-goes", MarkdownDocs.slug("Batched engine: where B = 16's time goes"));
        assertEquals("the-cram-container", MarkdownDocs.slug("The `.cram` container"));
    }

    /** Why a link does not resolve, or empty when it does. */
    private static Optional<String> brokenLink(Located l) {
        String target = l.text();
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path p = file.isEmpty() ? l.file() : l.file().getParent().resolve(file).normalize();
        if (!Files.exists(p)) return Optional.of("no file " + p);
        if (hash < 0 || !p.toString().endsWith(".md")) return Optional.empty();
        String anchor = target.substring(hash + 1);
        return MarkdownDocs.anchors(p).contains(anchor) ? Optional.empty() : Optional.of("no heading #" + anchor + " in " + p.getFileName());
    }
}
