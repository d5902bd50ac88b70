"""The lrlab kernel under jupyter_client's own KernelManager: the ipc transport, restart, and
an interrupt (interrupt_mode "message" from the kernelspec) stopping a busy loop with state kept."""
import time

from jupyter_client.manager import KernelManager


def run(kc, code, timeout=60):
    msg_id = kc.execute(code)
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    result = None
    while True:
        m = kc.get_iopub_msg(timeout=timeout)
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        if m["msg_type"] == "execute_result":
            result = m["content"]["data"]["text/plain"]
        if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
            return reply["content"], result


def test_ipc_transport_restart_and_interrupt():
    km = KernelManager(kernel_name="lrlab", transport="ipc")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        assert run(kc, "const kept = 6; kept * 7")[1] == "42"

        msg_id = kc.execute("for (;;) {}")
        time.sleep(1.0)
        t0 = time.time()
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=10)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = kc.get_shell_msg(timeout=10)
        assert time.time() - t0 < 1.0
        assert reply["content"]["ename"] == "KeyboardInterrupt"
        assert run(kc, "kept")[1] == "6"

        km.restart_kernel(now=False)
        kc.wait_for_ready(timeout=60)
        content, _ = run(kc, "typeof (globalThis as any).kept")
        assert content["status"] == "ok" and content["execution_count"] == 1
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not km.is_alive()
