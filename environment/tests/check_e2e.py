"""End-to-end test of the Java kernel through Jupyter (run by environment/tests/kernel-e2e).

Part 1 checks the executed notebooks that environment/run-notebooks wrote; part 2 drives the kernel
with jupyter_client for what a notebook run cannot show: interrupt, restart, shutdown, completion,
inspection. Prints one line per check and 'N passed, M failed'.

usage: check_e2e.py OUT_DIR RUNNER_EXIT_STATUS CLONE_DIR ROOT
"""
import json
import os
import sys

from jupyter_client.manager import start_new_kernel

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("PASS " if cond else "FAIL ") + name + ("" if cond else f"  -- {detail}"))


def summary():
    """Prints 'N passed, M failed'; the exit status for the checks so far."""
    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def outputs(nb, cell_id):
    for cell in nb["cells"]:
        if cell.get("id") == cell_id:
            return cell.get("outputs", [])
    raise KeyError(cell_id)


def text(outs, kind="stream", name="stdout"):
    return "".join("".join(o.get("text", "")) for o in outs if o["output_type"] == kind and o.get("name") == name)


def data(outs, mime, types=("execute_result", "display_data")):
    return ["".join(o["data"][mime]) if isinstance(o["data"][mime], list) else o["data"][mime]
            for o in outs if o["output_type"] in types and mime in o.get("data", {})]


def notebook_checks(out_dir, runner_status):
    check("run-notebooks writes into the caller's CRAMLAB_OUT", os.path.isfile(f"{out_dir}/kernel-e2e.ipynb")
          and os.path.isfile(f"{out_dir}/kernel-e2e.html"), sorted(os.listdir(out_dir)) if os.path.isdir(out_dir) else out_dir)
    nb = json.load(open(f"{out_dir}/kernel-e2e.ipynb"))
    bad = json.load(open(f"{out_dir}/kernel-e2e-error.ipynb"))
    check("runner exits non-zero when a notebook fails", runner_status != 0, f"status {runner_status}")
    check("printed line is a stdout stream", text(outputs(nb, "print")) == "printed line\n", outputs(nb, "print"))
    check("expression value is the execute_result", data(outputs(nb, "expression"), "text/plain", ("execute_result",)) == ["42"],
          outputs(nb, "expression"))
    check("method from one cell used in the next", data(outputs(nb, "use"), "text/plain", ("execute_result",)) == ["42"],
          outputs(nb, "use"))
    check("%jars loads a jar", data(outputs(nb, "jars"), "text/plain") == ["hello jars"], outputs(nb, "jars"))
    check("display(html) is text/html display_data", data(outputs(nb, "html"), "text/html", ("display_data",)) == ["<b>html display</b>"],
          outputs(nb, "html"))
    check("updateDisplay replaced the output", data(outputs(nb, "update"), "text/html") == ["<i>after update</i>"],
          outputs(nb, "update"))
    check("markdown display", data(outputs(nb, "markdown"), "text/markdown") == ["**markdown display**"], outputs(nb, "markdown"))
    table = data(outputs(nb, "table"), "text/html")
    check("Tablesaw table renders as an HTML table",
          len(table) == 1 and "<table" in table[0] and "<th>n</th><th>s</th>" in table[0] and "<td>3</td><td>c</td>" in table[0], table)
    fig1 = data(outputs(nb, "figure"), "text/html")
    fig2 = data(outputs(nb, "figure2"), "text/html")
    check("first figure inlines plotly.js 2.35.3 hiding AMD define",
          len(fig1) == 1 and "plotly.js v2.35.3" in fig1[0] and "window.define = undefined" in fig1[0] and "Plotly.newPlot" in fig1[0],
          [f[:200] for f in fig1])
    check("second figure reuses the page's plotly", len(fig2) == 1 and "plotly.js v2" not in fig2[0] and "Plotly.newPlot" in fig2[0],
          [f[:200] for f in fig2])
    check("figures load no script from elsewhere", all("<script src" not in f for f in fig1 + fig2))
    check("figures carry a static PNG inside their HTML", len(fig1 + fig2) == 2
          and all('<img id="cramlab_plot_' in f and 'src="data:image/png;base64,' in f for f in fig1 + fig2), [f[:200] for f in fig1 + fig2])
    plain = data(outputs(nb, "figure"), "text/plain") + data(outputs(nb, "table"), "text/plain")
    check("text/plain of a figure and a table is one line saying what it is", len(plain) == 2
          and plain[0].startswith("Figure: ") and plain[1].startswith("Table: ") and all("\n" not in p for p in plain), plain)
    check("BufferedImage renders as PNG", len(data(outputs(nb, "image"), "image/png")) == 1, outputs(nb, "image"))
    prog = data(outputs(nb, "progress"), "text/html")
    check("Progress updates one display in place", len(prog) == 1 and "e2e 3/3 (100%)" in prog[0], prog)
    check("stderr is a stderr stream", text(outputs(nb, "stderr"), name="stderr") == "to stderr\n", outputs(nb, "stderr"))
    check("profile reaches the notebook as CRAMLAB_PROFILE", data(outputs(nb, "env"), "text/plain") == ["smoke"], outputs(nb, "env"))
    errors = [o for o in outputs(bad, "boom") if o["output_type"] == "error"]
    evalue = errors[0]["evalue"] if errors else ""
    check("exception cell gives an error naming the cell line",
          "cell line 3" in evalue and "IllegalStateException: boom on purpose" in evalue, errors)
    check("execution stops at the failing cell", outputs(bad, "never") == [], outputs(bad, "never"))


