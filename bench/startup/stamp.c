/* stamp: the pipeline of bench/startup. Its first instruction reads
 * CLOCK_REALTIME and writes it, in seconds, to the file named by argv[1]; built
 * static where the toolchain can, so no dynamic loader runs before main. */
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (argc < 2)
		return 2;
	FILE *f = fopen(argv[1], "w");
	if (f == NULL)
		return 1;
	fprintf(f, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
	return fclose(f) == 0 ? 0 : 1;
}
