package org.cramlab.kernel.wire;

import com.google.gson.JsonElement;
import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.publish.PublishStatus;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * The shell or control socket: reads one message at a time on its own thread, drops what
 * {@link WireParser} or {@link Decoder} rejects with one line on stderr, and hands the rest to the
 * connection's basekernel handler. Replies go out through basekernel's signing {@code sendMessage}.
 *
 * <p>On the shell socket an {@code execute_request} with {@code stop_on_error} (default true, as in
 * the messaging spec) that ends in error aborts every {@code execute_request} already queued behind
 * it: each gets an {@code aborted} reply without running (ipykernel's behaviour). "Queued" means
 * waiting when the error reply goes out, so nothing a client sends after seeing the error is aborted.
 * Other requests in the queue are still served.
 */
public final class RoutingChannel extends ShellChannel {
    private static final int POLL_MILLIS = 50;

    private final String name;
    private final boolean abortsAfterError;
    private final JupyterConnection connection;
    private final WireParser parser;
    private final PrintStream log;
    private volatile boolean running;
    /** Set while an execute request with stop_on_error runs on the shell socket. */
    private volatile boolean abortOnError;
    private final List<List<byte[]>> queuedAtError = new ArrayList<>();
    private Thread loop;

    /**
     * @param abortsAfterError true for the shell socket (stop_on_error), false for control
     * @param log where dropped messages are reported (stderr in the kernel)
     */
    public RoutingChannel(ZMQ.Context context, HMACGenerator hmac, Signer signer, String name, boolean abortsAfterError,
            JupyterConnection connection, PrintStream log) {
        super(context, hmac, !abortsAfterError, connection);
        this.name = name;
        this.abortsAfterError = abortsAfterError;
        this.connection = connection;
        this.parser = new WireParser(signer);
        this.log = log;
    }

    @Override
    public void bind(KernelConnectionProperties props) {
        int port = abortsAfterError ? props.getShellPort() : props.getControlPort();
        bind(props.getTransport() + "://" + props.getIp() + ":" + port);
    }

    /** Binds to {@code address} and starts serving on a thread of its own. */
    @Override
    public boolean bind(String address) {
        if (loop != null) {
            throw new IllegalStateException(name + " channel already bound");
        }
        boolean bound = super.bind(address);
        running = true;
        loop = new Thread(this::serve, "cramlab-" + name);
        loop.start();
        return bound;
    }

    private void serve() {
        try (ZMQ.Poller poller = ctx.poller(1)) {
            poller.register(this, ZMQ.Poller.POLLIN);
            while (running) {
                try {
                    if (poller.poll(POLL_MILLIS) > 0 && running) {
                        List<byte[]> frames = Frames.receive(this, ZMQ.DONTWAIT);
                        if (frames != null) {
                            handle(frames, false);
                        }
                    }
                } catch (ZMQException e) {
                    if (e.getErrorCode() == ZMQ.Error.ETERM.getCode()) {
                        break; // the context is closing: the kernel shuts down
                    }
                    log.println("kernel: " + name + ": socket error " + e.getErrorCode() + ", going on");
                } catch (RuntimeException | StackOverflowError e) { // no message may end the channel
                    log.println("kernel: " + name + ": dropped a message: " + e.getClass().getSimpleName() + " while handling it");
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                log.println("kernel: " + name + " channel stopped: " + e);
            }
        } finally {
            running = false;
            super.close();
        }
    }

    /** One message: dropped, aborted, or handled (then, after an error with stop_on_error, the queue is aborted). */
    void handle(List<byte[]> frames, boolean aborting) {
        WireMessage wire;
        Message<?> message;
        try {
            wire = parser.parse(frames);
            message = Decoder.decode(wire);
        } catch (BadMessage e) {
            log.println("kernel: " + name + ": dropped a message: " + e.getMessage());
            return;
        }
        boolean execute = message.getHeader().getType() == MessageType.EXECUTE_REQUEST;
        if (aborting && execute) {
            replyAborted(message);
            return;
        }
        abortOnError = abortsAfterError && execute && stopOnError(wire);
        queuedAtError.clear();
        dispatch(message);
        abortOnError = false;
        List<List<byte[]>> queued = new ArrayList<>(queuedAtError);
        queuedAtError.clear();
        for (List<byte[]> behind : queued) {
            handle(behind, true);
        }
    }

    /**
     * Takes every message already waiting; called just before an execute request's error reply goes
     * out, so that a request the client sends after seeing the error is not among them.
     */
    private void takeQueued() {
        List<byte[]> frames;
        while ((frames = Frames.receive(this, ZMQ.DONTWAIT)) != null) {
            queuedAtError.add(frames);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void dispatch(Message<?> message) {
        ShellHandler handler = connection.getHandler(message.getHeader().getType());
        if (handler == null) {
            log.println("kernel: " + name + ": dropped a message: no handler for " + message.getHeader().getType().getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
        try {
            handler.handle(env, message);
        } catch (Exception | StackOverflowError e) {
            log.println("kernel: " + name + ": " + message.getHeader().getType().getName() + " failed: " + e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) {
            connection.close();
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void replyAborted(Message<?> request) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("status", "aborted");
        connection.getIOPub().sendMessage(new Message<>(request, PublishStatus.MESSAGE_TYPE, PublishStatus.BUSY));
        sendMessage(new Message(request, MessageType.EXECUTE_REPLY, content));
        connection.getIOPub().sendMessage(new Message<>(request, PublishStatus.MESSAGE_TYPE, PublishStatus.IDLE));
    }

    /** The request's stop_on_error, true when absent (the messaging spec's default). */
    static boolean stopOnError(WireMessage request) {
        JsonElement flag = request.content().get("stop_on_error");
        return flag == null || !flag.isJsonPrimitive() || !flag.getAsJsonPrimitive().isBoolean() || flag.getAsBoolean();
    }

    /**
     * Before the error reply to an execute request with stop_on_error (basekernel types it
     * {@code execute_reply}'s error type), takes what is queued behind it, to be aborted.
     */
    @Override
    public synchronized void sendMessage(Message<?> message) {
        if (abortOnError && message.getHeader().getType() == MessageType.EXECUTE_REPLY.error()) {
            takeQueued();
        }
        super.sendMessage(message);
    }

    /** Stops serving; the channel's thread closes the socket on its way out. */
    @Override
    public void close() {
        running = false;
        if (loop == null) {
            super.close();
        }
    }

    @Override
    public void waitUntilClose() {
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
