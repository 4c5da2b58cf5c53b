package org.cramlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.cramlab.train.DefaultModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compress} / {@code decompress} on the default model: round trip, real sizes, clear refusals. */
class CompressCommandTest {

    static final String TEXT = "Emma Woodhouse, handsome, clever, and rich, with a comfortable home and happy"
            + " disposition, seemed to unite some of the best blessings of existence. ☺\n";

    @Test
    void roundTripWithTheDefaultModelAndRealSizes(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("emma.txt");
        Files.writeString(in, TEXT);
        CramCommandTest.Outcome c = CramCommandTest.run("compress", "--mem", "1", "--steps", "5", "--precision", "int4",
                in.toString());
        assertEquals(0, c.code(), c.err());
        Path cram = dir.resolve("emma.txt.cram");
        long size = Files.size(cram);
        assertTrue(c.out().startsWith(cram + ": " + size + " bytes from " + TEXT.getBytes(StandardCharsets.UTF_8).length),
                c.out());
        Files.move(in, dir.resolve("original.txt"));
        CramCommandTest.Outcome d = CramCommandTest.run("decompress", cram.toString());
        assertEquals(0, d.code(), d.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("original.txt")), Files.readAllBytes(in));

        // explicit --model and -o, no memory
        Path out = dir.resolve("alone.cram");
        CramCommandTest.Outcome a = CramCommandTest.run("compress", "--model", DefaultModel.directory().toString(),
                "--mem", "0", in.toString(), "-o", out.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(Files.size(out) < size, "no memory: smaller than with one int4 vector");
    }

    @Test
    void refusalsAreClearAndKeepExistingFiles(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("t.txt");
        Files.writeString(in, TEXT);
        Path cram = dir.resolve("t.txt.cram");
        Files.writeString(cram, "precious");
        CramCommandTest.Outcome o = CramCommandTest.run("compress", "--mem", "0", in.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().contains("exists") && o.err().contains("--force"), o.err());
        assertEquals("precious", Files.readString(cram));

        CramCommandTest.Outcome bad = CramCommandTest.run("decompress", cram.toString(), "-o", dir.resolve("x").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("not a cramlab container"), bad.err());

        Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xc3, 0x28});
        CramCommandTest.Outcome bin = CramCommandTest.run("compress", "--mem", "0", dir.resolve("bin.txt").toString());
        assertEquals(2, bin.code());
        assertTrue(bin.err().contains("not UTF-8"), bin.err());

        CramCommandTest.Outcome p = CramCommandTest.run("compress", "--precision", "int0", in.toString(), "--force");
        assertEquals(2, p.code());
        assertTrue(p.err().contains("precision 'int0'"), p.err());
    }

    /** Issue 22 item 4: -o into a missing folder created it silently, after all the work. */
    @Test
    void aMissingOutputFolderIsRefusedBeforeAnyWork(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("t.txt");
        Files.writeString(in, TEXT);
        Path missing = dir.resolve("no/such/dir");
        CramCommandTest.Outcome o = CramCommandTest.run("compress", in.toString(), "-o", missing.resolve("t.cram").toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("output folder " + missing + " does not exist"), o.err());
        assertTrue(!o.err().contains("ETA"), "refused before any coding started: " + o.err());
        assertTrue(!Files.exists(dir.resolve("no")), "the folder is not created");
    }

    /** Issue 22 item 4: an unwritable folder was found only after the cramming, without the OS's reason. */
    @Test
    void anUnwritableOutputFolderIsRefusedWithTheReason(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("t.txt");
        Files.writeString(in, TEXT);
        Path locked = dir.resolve("locked");
        Files.createDirectories(locked);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        // root writes anywhere: then /proc (no regular files can be created there) is the unwritable folder
        Path folder = Files.isWritable(locked) ? Path.of("/proc") : locked;
        Assumptions.assumeTrue(Files.isDirectory(folder), "an unwritable folder");
        CramCommandTest.Outcome o = CramCommandTest.run("compress", in.toString(), "-o", folder.resolve("t.cram").toString());
        assertEquals(2, o.code(), o.err());
        String want = "cannot write in output folder " + folder + ": ";
        assertTrue(o.err().contains(want) && o.err().substring(o.err().indexOf(want) + want.length()).strip().length() > 3,
                o.err());
    }

    /** Issue 22 item 1: with a Mamba model compress exited 0 on a container decompress could not read. */
    @Test
    void mambaRoundTripsThroughTheCommands(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("t.txt");
        Files.writeString(in, "the cat sat on the mat, and then the dog sat on the cat.\n");
        String mamba = CramCommandTest.golden("mamba");
        CramCommandTest.Outcome c = CramCommandTest.run("compress", "--model", mamba, "--mem", "1", "--steps", "30",
                in.toString(), "-o", dir.resolve("m.cram").toString());
        assertEquals(0, c.code(), c.err());
        assertTrue(c.out().contains("chunk 1/1"), c.out());
        CramCommandTest.Outcome d = CramCommandTest.run("decompress", "--model", mamba, dir.resolve("m.cram").toString(),
                "-o", dir.resolve("back.txt").toString());
        assertEquals(0, d.code(), d.err());
        assertArrayEquals(Files.readAllBytes(in), Files.readAllBytes(dir.resolve("back.txt")));
    }

    @Test
    void aBadMemValueIsNamed(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("t.txt");
        Files.writeString(in, TEXT);
        CramCommandTest.Outcome o = CramCommandTest.run("compress", "--mem", "some", in.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("--mem must be auto or a number") && o.err().contains("'some'"), o.err());
    }
}
