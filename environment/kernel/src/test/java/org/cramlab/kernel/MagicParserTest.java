package org.cramlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

class MagicParserTest {

    @Test
    void lineMagicsSplitTheCodeAndKeepCellLines() {
        List<MagicParser.Part> parts = MagicParser.parse("int a = 1;\n%jars lib/*.jar \"my dir/x.jar\"\n\nint b = a;\n  %maven g:a:1\n");
        assertEquals(4, parts.size());
        assertEquals(new MagicParser.Code("int a = 1;\n", 1), parts.get(0));
        MagicParser.LineMagic jars = assertInstanceOf(MagicParser.LineMagic.class, parts.get(1));
        assertEquals("jars", jars.name());
        assertEquals(List.of("lib/*.jar", "my dir/x.jar"), jars.args());
        assertEquals(2, jars.line());
        assertEquals(new MagicParser.Code("\nint b = a;\n", 3), parts.get(2));
        MagicParser.LineMagic maven = assertInstanceOf(MagicParser.LineMagic.class, parts.get(3));
        assertEquals(List.of("g:a:1"), maven.args());
        assertEquals(5, maven.line());
    }

    @Test
    void cellMagicTakesTheWholeCell() {
        List<MagicParser.Part> parts = MagicParser.parse("\n%%loadFromPOM\n<dependency>\n%notALineMagic\n");
        MagicParser.CellMagic m = assertInstanceOf(MagicParser.CellMagic.class, parts.get(0));
        assertEquals(1, parts.size());
        assertEquals("loadFromPOM", m.name());
        assertEquals("<dependency>\n%notALineMagic\n", m.body());
    }

    @Test
    void percentNotFollowedByANameIsCode() {
        List<MagicParser.Part> parts = MagicParser.parse("int r = 7\n% 3;");
        assertEquals(List.of(new MagicParser.Code("int r = 7\n% 3;\n", 1)), parts);
    }

    @Test
    void argumentsHonourQuotesAndEscapes() {
        assertEquals(List.of("a b", "c", "d e", "f\"g"), MagicParser.splitArgs(" 'a b'  c d\\ e f\\\"g "));
        assertEquals(List.of(""), MagicParser.splitArgs("\"\""));
        assertEquals(List.of(), MagicParser.splitArgs("   "));
    }
}
