package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cramlab.cli.CramCommandTest.Outcome;
import org.cramlab.cram.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a careful first hour of use broke (inputs a new user gives the CLI), each a one-line error or a success. */
class HardeningCliTest {

    static Outcome run(String... args) {
        return CramCommandTest.run(args);
    }

    /** Lines of stderr that are not the progress line. */
    static long messageLines(String err) {
        return err.lines().filter(l -> !l.isBlank() && !l.startsWith("step ") && !l.contains("\r")).count();
    }

    @Test
    void aHugeTextFileIsReadOnlyAsFarAsLengthNeeds(@TempDir Path dir) throws Exception {
        // 8 GiB: a few words, then a sparse hole (no disk used); reading it all would not fit in memory
        Path huge = dir.resolve("huge.txt");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.write("Once upon a time there was a little dog who liked to run in the park every day. ".repeat(20)
                    .getBytes(StandardCharsets.UTF_8));
            f.setLength(8L << 30);
        }
        Outcome o = run("cram", "--text-file", huge.toString(), "--length", "8", "--steps", "1", "--no-greedy", "--json");
        assertEquals(0, o.code(), o.err());
        RunRecord r = RunRecord.fromJson(o.out().trim());
        assertEquals(8, r.length());
        assertTrue(r.text().startsWith("Once upon"), r.text());
    }

    @Test
    void anUnreadableTextFileSaysWhy(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.txt");
        Outcome none = run("cram", "--text-file", missing.toString(), "--steps", "1");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("cannot read --text-file " + missing + ": no such file"), none.err());

        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9, ' ', 'n', 'o', 'i', 'r'});
        Outcome bad = run("cram", "--text-file", latin1.toString(), "--steps", "1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(latin1 + " is not UTF-8") && bad.err().contains("byte offset 3"), bad.err());
        assertEquals(1, messageLines(bad.err()), bad.err());

        Outcome folder = run("cram", "--text-file", dir.toString(), "--steps", "1");
        assertEquals(2, folder.code());
        assertTrue(folder.err().contains("is a directory"), folder.err());
    }
}
