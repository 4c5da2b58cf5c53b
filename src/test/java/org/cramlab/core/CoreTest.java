package org.cramlab.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoreTest {

    @Test
    void versionsComeFromTheBuildAndTheEngine() throws Exception {
        Map<String, String> v = Versions.all();
        assertEquals(java.util.List.of("cramlab", "djl", "pytorch", "java", "os"), java.util.List.copyOf(v.keySet()));
        // the pom's own <version> (the first one after <artifactId>cramlab</artifactId>), via build.properties
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>cramlab</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "pom.xml names cramlab's version");
        assertEquals(m.group(1), v.get("cramlab"));
        assertEquals(Engine.getDjlVersion(), v.get("djl"));
        assertEquals(Engine.getEngine("PyTorch").getVersion(), v.get("pytorch"));
        assertEquals(System.getProperty("java.version"), v.get("java"));
    }

    @Test
    void sha256MatchesTheStandardVectors(@TempDir Path dir) throws Exception {
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; // FIPS 180-2, "abc"
        assertEquals(abc, Hashing.sha256("abc"));
        assertEquals(abc, Hashing.sha256("abc".getBytes(StandardCharsets.US_ASCII)));
        Path f = dir.resolve("abc.txt");
        Files.writeString(f, "abc");
        assertEquals(abc, Hashing.sha256(f));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hashing.sha256(""));
        CramlabException e = assertThrows(CramlabException.class, () -> Hashing.sha256(dir.resolve("none")));
        assertTrue(e.getMessage().contains(dir.resolve("none").toString()), e.getMessage());
    }

    @Test
    void homeFollowsThePropertyThenTheDefault() {
        String old = System.getProperty("cramlab.home");
        try {
            System.setProperty("cramlab.home", "/tmp/somewhere");
            assertEquals(Path.of("/tmp/somewhere"), CramlabHome.dir());
            assertEquals(Path.of("/tmp/somewhere/corpus"), CramlabHome.corpusDir());
            System.clearProperty("cramlab.home");
            assertFalse(CramlabHome.dir().toString().isBlank());
        } finally {
            if (old == null) System.clearProperty("cramlab.home");
            else System.setProperty("cramlab.home", old);
        }
    }
}
