package org.cramlab.kernel.wire;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.reflect.TypeToken;
import io.github.spencerpark.jupyter.messages.KernelTimestamp;
import io.github.spencerpark.jupyter.messages.Header;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.adapters.HistoryRequestAdapter;
import io.github.spencerpark.jupyter.messages.adapters.KernelTimestampAdapter;
import io.github.spencerpark.jupyter.messages.adapters.MessageTypeAdapter;
import io.github.spencerpark.jupyter.messages.request.HistoryRequest;
import java.lang.reflect.Type;
import java.util.Map;

/**
 * Turns a checked {@link WireMessage} into basekernel's {@link Message}, whose handlers do the work.
 * Header fields other than {@code msg_id} and {@code msg_type} are optional here (a missing username
 * or date is not worth dropping a request for).
 */
public final class Decoder {
    private static final Gson GSON = new GsonBuilder()
            .registerTypeAdapter(KernelTimestamp.class, KernelTimestampAdapter.INSTANCE)
            .registerTypeAdapter(MessageType.class, MessageTypeAdapter.INSTANCE)
            .registerTypeAdapter(HistoryRequest.class, HistoryRequestAdapter.INSTANCE)
            .create();
    private static final Type MAP = new TypeToken<Map<String, Object>>() {}.getType();

    private Decoder() {}

    /** basekernel's message for {@code m}; a {@link BadMessage} for an unknown type or content that does not fit it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Message<?> decode(WireMessage m) throws BadMessage {
        MessageType<?> type = MessageType.getType(m.msgType());
        if (type == MessageType.UNKNOWN) {
            throw new BadMessage("unknown msg_type '" + WireParser.printable(m.msgType()) + "'");
        }
        Header<?> header = header(m.header(), type);
        Header<?> parent = null;
        JsonElement parentType = m.parentHeader().get("msg_type");
        if (parentType != null && parentType.isJsonPrimitive()) {
            parent = header(m.parentHeader(), MessageType.getType(parentType.getAsString()));
        }
        Object content;
        Map<String, Object> metadata;
        try {
            content = GSON.fromJson(m.content(), type.getContentType());
            metadata = GSON.fromJson(m.metadata(), MAP);
        } catch (RuntimeException e) {
            throw new BadMessage("content does not fit " + type.getName() + " (" + e.getClass().getSimpleName() + ")");
        }
        return new Message(m.identities(), header, parent, metadata, content, m.buffers());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Header<?> header(JsonObject h, MessageType<?> type) {
        return new Header(text(h, "msg_id", ""), text(h, "username", ""), text(h, "session", ""), date(h),
                type, text(h, "version", Header.PROTOCOL_VERISON));
    }

    private static String text(JsonObject o, String field, String otherwise) {
        JsonElement e = o.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : otherwise;
    }

    private static KernelTimestamp date(JsonObject h) {
        try {
            return h.has("date") ? GSON.fromJson(h.get("date"), KernelTimestamp.class) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
