package org.cramlab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The order in which {@link Lab#open(String)} finds its display functions. */
class DisplayHooksTest {
    private static final String FAKE = FakeKernelDisplay.class.getName();
    private static final List<String> ABSENT_THEN_FAKE = List.of("org.cramlab.notebook.NoSuchDisplay", FAKE);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    @BeforeEach
    @AfterEach
    void reset() {
        DisplayHooks.clear();
        FakeKernelDisplay.CALLS.clear();
    }

    @Test
    void registeredHooksComeFirst() {
        List<String> calls = new ArrayList<>();
        DisplayHooks.register(h -> {
            calls.add("show " + h);
            return "k-1";
        }, (id, h) -> calls.add("replace " + id + " " + h));
        DisplayHooks.Hooks hooks = DisplayHooks.find(ABSENT_THEN_FAKE, getClass().getClassLoader(), out);
        assertEquals("k-1", hooks.show().apply("<b>a</b>"));
        hooks.replace().accept("k-1", "<b>b</b>");
        assertEquals(List.of("show <b>a</b>", "replace k-1 <b>b</b>"), calls);
        assertEquals(List.of(), FakeKernelDisplay.CALLS);
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutRegisteredHooksAKernelDisplayClassIsUsedAsHtml() {
        DisplayHooks.Hooks hooks = DisplayHooks.find(ABSENT_THEN_FAKE, getClass().getClassLoader(), out);
        assertEquals(FAKE, hooks.source());
        String id = hooks.show().apply("<i>x</i>");
        hooks.replace().accept(id, "<i>y</i>");
        assertEquals(List.of("display text/html <i>x</i>", "update fake-1 text/html <i>y</i>"), FakeKernelDisplay.CALLS);
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aClassWithoutTheDisplayMethodsIsSkipped() {
        assertNull(DisplayHooks.reflective(String.class.getName(), getClass().getClassLoader()));
    }

    @Test
    void withNoKernelDisplayTheTextIsPrintedLineByLine() {
        DisplayHooks.Hooks hooks = DisplayHooks.find(List.of("org.cramlab.notebook.NoSuchDisplay"),
                getClass().getClassLoader(), out);
        assertEquals("plain text", hooks.source());
        String id = hooks.show().apply("<div><code>cram 1/3 a&lt;b</code></div>");
        hooks.replace().accept(id, "<div><code>cram 2/3</code></div>");
        assertEquals("cram 1/3 a<b\ncram 2/3\n", printed.toString(StandardCharsets.UTF_8).replace("\r\n", "\n"));
    }
}
