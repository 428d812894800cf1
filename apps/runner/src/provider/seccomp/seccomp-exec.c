/*
 * seccomp-exec FILTER PROGRAM [ARG...]: installs the classic BPF program in FILTER as a seccomp
 * filter, then execs PROGRAM. The runner (root) puts it in front of nsenter, so every command of a
 * sandbox runs under the sandbox's filter. Root may install a filter without no_new_privs, which
 * keeps setuid programs (sudo) working inside; anyone else gets no_new_privs first.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: seccomp-exec FILTER PROGRAM [ARG...]\n");
    return 127;
  }
  FILE *file = fopen(argv[1], "rb");
  if (!file) {
    fprintf(stderr, "seccomp-exec: %s: %s\n", argv[1], strerror(errno));
    return 127;
  }
  static struct sock_filter code[BPF_MAXINSNS];
  size_t length = fread(code, sizeof(code[0]), BPF_MAXINSNS, file);
  fclose(file);
  if (length == 0) {
    fprintf(stderr, "seccomp-exec: %s holds no filter\n", argv[1]);
    return 127;
  }
  struct sock_fprog program = {.len = (unsigned short)length, .filter = code};
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
      fprintf(stderr, "seccomp-exec: installing the filter: %s\n", strerror(errno));
      return 127;
    }
  }
  execvp(argv[2], argv + 2);
  fprintf(stderr, "seccomp-exec: %s: %s\n", argv[2], strerror(errno));
  return 127;
}
