"""A wire with a propagation delay between two network namespaces, for tests on a kernel without
netem: one TUN device in each namespace (both named by argv), and every IP packet read from one
is written to the other DELAY_MS later, in order. Loss is not done here: the tests drop packets
with iptables' statistic match, as on any Linux. Prints "ready" once both devices exist; runs
until killed or until its stdin closes (the test that started it went away).

usage: delay_line.py NAMESPACE_A NAMESPACE_B DEVICE DELAY_MS
"""

import ctypes
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter(namespace):
    fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {namespace}")
    finally:
        os.close(fd)


def tun(namespace, name):
    """A TUN device created in `namespace` (a device lives where its creator was)."""
    enter(namespace)
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    namespace_a, namespace_b, name, delay_ms = sys.argv[1:5]
    delay = float(delay_ms) / 1000
    a = tun(namespace_a, name)
    b = tun(namespace_b, name)
    peer = {a: b, b: a}
    # (due time, sequence, device to write to, packet): the sequence keeps equal times in order.
    pending = []
    sequence = 0
    print("ready", flush=True)
    while True:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else None
        readable, _, _ = select.select([a, b, sys.stdin], [], [], timeout)
        if sys.stdin in readable and not sys.stdin.buffer.read1(4096):
            return
        now = time.monotonic()
        for fd in readable:
            if fd is sys.stdin:
                continue
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                sequence += 1
                heapq.heappush(pending, (now + delay, sequence, peer[fd], packet))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, fd, packet = heapq.heappop(pending)
            try:
                os.write(fd, packet)
            except OSError:
                # A full queue (EAGAIN) or a device not up yet (EIO): the packet is lost, as on a wire.
                pass


if __name__ == "__main__":
    main()
