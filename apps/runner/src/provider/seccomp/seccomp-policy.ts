/**
 * The seccomp policy of every sandbox, in one place (README "Security"). Everything not listed is
 * allowed: the sandbox is a Linux machine for untrusted code, so the list takes away what reaches
 * the kernel's riskiest surfaces or the host, not what programs need. Denied calls fail with
 * EPERM (clone3 with ENOSYS, so libc falls back to clone, whose flags can be checked).
 */
export interface DeniedSyscall {
  names: string[];
  why: string;
  /** Only when the argument at `index` has every bit of `mask` set (or, with `equals`, is that value). */
  when?: { index: number; mask?: number; equals?: number };
  errno?: 'EPERM' | 'ENOSYS';
}

// clone(2)/unshare(2) flags of every namespace kind.
const CLONE_NEW = {
  NEWTIME: 0x80, NEWNS: 0x20000, NEWCGROUP: 0x2000000, NEWUTS: 0x4000000,
  NEWIPC: 0x8000000, NEWUSER: 0x10000000, NEWPID: 0x20000000, NEWNET: 0x40000000,
};
// The ioctl that sets an inode's project id and extended flags.
const FS_IOC_FSSETXATTR = 0x401c5820;

export const DENIED_SYSCALLS: DeniedSyscall[] = [
  { names: ['init_module', 'finit_module', 'delete_module', 'create_module', 'query_module', 'get_kernel_syms'], why: 'kernel modules' },
  { names: ['kexec_load', 'kexec_file_load', 'reboot'], why: 'replacing or rebooting the kernel' },
  { names: ['bpf'], why: 'eBPF programs: a large kernel surface, and maps shared across the host' },
  { names: ['perf_event_open'], why: 'performance counters: side channels and a history of kernel bugs' },
  { names: ['keyctl', 'add_key', 'request_key'], why: 'the kernel keyring is not namespaced' },
  { names: ['userfaultfd'], why: 'stalls kernel code at will, the usual step of race exploits' },
  { names: ['ptrace', 'process_vm_readv', 'process_vm_writev', 'kcmp'], why: 'no debugging of other processes: simpler to reason about than ptrace confined to the pid namespace' },
  {
    names: ['mount', 'umount', 'umount2', 'pivot_root', 'move_mount', 'open_tree', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr'],
    why: 'no mounts at all: the sandbox root was built by the runner, nothing inside changes it',
  },
  ...Object.entries(CLONE_NEW).flatMap(([flag, mask]): DeniedSyscall[] => [
    { names: ['unshare'], why: `no new namespaces (CLONE_${flag}): no nested user namespace, no netfilter or mount tables of its own`, when: { index: 0, mask } },
    { names: ['clone'], why: `no new namespaces (CLONE_${flag})`, when: { index: 0, mask } },
  ]),
  { names: ['clone3'], why: 'its flags are in memory a filter cannot read: ENOSYS makes libc use clone', errno: 'ENOSYS' },
  { names: ['ioctl'], why: 'FS_IOC_FSSETXATTR: no changing project ids or extended flags under the disk limit', when: { index: 1, equals: FS_IOC_FSSETXATTR } },
  { names: ['open_by_handle_at', 'name_to_handle_at'], why: 'file handles bypass the mount namespace' },
  { names: ['io_uring_setup', 'io_uring_enter', 'io_uring_register'], why: 'io_uring: a large kernel surface that seccomp cannot see through' },
  { names: ['swapon', 'swapoff', 'acct', 'quotactl', 'quotactl_fd', 'nfsservctl', 'uselib', 'lookup_dcookie', 'vm86', 'vm86old', 'iopl', 'ioperm'], why: 'host administration and obsolete interfaces' },
  { names: ['settimeofday', 'clock_settime', 'clock_adjtime', 'stime'], why: 'the clock is the host\'s' },
];
