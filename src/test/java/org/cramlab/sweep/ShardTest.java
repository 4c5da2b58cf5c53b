package org.cramlab.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShardTest {

    @Test
    void parsesAndPrintsSpec() {
        Shard s = Shard.parse(" 2/8 ");
        assertEquals(new Shard(2, 8), s);
        assertEquals("2/8", s.toString());
        assertEquals(new Shard(0, 1), Shard.all());
    }

    @Test
    void rejectsBadSpecsWithTheValue() {
        for (String bad : new String[] {"3/3", "-1/2", "1", "a/b", "1/0", "", "99999999999/99999999999"}) {
            SweepException e = assertThrows(SweepException.class, () -> Shard.parse(bad), bad);
            assertTrue(e.getMessage().contains("shard"), e.getMessage());
        }
        assertThrows(SweepException.class, () -> Shard.parse(null));
    }

    @Test
    void writerNameRoundTripsToItsShard() {
        Shard s = new Shard(3, 7);
        String name = s.writerName("slurm1234");
        assertEquals("shard-3-of-7-slurm1234", name);
        assertEquals(Optional.of(s), Shard.ofWriterName(name));
        assertEquals(Optional.empty(), Shard.ofWriterName("notebook"));
        assertEquals(Optional.empty(), Shard.ofWriterName("shard-7-of-7-x"));
        assertThrows(SweepException.class, () -> s.writerName("a/b"));
        assertThrows(SweepException.class, () -> s.writerName(""));
    }

    @Test
    void writerTagIsTheSlurmJobInsideSlurmElseHostAndPid() {
        assertEquals("slurm42", Shard.writerTag(Map.of("SLURM_JOB_ID", "42"), "node1-7"));
        assertEquals("slurm42", Shard.writerTag(Map.of("SLURM_JOB_ID", "42", "SLURM_RESTART_COUNT", "0"), "n-7"));
        assertEquals("slurm42-r2", Shard.writerTag(Map.of("SLURM_JOB_ID", "42", "SLURM_RESTART_COUNT", "2"), "n-7"));
        assertEquals("node1-77", Shard.writerTag(Map.of(), "node1-77"));
        assertEquals("node1-77", Shard.writerTag(Map.of("SLURM_JOB_ID", ""), "node1-77"));
        // Two processes of the same shard never share a writer file.
        String here = Shard.currentWriterTag();
        assertTrue(here.endsWith("-" + ProcessHandle.current().pid()) || here.startsWith("slurm"), here);
        assertNotEquals(new Shard(0, 2).writerName(here), new Shard(1, 2).writerName(here));
    }
}
