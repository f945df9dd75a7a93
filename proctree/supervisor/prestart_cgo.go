//go:build cgo && linux

package supervisor

/*
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// What the constructor did: tried is 1 once it has started the pipeline or
// failed to, pid is the pipeline's, err the errno of a failed start.
static int benchctl_prestart_tried, benchctl_prestart_pid, benchctl_prestart_err;

// benchctl_start_ticks reads /proc/PID/stat's field 22, the start time in
// clock ticks after boot; 0 when it cannot.
static unsigned long long benchctl_start_ticks(int pid) {
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')'); // the name may hold spaces and parentheses
	if (p == NULL)
		return 0;
	// After ") " come fields 3 (state) to 52; the start time is field 22.
	for (int field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	return p == NULL ? 0 : strtoull(p + 1, NULL, 10);
}

// benchctl_status writes one whole line to the status pipe.
static void benchctl_status(const char *line, int n) {
	while (n > 0) {
		ssize_t w = write(4, line, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		line += w;
		n -= w;
	}
}

// benchctl_prestart runs in the supervisor before the Go runtime starts
// (ELF constructors run first, and get main's arguments): it starts the
// pipeline at once, as supervise would with os.StartProcess, and tells
// benchctl its pid and start time, so that neither waits for the Go
// runtime and benchctl's package initialization (several milliseconds).
// The process is single-threaded here, so fork is safe. os.Args are
// [exe, Arg, grace, path, argv...]; with fewer, or another first
// argument, it does nothing.
__attribute__((constructor)) static void benchctl_prestart(int argc, char **argv, char **envp) {
	if (argc < 5 || strcmp(argv[1], "__benchctl-supervise") != 0)
		return;
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	fcntl(3, F_SETFD, FD_CLOEXEC); // the lifeline and the status pipe are
	fcntl(4, F_SETFD, FD_CLOEXEC); // the supervisor's, not the pipeline's
	int errp[2];
	if (pipe2(errp, O_CLOEXEC) != 0)
		return; // supervise starts it the Go way
	pid_t self = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(errp[0]);
		close(errp[1]);
		return;
	}
	if (pid == 0) {
		// Its own process group; SIGKILL when the supervisor dies, kept
		// across the exec (and at once if it died already).
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (getppid() != self)
			raise(SIGKILL);
		execve(argv[3], argv + 4, envp);
		int e = errno;
		while (write(errp[1], &e, sizeof e) < 0 && errno == EINTR)
			;
		_exit(127);
	}
	close(errp[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(errp[0], &e, sizeof e)) < 0 && errno == EINTR)
		;
	close(errp[0]);
	char line[4200];
	int len;
	benchctl_prestart_tried = 1;
	if (n == sizeof e) { // the exec failed: the child has exited
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		benchctl_prestart_err = e ? e : EINVAL;
		len = snprintf(line, sizeof line, "error %d %.4096s\n", benchctl_prestart_err, argv[4]);
	} else {
		benchctl_prestart_pid = pid;
		len = snprintf(line, sizeof line, "start %d %llu\n", pid, benchctl_start_ticks(pid));
	}
	benchctl_status(line, len < (int)sizeof line ? len : (int)sizeof line - 1);
}

static int benchctl_prestarted(int *pid, int *err) {
	*pid = benchctl_prestart_pid;
	*err = benchctl_prestart_err;
	return benchctl_prestart_tried;
}
*/
import "C"

import "syscall"

// prestarted reports what the supervisor's C constructor did before the Go
// runtime started: tried is false when it did not start the pipeline (not
// the supervisor, or a pipe or fork failed), and supervise starts it itself.
// Otherwise the pipeline is pid, or could not be executed for errno, and
// the constructor has told benchctl either already.
func prestarted() (pid int, errno syscall.Errno, tried bool) {
	var p, e C.int
	tried = C.benchctl_prestarted(&p, &e) != 0
	return int(p), syscall.Errno(e), tried
}
