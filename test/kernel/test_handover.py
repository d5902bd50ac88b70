"""userC's finding (scratch/s15/userC/t22.py, t23.py): a second client of one KernelManager shares
its session id, so its sockets connect with the identity of the first client's; without ROUTER
handover (ipykernel sets router_handover on shell, control and stdin) the kernel refused them and
the second client's wait_for_ready timed out. With it, the newer connection takes over."""
from jupyter_client.manager import KernelManager


def reply_to(kc, msg_id, timeout=30):
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return reply


def test_second_client_with_the_same_session_gets_replies():
    km = KernelManager(kernel_name="lrlab")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc2 = None
    try:
        kc.wait_for_ready(timeout=60)
        kc2 = km.client()  # shares km.session: the same ZeroMQ identity
        kc2.start_channels()
        kc2.wait_for_ready(timeout=30)
        reply = reply_to(kc2, kc2.execute("const fromSecond = 6 * 7; fromSecond"))
        assert reply["content"]["status"] == "ok"
        # the first client's channels stopped, the second one still has the kernel
        kc.stop_channels()
        assert reply_to(kc2, kc2.execute("fromSecond + 1"))["content"]["status"] == "ok"
    finally:
        if kc2 is not None:
            kc2.stop_channels()
        kc.stop_channels()
        km.shutdown_kernel(now=False)
