package org.cramlab.kernel.wire;

import static org.cramlab.kernel.wire.SignerTest.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.ErrorReply;
import io.github.spencerpark.jupyter.messages.reply.ExecuteReply;
import io.github.spencerpark.jupyter.messages.request.ExecuteRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;

/** The routing channels on real sockets, with a stand-in execute handler: "fail" errors, anything else is ok. */
class KernelConnectionTest {
    private final Signer signer = Signer.of("hmac-sha256", "secret");
    private final List<String> executed = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private KernelConnection connection;
    private ZMQ.Context clientContext;
    private ZMQ.Socket shell;
    private ZMQ.Socket control;

    @BeforeAll
    static void quiet() {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }

    @BeforeEach
    void start() throws Exception {
        int[] ports = freePorts(5);
        KernelConnectionProperties props = new KernelConnectionProperties("127.0.0.1", ports[0], ports[1], ports[2], ports[3],
                ports[4], "tcp", "hmac-sha256", "secret");
        connection = new KernelConnection(props, new PrintStream(log, true, StandardCharsets.UTF_8));
        connection.setHandler(MessageType.EXECUTE_REQUEST, (env, message) -> {
            ExecuteRequest request = message.getContent();
            executed.add(request.getCode());
            if (request.getCode().equals("fail")) {
                sleep(300); // the requests behind it queue up meanwhile
                env.replyError(ExecuteReply.MESSAGE_TYPE.error(), new ErrorReply("Failure", "on purpose", List.of()));
            } else {
                env.reply(new ExecuteReply(executed.size(), Map.of()));
            }
        });
        connection.connect();
        clientContext = ZMQ.context(1);
        shell = dealer(ports[1]);
        control = dealer(ports[0]);
    }

    @AfterEach
    void stop() {
        if (clientContext != null) {
            shell.close();
            control.close();
            clientContext.close();
        }
        connection.close();
        connection.waitUntilClose();
    }

    @Test
    void garbageIsDroppedWithOneLineAndTheChannelGoesOn() {
        shell.sendMore("no delimiter");
        shell.send("at all");
        shell.sendMore(WireParser.DELIMITER);
        shell.send("short");
        send(shell, "0", true, "{\"msg_type\":\"execute_request\"}");
        send(shell, "1", true, null);
        assertEquals("ok", replyStatus(shell));
        assertEquals(List.of("1"), executed);
        String[] lines = logText().strip().split("\n");
        assertEquals(3, lines.length, logText());
        assertTrue(lines[0].startsWith("kernel: shell: dropped a message: no <IDS|MSG> delimiter"), lines[0]);
        assertTrue(lines[1].startsWith("kernel: shell: dropped a message: 1 frames after <IDS|MSG>"), lines[1]);
        assertTrue(lines[2].startsWith("kernel: shell: dropped a message: header has no msg_id"), lines[2]);
    }

    @Test
    void theControlChannelSurvivesGarbageToo() {
        control.send("garbage");
        send(control, "2", true, null);
        assertEquals("ok", replyStatus(control));
        assertTrue(logText().startsWith("kernel: control: dropped a message: no <IDS|MSG> delimiter"), logText());
    }

    @Test
    void anErrorWithStopOnErrorAbortsTheQueuedRequestsOnly() {
        send(shell, "fail", true, null);
        send(shell, "second", true, null);
        send(shell, "third", false, null);
        assertEquals(List.of("error", "aborted", "aborted"), List.of(replyStatus(shell), replyStatus(shell), replyStatus(shell)));
        assertEquals(List.of("fail"), executed);
        send(shell, "later", true, null);
        assertEquals("ok", replyStatus(shell));
        assertEquals(List.of("fail", "later"), executed);
    }

    @Test
    void aRequestSentRightAfterTheErrorReplyRuns() {
        for (int i = 0; i < 3; i++) { // what a client does on the error: send the next request at once
            send(shell, "fail", true, null);
            assertEquals("error", replyStatus(shell));
            send(shell, "after " + i, true, null);
            assertEquals("ok", replyStatus(shell));
        }
        assertEquals(List.of("fail", "after 0", "fail", "after 1", "fail", "after 2"), executed);
    }

    @Test
    void stopOnErrorFalseAbortsNothing() {
        send(shell, "fail", false, null);
        send(shell, "second", false, null);
        assertEquals(List.of("error", "ok"), List.of(replyStatus(shell), replyStatus(shell)));
        assertEquals(List.of("fail", "second"), executed);
    }

    private void send(ZMQ.Socket socket, String code, boolean stopOnError, String headerOverride) {
        String header = headerOverride != null ? headerOverride
                : "{\"msg_id\":\"" + UUID.randomUUID() + "\",\"msg_type\":\"execute_request\",\"username\":\"t\",\"session\":\"s\",\"version\":\"5.3\"}";
        JsonObject content = new JsonObject();
        content.addProperty("code", code);
        content.addProperty("stop_on_error", stopOnError);
        byte[][] parts = {bytes(header), bytes("{}"), bytes("{}"), bytes(content.toString())};
        socket.sendMore(WireParser.DELIMITER);
        socket.sendMore(signer.sign(parts));
        socket.sendMore(parts[0]);
        socket.sendMore(parts[1]);
        socket.sendMore(parts[2]);
        socket.send(parts[3]);
    }

    private static String replyStatus(ZMQ.Socket socket) {
        List<byte[]> frames = Frames.receive(socket, 0);
        assertNotNull(frames, "no reply within the receive timeout");
        int delimiter = 0;
        while (!new String(frames.get(delimiter), StandardCharsets.UTF_8).equals("<IDS|MSG>")) {
            delimiter++;
        }
        return JsonParser.parseString(new String(frames.get(delimiter + 5), StandardCharsets.UTF_8))
                .getAsJsonObject().get("status").getAsString();
    }

    private ZMQ.Socket dealer(int port) {
        ZMQ.Socket s = clientContext.socket(SocketType.DEALER);
        s.setReceiveTimeOut(10_000);
        s.setLinger(0);
        s.connect("tcp://127.0.0.1:" + port);
        return s;
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** Distinct free ports: all held open together while chosen, so none is handed out twice. */
    private static int[] freePorts(int n) throws IOException {
        ServerSocket[] held = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                held[i] = new ServerSocket(0);
                ports[i] = held[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
