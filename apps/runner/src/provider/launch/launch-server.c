/*
 * launch-server: starts processes for the runner, which would otherwise fork itself for each
 * sandbox it starts; a fork copies the page tables of the whole runner (about 6 ms, in its one
 * thread, once it holds 130 MB), where this small process forks in a tenth of a millisecond.
 * launch-server.ts is the other end.
 *
 * Requests on stdin, each a run of NUL-terminated fields:
 *   ID LOG NFILES FILE... ARGC ARG...
 * The process gets /dev/null as stdin, LOG (truncated, 0600) as stdout and stderr, a pipe on fd
 * 3 (bwrap's --info-fd) and one on fd 4 (its "ready" line), then each FILE opened read-only
 * from fd 5 on; then it execs ARG... (searched in PATH).
 *
 * Answers on stdout, one line each:
 *   ID pid PID           it runs
 *   ID fail WORDS        it could not be started
 *   ID info HEX          bytes it wrote on fd 3, hex-encoded
 *   ID ready             it wrote on fd 4 (bwrap's init a line, slirp4netns a byte)
 *   ID exit CODE | ID signal NUMBER
 * When stdin ends (or the runner dies) this server ends; a bwrap it started with
 * --die-with-parent ends with it, as it would with the runner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FILES 8
/* Above every target descriptor (0 to 4 + MAX_FILES). */
#define HIGH_FD (5 + MAX_FILES)

struct launch {
  char *id;
  pid_t pid;
  int info; /* read ends, -1 once closed */
  int ready;
  int said_ready;
};

static struct launch *launches;
static size_t count, capacity;
static char *input;
static size_t input_length, input_capacity;

static void say(const char *id, const char *format, const char *detail) {
  printf("%s ", id);
  printf(format, detail);
  putchar('\n');
  fflush(stdout);
}

static void say_number(const char *id, const char *what, long number) {
  printf("%s %s %ld\n", id, what, number);
  fflush(stdout);
}

/*
 * Fields of the first complete request in `input` (the first `max` of them in `fields`, all of
 * them counted in `nfields`); returns its length, 0 while it is incomplete.
 */
static size_t parse(char **fields, size_t *nfields, size_t max) {
  size_t at = 0, n = 0;
  size_t want = 3; /* ID LOG NFILES, then the files, ARGC, the args */
  size_t files = 0;
  int stage = 0;
  while (n < want) {
    char *end = memchr(input + at, '\0', input_length - at);
    if (!end) return 0;
    char *field = input + at;
    if (n < max) fields[n] = field;
    n++;
    at = (size_t)(end - input) + 1;
    if (stage == 0 && n == 3) {
      files = strtoul(field, NULL, 10);
      want = 3 + files + 1;
      stage = 1;
    } else if (stage == 1 && n == want) {
      want += strtoul(field, NULL, 10);
      stage = 2;
    }
  }
  *nfields = n;
  return at;
}

