package org.cramlab.kernel.wire;

import static org.cramlab.kernel.wire.WireParserTest.EXECUTE;
import static org.cramlab.kernel.wire.WireParserTest.HEADER;
import static org.cramlab.kernel.wire.WireParserTest.frames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import org.junit.jupiter.api.Test;

class DecoderTest {
    private final WireParser parser = new WireParser(WireParserTest.SIGNER);

    @Test
    void anExecuteRequestBecomesBasekernelsMessage() throws BadMessage {
        Message<?> m = Decoder.decode(parser.parse(frames(HEADER, EXECUTE)));
        assertEquals(MessageType.EXECUTE_REQUEST, m.getHeader().getType());
        assertEquals("m1", m.getHeader().getId());
        assertEquals("s", m.getHeader().getSessionId());
        assertEquals("1 + 1", ((ExecuteRequest) m.getContent()).getCode());
        assertNull(m.getParentHeader());
    }

    @Test
    void optionalHeaderFieldsMayBeMissing() throws BadMessage {
        Message<?> m = Decoder.decode(parser.parse(frames("{\"msg_id\":\"m2\",\"msg_type\":\"kernel_info_request\"}", "{}")));
        assertEquals(MessageType.KERNEL_INFO_REQUEST, m.getHeader().getType());
        assertEquals("", m.getHeader().getUsername());
    }

    @Test
    void anUnknownTypeOrUnfittingContentIsRejected() throws BadMessage {
        WireMessage unknown = parser.parse(frames("{\"msg_id\":\"m\",\"msg_type\":\"bogus_request\"}", "{}"));
        assertEquals("unknown msg_type 'bogus_request'", assertThrows(BadMessage.class, () -> Decoder.decode(unknown)).getMessage());
        WireMessage unfitting = parser.parse(frames(HEADER, "{\"code\":{\"x\":1}}"));
        assertTrue(assertThrows(BadMessage.class, () -> Decoder.decode(unfitting)).getMessage()
                .startsWith("content does not fit execute_request"));
    }

    @Test
    void stopOnErrorDefaultsToTrue() throws BadMessage {
        assertTrue(RoutingChannel.stopOnError(parser.parse(frames(HEADER, "{\"code\":\"1\"}"))));
        assertEquals(false, RoutingChannel.stopOnError(parser.parse(frames(HEADER, "{\"code\":\"1\",\"stop_on_error\":false}"))));
    }
}
