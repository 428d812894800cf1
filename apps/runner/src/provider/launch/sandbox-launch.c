/*
 * sandbox-launch [STEP...] -- PROGRAM [ARG...]: what the runner (root) does between forking a
 * sandbox's first process and exec'ing bwrap, in one process instead of a chain of shells and
 * util-linux tools (sandbox-launcher.ts). Steps run in this order, each given at most once except
 * --cgroup; the first that fails ends the launch with 126 and its reason on stderr.
 *
 *   --cgroup PROCS           join the cgroup of this cgroup.procs file (before anything else runs,
 *                            so nothing started later escapes its limits)
 *   --disk IMAGE DIR RECORD TEMPLATE
 *                            make a mount namespace of our own (private propagation), then mount
 *                            the ext4 filesystem in the file IMAGE at DIR; a missing IMAGE is first
 *                            made as a sparse copy of the file TEMPLATE (an empty filesystem the
 *                            runner made once). The loop device's name goes to RECORD.
 *   --overlay LOWER UPPER WORK MERGED
 *                            mount an overlay of UPPER over LOWER at MERGED
 *   --userns FD              enter the user namespace open on FD as its root
 *   --drop UID GID           become UID and GID, with no supplementary groups
 *
 * sandbox-launch remount-suid PID: once bwrap has built a sandbox, lets setuid programs (sudo)
 * work in it. bwrap mounts everything it binds nosuid, and nothing inside may change a mount its
 * namespace's owner made; host root can, from inside the sandbox's mount namespace.
 *
 * The loop device is bound with autoclear in the call that binds it and stays open here until the
 * mount holds it, so whenever this process dies the device is freed with its last user, never left
 * bound. `mount -o loop` would first read every loop device the host ever had.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "sandbox-launch: %s %s: %s\n", what, detail, strerror(errno));
  return 126;
}

static int join_cgroup(const char *procs) {
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail("opening", procs);
  char pid[32];
  int length = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
  int written = (int)write(fd, pid, (size_t)length);
  close(fd);
  return written == length ? 0 : fail("joining", procs);
}

/* Copies the data of `from` into `to` (holes stay holes), then gives `to` the same length. */
static int sparse_copy(int from, int to) {
  struct stat st;
  if (fstat(from, &st) != 0) return -1;
  off_t at = 0;
  for (;;) {
    off_t data = lseek(from, at, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break; /* only a hole is left */
      return -1;
    }
    off_t hole = lseek(from, data, SEEK_HOLE);
    if (hole < 0) return -1;
    loff_t in = data, out = data;
    while (in < hole) {
      ssize_t copied = copy_file_range(from, &in, to, &out, (size_t)(hole - in), 0);
      if (copied <= 0) return -1;
    }
    at = hole;
  }
  return ftruncate(to, st.st_size);
}

/* Made under another name and renamed, so a half-made disk is never used. */
static int make_disk(const char *image, const char *template) {
  char partial[4096];
  if (snprintf(partial, sizeof(partial), "%s.new", image) >= (int)sizeof(partial)) return fail("naming", image);
  int from = open(template, O_RDONLY | O_CLOEXEC);
  if (from < 0) return fail("opening", template);
  int to = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (to < 0) return fail("creating", partial);
  if (sparse_copy(from, to) != 0 || close(to) != 0) {
    int error = errno;
    unlink(partial);
    errno = error;
    return fail("copying the disk template to", partial);
  }
  close(from);
  if (rename(partial, image) != 0) return fail("renaming", partial);
  return 0;
}