static void child(char **fields, size_t nfiles, char **argv, int info, int ready) {
  int sources[4 + MAX_FILES];
  int targets[4 + MAX_FILES];
  int n = 0;
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int log = open(fields[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (null < 0 || log < 0) _exit(127);
  sources[n] = null, targets[n++] = 0;
  sources[n] = log, targets[n++] = 1;
  sources[n] = info, targets[n++] = 3;
  sources[n] = ready, targets[n++] = 4;
  for (size_t i = 0; i < nfiles; i++) {
    int fd = open(fields[3 + i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      dprintf(log, "launch-server: opening %s: %s\n", fields[3 + i], strerror(errno));
      _exit(127);
    }
    sources[n] = fd, targets[n++] = 5 + (int)i;
  }
  /* Out of the way first, so that no target overwrites a source still to be placed. */
  for (int i = 0; i < n; i++) sources[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, HIGH_FD);
  for (int i = 0; i < n; i++) dup2(sources[i], targets[i]);
  dup2(1, 2);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  execvp(argv[0], argv);
  dprintf(2, "launch-server: running %s: %s\n", argv[0], strerror(errno));
  _exit(127);
}

static void start(char **fields, size_t nfields) {
  const char *id = fields[0];
  size_t nfiles = (size_t)atoi(fields[2]);
  size_t argc = nfields - 3 - nfiles - 1;
  if (nfiles > MAX_FILES || argc == 0) {
    say(id, "fail %s", "malformed request");
    return;
  }
  char **argv = calloc(argc + 1, sizeof(char *));
  for (size_t i = 0; i < argc; i++) argv[i] = fields[3 + nfiles + 1 + i];
  int info[2], ready[2];
  if (pipe2(info, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
    say(id, "fail %s", strerror(errno));
    free(argv);
    return;
  }
  /* Read without blocking: a pipe something inherited may never reach its end. */
  fcntl(info[0], F_SETFL, O_NONBLOCK);
  fcntl(ready[0], F_SETFL, O_NONBLOCK);
  pid_t pid = fork();
  if (pid == 0) child(fields, nfiles, argv, info[1], ready[1]);
  free(argv);
  close(info[1]);
  close(ready[1]);
  if (pid < 0) {
    say(id, "fail %s", strerror(errno));
    close(info[0]);
    close(ready[0]);
    return;
  }
  if (count == capacity) {
    capacity = capacity ? capacity * 2 : 64;
    launches = realloc(launches, capacity * sizeof(*launches));
  }
  launches[count++] = (struct launch){.id = strdup(id), .pid = pid, .info = info[0], .ready = ready[0], .said_ready = 0};
  say_number(id, "pid", pid);
}

static void drain_info(struct launch *launch) {
  char chunk[4096], hex[2 * sizeof(chunk) + 1];
  ssize_t got = read(launch->info, chunk, sizeof(chunk));
  if (got <= 0) {
    close(launch->info);
    launch->info = -1;
    return;
  }
  for (ssize_t i = 0; i < got; i++) sprintf(hex + 2 * i, "%02x", (unsigned char)chunk[i]);
  say(launch->id, "info %s", hex);
}

static void drain_ready(struct launch *launch) {
  char chunk[256];
  ssize_t got = read(launch->ready, chunk, sizeof(chunk));
  if (got > 0 && !launch->said_ready) {
    launch->said_ready = 1;
    say(launch->id, "%s", "ready");
  }
  if (got <= 0 || launch->said_ready) {
    close(launch->ready);
    launch->ready = -1;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < count; i++) {
      if (launches[i].pid != pid) continue;
      struct launch *launch = &launches[i];
      /* Whatever it wrote before it ended comes first. */
      while (launch->info >= 0) drain_info(launch);
      if (launch->ready >= 0) drain_ready(launch);
      if (WIFSIGNALED(status)) say_number(launch->id, "signal", WTERMSIG(status));
      else say_number(launch->id, "exit", WEXITSTATUS(status));
      if (launch->ready >= 0) close(launch->ready);
      free(launch->id);
      launches[i] = launches[--count];
      break;
    }
  }
}

int main(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  signal(SIGPIPE, SIG_IGN);
  int children = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (children < 0) return 1;
  struct pollfd *fds = NULL;
  size_t fds_capacity = 0;
  for (;;) {
    size_t needed = 2 + 2 * count;
    if (needed > fds_capacity) {
      fds_capacity = needed * 2;
      fds = realloc(fds, fds_capacity * sizeof(*fds));
    }
    size_t n = 0;
    fds[n++] = (struct pollfd){.fd = 0, .events = POLLIN};
    fds[n++] = (struct pollfd){.fd = children, .events = POLLIN};
    for (size_t i = 0; i < count; i++) {
      fds[n++] = (struct pollfd){.fd = launches[i].info, .events = POLLIN};
      fds[n++] = (struct pollfd){.fd = launches[i].ready, .events = POLLIN};
    }
    if (poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    /* Launches move in the table as others end: serve the pipes before anything changes it. */
    for (size_t i = 0; i < count; i++) {
      if (launches[i].info >= 0 && fds[2 + 2 * i].revents) drain_info(&launches[i]);
      if (launches[i].ready >= 0 && fds[3 + 2 * i].revents) drain_ready(&launches[i]);
    }
    if (fds[1].revents) {
      struct signalfd_siginfo info;
      while (read(children, &info, sizeof(info)) == sizeof(info)) {
      }
      reap();
    }
    if (fds[0].revents) {
      if (input_capacity - input_length < 65536) {
        input_capacity = input_capacity * 2 + 65536;
        input = realloc(input, input_capacity);
      }
      ssize_t got = read(0, input + input_length, input_capacity - input_length);
      if (got <= 0) {
        /* The runner is gone. */
        return 0;
      }
      input_length += (size_t)got;
      char *fields[4 + MAX_FILES + 4096];
      size_t nfields, used;
      size_t max = sizeof(fields) / sizeof(fields[0]);
      while (input_length > 0 && (used = parse(fields, &nfields, max)) != 0) {
        if (nfields > max) say(fields[0], "fail %s", "too many arguments");
        else start(fields, nfields);
        memmove(input, input + used, input_length - used);
        input_length -= used;
      }
    }
  }
}
