"""Protocol robustness of the Java kernel (run by environment/tests/kernel-e2e).

Part 1: a second client sends one malformed or forged message on the shell (or control) socket of a
fresh kernel; the first client must still get answers, and code carried by a rejected message must
not run (it would create a file). Part 2: Run All after an error: three execute_requests queued at
once with stop_on_error, the first failing, get error, aborted, aborted and the aborted ones do not
run; a later request runs; with stop_on_error false nothing is aborted.
Prints one line per check and 'N passed, M failed'.

usage: check_protocol.py WORK_DIR
"""
import hashlib
import hmac
import json
import os
import sys
import time
import uuid

import zmq
from jupyter_client.manager import start_new_kernel

from check_e2e import check, summary

DELIM = b"<IDS|MSG>"


def java_string(s):
    return json.dumps(s)  # a JSON string literal is a valid Java string literal for plain paths


def touch_code(path):
    return f"java.nio.file.Files.createFile(java.nio.file.Path.of({java_string(path)}));"


class Forger:
    """A second client on the kernel's sockets that builds frames by hand."""

    def __init__(self, km, channel="shell"):
        info = km.get_connection_info()
        self.key = info["key"] if isinstance(info["key"], bytes) else info["key"].encode()
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.linger = 0
        self.sock.connect(f"{info['transport']}://{info['ip']}:{info[channel + '_port']}")

    def sign(self, *parts, key=None):
        mac = hmac.new(key or self.key, digestmod=hashlib.sha256)
        for p in parts:
            mac.update(p)
        return mac.hexdigest().encode()

    @staticmethod
    def header(msg_type="execute_request", drop=()):
        h = {"msg_id": uuid.uuid4().hex, "username": "forger", "session": uuid.uuid4().hex,
             "date": "2026-01-01T00:00:00.000000Z", "msg_type": msg_type, "version": "5.3"}
        for k in drop:  # fields left out
            h.pop(k, None)
        return h

    def signed(self, header, content, key=None):
        """Frames of a message whose four JSON parts are given as bytes or JSON values, correctly signed with key."""
        parts = [p if isinstance(p, bytes) else json.dumps(p).encode() for p in (header, {}, {}, content)]
        return [DELIM, self.sign(*parts, key=key)] + parts

    def send(self, frames):
        self.sock.send_multipart(frames)

    def reply(self, timeout=30):
        if not self.sock.poll(timeout * 1000):
            return None
        frames = self.sock.recv_multipart()
        i = frames.index(DELIM)
        return json.loads(frames[i + 2]), json.loads(frames[i + 5])

    def close(self):
        self.sock.close()
        self.ctx.term()


def answers(kc, timeout=30):
    """Whether the kernel answers a kernel_info_request on the shell socket within timeout seconds."""
    try:
        kc.kernel_info()
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
            if m["msg_type"] == "kernel_info_reply":
                return True
    except Exception:  # queue.Empty on timeout
        return False
    return False


