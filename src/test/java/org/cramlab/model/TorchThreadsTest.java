package org.cramlab.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TorchThreadsTest {

    private static final String KEY = "ai.djl.pytorch.num_threads";

    @Test
    void setsThreadsOnlyWhenTheUserDidNot() {
        String before = System.getProperty(KEY);
        try {
            System.clearProperty(KEY);
            TorchThreads.configure(3);
            assertEquals("3", System.getProperty(KEY), "unset: cramlab's value is used");
            TorchThreads.configure(1);
            assertEquals("3", System.getProperty(KEY), "an explicit -D value wins over later calls");
        } finally {
            if (before == null) {
                System.clearProperty(KEY);
            } else {
                System.setProperty(KEY, before);
            }
        }
    }

    @Test
    void rejectsFewerThanOneThreadNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TorchThreads.configure(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }
}