def run(kc, code, timeout=120):
    """Executes code; returns (reply content, list of iopub messages)."""
    msg_id = kc.execute(code)
    msgs = []
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        msgs.append(m)
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            break
    return shell_reply(kc, msg_id, timeout), msgs


def shell_reply(kc, msg_id, timeout=120):
    """The shell reply to msg_id, skipping replies to earlier requests."""
    while True:
        m = kc.get_shell_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") == msg_id:
            return m["content"]


def result_text(msgs):
    return [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]


def interactive_checks():
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=120)
    try:
        reply, _ = run(kc, "int counter = 0;")
        check("kernel answers", reply["status"] == "ok", reply)

        msg_id = kc.execute('System.out.println("looping");\nwhile (true) { counter++; }')
        # wait until the loop runs, then interrupt it
        while True:
            m = kc.get_iopub_msg(timeout=60)
            if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "stream":
                break
        km.interrupt_kernel()
        reply = shell_reply(kc, msg_id)
        check("interrupt stops a running cell with an error reply",
              reply["status"] == "error" and "Interrupted" in reply.get("evalue", ""), reply)
        reply, msgs = run(kc, "counter >= 0")
        check("kernel survives the interrupt", result_text(msgs) == ["true"], msgs)

        reply, msgs = run(kc, "int x = ;")
        check("compile error is an error reply naming the line",
              reply["status"] == "error" and "cell line 1" in reply.get("evalue", ""), reply)

        comp = shell_reply(kc, kc.complete("Strin", 5))
        check("completion suggests String", "String" in comp.get("matches", []), comp)
        insp = shell_reply(kc, kc.inspect("Math.max", 8))
        check("inspection shows a signature", insp.get("found") and "max(" in insp["data"].get("text/plain", ""), insp)

        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=120)
        reply, msgs = run(kc, "int fresh = 5;\nfresh")
        check("restart gives a working fresh kernel", result_text(msgs) == ["5"], msgs)
        reply, _ = run(kc, "counter")
        check("restart forgot earlier state", reply["status"] == "error", reply)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    check("shutdown ends the kernel process", not km.is_alive())


def checkout_checks(clone, root):
    """A kernel started in another checkout's notebooks/ folder (as Jupyter starts it for a notebook there)
    puts its run folder in that checkout, whichever clone installed the kernel and whatever CRAMLAB_ROOT says."""
    env = {k: v for k, v in os.environ.items() if k != "CRAMLAB_OUT"}
    env["CRAMLAB_ROOT"] = root
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=120, cwd=f"{clone}/notebooks", env=env)
    try:
        reply, msgs = run(kc, 'org.cramlab.run.Profile.outDir(System.getenv(), "nb").toString()')
        got = [t.strip('"') for t in result_text(msgs)]
        check("a notebook's run folder is in its own checkout", got == [f"{clone}/out/runs/nb"], (got, reply))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    notebook_checks(sys.argv[1], int(sys.argv[2]))
    interactive_checks()
    checkout_checks(sys.argv[3], sys.argv[4])
    sys.exit(summary())
