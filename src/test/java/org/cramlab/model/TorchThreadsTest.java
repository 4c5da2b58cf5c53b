package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CRAMLAB_THREADS: a one-line error for what is not a thread count, a clamp to the processors for too many. */
class TorchThreadsTest {

    @Test
    void badValuesAreOneLineErrorsNamingTheValue() {
        for (String bad : new String[] {"abc", "0", "-1", "1.5", "", "99999999999"}) {
            if (bad.isEmpty()) continue;
            ModelException e = assertThrows(ModelException.class, () -> TorchThreads.parse(bad, 2, w -> {}));
            assertTrue(e.getMessage().contains("CRAMLAB_THREADS must be a whole number of PyTorch threads from 1 to 2")
                    && e.getMessage().contains("got '" + bad + "'") && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void tooManyThreadsAreClampedToTheProcessorsWithAWarning() {
        List<String> warnings = new ArrayList<>();
        assertEquals(2, TorchThreads.parse("100000", 2, warnings::add));
        assertEquals(List.of("cramlab: CRAMLAB_THREADS=100000 is more than this machine's 2 processors; using 2 threads"),
                warnings);
        assertEquals(2, TorchThreads.parse(" 2 ", 2, warnings::add));
        assertEquals(1, TorchThreads.parse(null, 8, warnings::add));
        assertEquals(1, TorchThreads.parse("  ", 8, warnings::add));
        assertEquals(3, TorchThreads.parse("3", 8, warnings::add));
        assertEquals(1, warnings.size());
    }
}
