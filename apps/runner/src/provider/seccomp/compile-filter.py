# compile-filter.py POLICY OUT: compiles the sandbox seccomp policy (JSON, from seccomp-policy.ts) into a classic BPF
# program with libseccomp, for `bwrap --seccomp FD` and seccomp-exec. Syscalls this architecture
# does not have are skipped; calls of other ABIs (i386, x32) are killed by libseccomp's default.
import errno
import json
import sys

import seccomp

with open(sys.argv[1]) as source:
    policy = json.load(source)
target = seccomp.SyscallFilter(seccomp.ALLOW)
for entry in policy:
    action = seccomp.ERRNO(getattr(errno, entry.get("errno", "EPERM")))
    when = entry.get("when")
    args = []
    if when and "mask" in when:
        args = [seccomp.Arg(when["index"], seccomp.MASKED_EQ, when["mask"], when["mask"])]
    elif when:
        args = [seccomp.Arg(when["index"], seccomp.EQ, when["equals"])]
    for name in entry["names"]:
        try:
            seccomp.resolve_syscall(seccomp.Arch.NATIVE, name)
        except (ValueError, RuntimeError):
            continue
        target.add_rule(action, name, *args)
with open(sys.argv[2], "wb") as out:
    target.export_bpf(out)
