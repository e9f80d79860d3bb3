"""Limits a query worker process puts on itself before it runs anything: no network, bounded memory, a big stack.

* **No network** (defence in depth behind the parse-based guard of ``kg.store.guard``): pyoxigraph 0.5 has no
  option to switch off its HTTP client (``SERVICE``, ``LOAD``), so the worker installs a seccomp filter that makes
  ``socket()`` fail with ``EACCES`` for every address family but ``AF_UNIX`` (the worker talks to the server over a
  Unix socket). Unprivileged (``PR_SET_NO_NEW_PRIVS``), inherited by every thread the worker starts afterwards;
  x86-64 and aarch64. Measured: a ``SERVICE`` query sent straight to a sandboxed worker fails with "Permission
  denied" and the loopback listener it names sees no connection (tests/test_workers.py).
* **Memory**: ``RLIMIT_DATA`` (private writable memory: heap, anonymous maps), not ``RLIMIT_AS``: the store's
  files mapped by RocksDB do not count, so the limit means what the query itself holds. Measured with pyoxigraph
  0.5.13: a runaway ``CONSTRUCT … ORDER BY`` under a 1 GiB limit aborts the worker ("memory allocation … failed",
  SIGABRT) at the limit instead of growing to 14 GB; the server answers ``503 query_memory``.
* **Stack**: queries run in a thread with a ``STACK_MB`` stack (the engine recurses over the query's nesting; on
  the 8 MB main stack 1,600 nested ``{`` segfault it, on a 256 MB thread stack 25,600 do not).
"""

from __future__ import annotations

import ctypes
import logging
import platform
import resource
import socket
import struct

log = logging.getLogger("kg.server")
STACK_MB = 64

_PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 38, 22, 2
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_EACCES = 13
# machine → (AUDIT_ARCH_*, syscall numbers of socket())
_ARCH = {"x86_64": (0xC000003E, (41, 0x40000000 | 41)), "aarch64": (0xC00000B7, (198,))}
_LD_W_ABS, _JEQ_K, _RET_K = 0x20, 0x15, 0x06


def _filter(arch: int, numbers: tuple[int, ...]) -> bytes:
    """The BPF program: wrong arch → EACCES for everything; socket(family != AF_UNIX) → EACCES; else allow."""
    prog: list[tuple[int, int, int, int]] = [(_LD_W_ABS, 0, 0, 4)]  # seccomp_data.arch
    prog.append((_JEQ_K, 0, 0, arch))  # patched below (jumps are relative): jf → deny
    prog.append((_LD_W_ABS, 0, 0, 0))  # seccomp_data.nr
    prog.extend((_JEQ_K, 0, 0, n) for n in numbers)  # patched: jt → the family check
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    family_at = len(prog)
    prog.append((_LD_W_ABS, 0, 0, 16))  # seccomp_data.args[0] (low 32 bits): the address family
    prog.append((_JEQ_K, 0, 0, socket.AF_UNIX))  # patched: jt → allow, jf → deny
    allow_at = len(prog)
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    deny_at = len(prog)
    prog.append((_RET_K, 0, 0, _RET_ERRNO | _EACCES))
    code, _, _, k = prog[1]
    prog[1] = (code, 0, deny_at - 2, k)
    for i in range(3, 3 + len(numbers)):
        code, _, _, k = prog[i]
        prog[i] = (code, family_at - i - 1, 0, k)
    code, _, _, k = prog[family_at + 1]
    prog[family_at + 1] = (code, allow_at - family_at - 2, deny_at - family_at - 2, k)
    return b"".join(struct.pack("HBBI", *ins) for ins in prog)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def block_network() -> bool:
    """Install the no-network filter in this process (this thread and the threads it starts); False (and a
    warning) where it cannot be installed — the parse-based guard still refuses SERVICE and LOAD there."""
    arch = _ARCH.get(platform.machine())
    if arch is None:
        log.warning("no seccomp filter for %s: query workers keep network access (SERVICE/LOAD are still refused "
                    "by the guard)", platform.machine())
        return False
    program = _filter(*arch)
    buf = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
            libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        log.warning("could not install the seccomp filter (errno %d): query workers keep network access",
                    ctypes.get_errno())
        return False
    return True


def limit_memory(megabytes: int) -> None:
    """Cap this process' private writable memory (``RLIMIT_DATA``) at ``megabytes`` (0: no cap)."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
