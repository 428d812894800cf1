/*
 * sandbox-init [UID:GID]: the first process of every sandbox, pid 1 of its pid namespace (bwrap
 * --as-pid-1). The runner hands it to the launch as a descriptor and bwrap execs it through
 * /proc/self/fd, so no image needs a copy, a shell or a `sleep`.
 *
 * It closes every descriptor of the runner's but the "ready" pipe (fd 4); with UID:GID (an
 * entrypoint is to come) it makes /var/log/daytona-entrypoint.log, owned by them; then it says
 * "ready" on fd 4 and stays until the runner kills the sandbox, reaping every process that ends
 * orphaned inside it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRYPOINT_LOG_DIR "/var/log"
#define ENTRYPOINT_LOG ENTRYPOINT_LOG_DIR "/daytona-entrypoint.log"
#define READY_FD 4

int main(int argc, char **argv) {
  /* What `ps` inside shows, and what the runner's tests find it by. */
  prctl(PR_SET_NAME, "sandbox-init");
  close(3);
  close_range(READY_FD + 1, ~0U, 0);
  if (argc > 1 && argv[1][0] != '\0') {
    unsigned int uid, gid;
    if (sscanf(argv[1], "%u:%u", &uid, &gid) == 2) {
      /* Best effort, as the entrypoint's own redirection falls back to /dev/null without it. */
      mkdir(ENTRYPOINT_LOG_DIR, 0755);
      int log = open(ENTRYPOINT_LOG, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (log >= 0) {
        if (fchown(log, uid, gid) != 0) {
          /* left as it is */
        }
        close(log);
      }
    }
  }
  if (write(READY_FD, "ready\n", 6) != 6) return 1;
  close(READY_FD);
  /* Ignored SIGCHLD: the kernel reaps children (orphans reparented here too) as they end. */
  signal(SIGCHLD, SIG_IGN);
  for (;;) pause();
}
