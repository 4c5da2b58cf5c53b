package org.cramlab.kernel.wire;

import com.google.gson.JsonObject;
import java.util.List;

/**
 * One verified message as it came off the wire: routing identities, the four JSON parts (each a JSON
 * object, checked by {@link WireParser}) and any binary buffers.
 */
public record WireMessage(List<byte[]> identities, JsonObject header, JsonObject parentHeader, JsonObject metadata,
        JsonObject content, List<byte[]> buffers) {

    /** The header's {@code msg_type} (present: the parser requires it). */
    public String msgType() {
        return header.get("msg_type").getAsString();
    }
}
