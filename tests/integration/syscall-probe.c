/* syscall-probe: tries one system call the default seccomp profile must
   deny (busybox has no keyctl applet) and prints "ok" or the error.
   Linked statically into the berth test image (berth-helpers.bash).
     syscall-probe keyctl|unshare|mount  */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID    0
#define KEY_SPEC_SESSION_KEYRING -3

int
main (int argc, char **argv)
{
  long r = -1;

  if (argc != 2)
    {
      fprintf (stderr, "usage: syscall-probe keyctl|unshare|mount\n");
      return 2;
    }
  if (strcmp (argv[1], "keyctl") == 0)
    r = syscall (SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1);
  else if (strcmp (argv[1], "unshare") == 0)
    r = unshare (CLONE_NEWUTS);
  else if (strcmp (argv[1], "mount") == 0)
    r = mount ("none", "/tmp", "tmpfs", 0, NULL);
  else
    {
      fprintf (stderr, "syscall-probe: unknown probe %s\n", argv[1]);
      return 2;
    }
  if (r < 0)
    {
      printf ("%s: %s\n", argv[1], strerror (errno));
      return 1;
    }
  printf ("ok\n");
  return 0;
}
