/*
 * disk-mount IMAGE DIR RECORD: mounts the ext4 filesystem in the file IMAGE at DIR through a free
 * loop device, and writes that device's name to RECORD. The runner's launcher runs it (as root) in
 * the sandbox's own mount namespace, then execs the sandbox.
 *
 * The device is configured with autoclear in the same call that binds it, and stays open here
 * until the mount holds it: whenever this process dies, the device is freed with its last user,
 * never left bound. `mount -o loop` does the same, but first reads every loop device the host
 * ever had (to reuse one bound to the same file): about 10 ms once there have been a thousand.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "disk-mount: %s %s: %s\n", what, detail, strerror(errno));
  return 126;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: disk-mount IMAGE DIR RECORD\n");
    return 126;
  }
  const char *image = argv[1], *dir = argv[2], *record = argv[3];
  int backing = open(image, O_RDWR | O_CLOEXEC);
  if (backing < 0) return fail("opening", image);
  int control = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (control < 0) return fail("opening", "/dev/loop-control");

  char device[64];
  int loop = -1;
  // Another start may bind the free device first: then ask again.
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

  FILE *out = fopen(record, "w");
  if (!out || fprintf(out, "%s\n", device) < 0 || fclose(out) != 0) return fail("writing", record);
  if (mount(device, dir, "ext4", MS_NODEV, "noinit_itable") != 0) return fail("mounting", device);
  // The mount holds the device now; closing ours leaves it bound until the mount goes.
  close(loop);
  return 0;
}