static int mount_disk(const char *image, const char *dir, const char *record, const char *template) {
  if (unshare(CLONE_NEWNS) != 0) return fail("making", "a mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return fail("making private", "the mount namespace");
  if (access(image, F_OK) != 0) {
    if (errno != ENOENT) return fail("checking", image);
    int failed = make_disk(image, template);
    if (failed) return failed;
  }
  int backing = open(image, O_RDWR | O_CLOEXEC);
  if (backing < 0) return fail("opening", image);
  int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (control < 0) return fail("opening", "/dev/loop-control");
  char device[64];
  int loop = -1;
  /* Another start may bind the free device first: then ask again. */
  for (int attempt = 0; attempt < 100 && loop < 0; attempt++) {
    int number = ioctl(control, LOOP_CTL_GET_FREE);
    if (number < 0) return fail("finding", "a free loop device");
    snprintf(device, sizeof(device), "/dev/loop%d", number);
    loop = open(device, O_RDWR | O_CLOEXEC);
    if (loop < 0) return fail("opening", device);
    struct loop_config config;
    memset(&config, 0, sizeof(config));
    config.fd = (unsigned int)backing;
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
    strncpy((char *)config.info.lo_file_name, image, LO_NAME_SIZE - 1);
    if (ioctl(loop, LOOP_CONFIGURE, &config) == 0) break;
    int error = errno;
    close(loop);
    loop = -1;
    errno = error;
    if (error != EBUSY) return fail("binding", device);
  }
  if (loop < 0) return fail("binding", "a loop device (all busy)");
  close(backing);
  close(control);
  FILE *out = fopen(record, "we");
  if (!out || fprintf(out, "%s\n", device) < 0 || fclose(out) != 0) return fail("writing", record);
  if (mount(device, dir, "ext4", MS_NODEV, "noinit_itable") != 0) return fail("mounting", device);
  /* The mount holds the device now; closing ours leaves it bound until the mount goes. */
  close(loop);
  return 0;
}

static int mount_overlay(const char *lower, const char *upper, const char *work, const char *merged) {
  char options[8192];
  if (snprintf(options, sizeof(options), "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work) >= (int)sizeof(options)) {
    errno = ENAMETOOLONG;
    return fail("mounting the overlay at", merged);
  }
  if (mount("overlay", merged, "overlay", 0, options) != 0) return fail("mounting the overlay at", merged);
  return 0;
}

static int enter_userns(const char *descriptor) {
  int fd = atoi(descriptor);
  if (setns(fd, CLONE_NEWUSER) != 0) return fail("entering the user namespace on fd", descriptor);
  close(fd);
  /* Refused where the namespace denies setgroups: there are none to drop then. */
  if (setgroups(0, NULL) != 0 && errno != EPERM) return fail("clearing", "supplementary groups");
  if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) return fail("becoming root of", "the user namespace");
  return 0;
}

static int drop_to(const char *uid, const char *gid) {
  if (setgroups(0, NULL) != 0) return fail("clearing", "supplementary groups");
  gid_t g = (gid_t)strtoul(gid, NULL, 10);
  uid_t u = (uid_t)strtoul(uid, NULL, 10);
  if (setresgid(g, g, g) != 0) return fail("becoming group", gid);
  if (setresuid(u, u, u) != 0) return fail("becoming user", uid);
  return 0;
}

static int remount_suid(const char *pid) {
  char path[64];
  snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("opening", path);
  /* Also moves this process's root and working directory to that namespace's root. */
  if (setns(fd, CLONE_NEWNS) != 0) return fail("entering", path);
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL) != 0) return fail("remounting / of", pid);
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: sandbox-launch [--cgroup PROCS]... [--disk IMAGE DIR RECORD TEMPLATE] [--overlay LOWER UPPER WORK MERGED] [--userns FD] [--drop UID GID] -- PROGRAM [ARG...]\n"
                  "       sandbox-launch remount-suid PID\n");
  return 126;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "remount-suid") == 0) return argv[2][strspn(argv[2], "0123456789")] == '\0' ? remount_suid(argv[2]) : usage();
  char **disk = NULL, **overlay = NULL, **drop = NULL;
  char *userns = NULL;
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    int left = argc - i - 1;
    if (strcmp(argv[i], "--cgroup") == 0 && left >= 1) {
      /* At once: nothing else runs before the process is in its cgroups. */
      int failed = join_cgroup(argv[++i]);
      if (failed) return failed;
    } else if (strcmp(argv[i], "--disk") == 0 && left >= 4 && !disk) {
      disk = &argv[i + 1];
      i += 4;
    } else if (strcmp(argv[i], "--overlay") == 0 && left >= 4 && !overlay) {
      overlay = &argv[i + 1];
      i += 4;
    } else if (strcmp(argv[i], "--userns") == 0 && left >= 1 && !userns) {
      userns = argv[++i];
    } else if (strcmp(argv[i], "--drop") == 0 && left >= 2 && !drop) {
      drop = &argv[i + 1];
      i += 2;
    } else {
      return usage();
    }
  }
  /* The overlay's upper layer lives on the disk, in the namespace the disk step makes. */
  if (i + 1 >= argc || (overlay && !disk)) return usage();
  int failed = 0;
  if (!failed && disk) failed = mount_disk(disk[0], disk[1], disk[2], disk[3]);
  if (!failed && overlay) failed = mount_overlay(overlay[0], overlay[1], overlay[2], overlay[3]);
  if (!failed && userns) failed = enter_userns(userns);
  if (!failed && drop) failed = drop_to(drop[0], drop[1]);
  if (failed) return failed;
  execvp(argv[i + 1], &argv[i + 1]);
  return fail("running", argv[i + 1]);
}