def bad_messages(f, work):
    """(name, frames) of each malformed or forged message; executing any of them would create a file in work."""
    code = lambda n: {"code": touch_code(f"{work}/forged-{n}"), "silent": False, "store_history": True,
                      "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
    hdr = f.header()
    return [
        ("execute_request with a wrong HMAC signature", f.signed(f.header(), code(1), key=b"not-the-key")),
        ("signed, header frame not JSON", f.signed(b"{not json", code(2))),
        ("signed execute_request, content a JSON array", f.signed(f.header(), [code(3)["code"]])),
        ("message cut after the header frame (3 frames)", f.signed(hdr, code(4))[:3]),
        ("frames with no <IDS|MSG> delimiter", f.signed(f.header(), code(5))[2:]),
        ("signed header without msg_type", f.signed(f.header(drop=["msg_type"]), code(6))),
        # a few more
        ("signed header without msg_id", f.signed(f.header(drop=["msg_id"]), code(7))),
        ("signed, unknown msg_type", f.signed(f.header("bogus_request"), code(8))),
        ("signed execute_request, code an object", f.signed(f.header(), {"code": {"x": 1}})),
        ("signature of another message", f.signed(f.header(), code(10))[:2] + f.signed(f.header(), code(10))[2:-1]
         + [json.dumps(code(10)).replace("forged-10", "forged-11").encode()]),
        ("a single empty frame", [b""]),
        ("signed, header a JSON string", f.signed("execute_request", code(12))),
    ]


def start(log):
    """A fresh kernel whose stderr goes to the file log."""
    return start_new_kernel(kernel_name="java", startup_timeout=120, stderr=open(log, "a"))


def dropped_lines(log):
    return [l for l in open(log).read().splitlines() if "dropped a message" in l]


def wait_for_lines(log, before, timeout=20):
    """The 'dropped' lines logged after the first `before`, once there is one (or after timeout seconds)."""
    deadline = time.time() + timeout
    while len(dropped_lines(log)) <= before and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # a second line, if any, would come right after
    return dropped_lines(log)[before:]


def forged_messages_checks(work):
    os.makedirs(work, exist_ok=True)
    log = f"{work}/../kernel-stderr.log"
    km, kc = start(log)
    f = Forger(km)
    try:
        # The six cases, each on a fresh kernel; the further cases share one.
        for n in range(len(bad_messages(f, work))):
            if 0 < n <= 6:
                f.close()
                kc.stop_channels()
                km.shutdown_kernel(now=True)
                km, kc = start(log)
                f = Forger(km)
            name, frames = bad_messages(f, work)[n]  # signed with this kernel's key
            before = len(dropped_lines(log))
            f.send(frames)
            lines = wait_for_lines(log, before)  # the kernel has read the message (a second socket may lag the first)
            check(f"shell: one stderr line naming the reason, not the payload: {name}",
                  len(lines) == 1 and "forged" not in lines[0], lines)
            check(f"shell: kernel answers after: {name}", answers(kc), name)
        check("no forged code ran", not [p for p in os.listdir(work) if p.startswith("forged-")], sorted(os.listdir(work)))

        # a short message must not take the frames of the next one: the valid request after it runs
        after = f"{work}/after-short"
        f.send(f.signed(f.header(), {"code": "1"})[:3])
        f.send(f.signed(f.header(), {"code": touch_code(after), "silent": False, "store_history": False,
                                     "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
        got = f.reply()
        check("a request right after a short message runs and is answered",
              got is not None and got[1].get("status") == "ok" and os.path.exists(after), got)

        control = Forger(km, "control")
        try:
            for name, frames in bad_messages(control, work)[:6]:
                control.send(frames)
            control.send(control.signed(control.header("kernel_info_request"), {}))
            got = control.reply()
            check("control: answers after the six bad messages",
                  got is not None and got[0]["msg_type"] == "kernel_info_reply", got)
        finally:
            control.close()
        check("still no forged code ran", not [p for p in os.listdir(work) if p.startswith("forged-")], sorted(os.listdir(work)))
    finally:
        f.close()
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def replies(kc, msg_ids, timeout=120):
    got = {}
    while len(got) < len(msg_ids):
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") in msg_ids:
            got[m["parent_header"]["msg_id"]] = m["content"]["status"]
    return [got[i] for i in msg_ids]


def run_all_checks(work):
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=120)
    try:
        fail = 'throw new IllegalStateException("parameters cell failed");'
        ids = [kc.execute(fail), kc.execute(touch_code(f"{work}/ran-2")), kc.execute(touch_code(f"{work}/ran-3"))]
        got = replies(kc, ids)
        check("Run All after an error: error, aborted, aborted", got == ["error", "aborted", "aborted"], got)
        check("aborted cells did not run", not os.path.exists(f"{work}/ran-2") and not os.path.exists(f"{work}/ran-3"))
        got = replies(kc, [kc.execute(touch_code(f"{work}/ran-later"))])
        check("a request sent after the abort runs", got == ["ok"] and os.path.exists(f"{work}/ran-later"), got)
        ids = [kc.execute(fail, stop_on_error=False), kc.execute("int a = 1;", stop_on_error=False),
               kc.execute("int b = 2;", stop_on_error=False)]
        got = replies(kc, ids)
        check("stop_on_error false aborts nothing: error, ok, ok", got == ["error", "ok", "ok"], got)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    forged_messages_checks(os.path.join(sys.argv[1], "forged"))
    run_all_checks(sys.argv[1])
    sys.exit(summary())
