/* The kernel's floor for a warm run without a change journal: stat(2) every path of a list, in N threads.

   docs/performance.md quotes it ("Issue 22: where it ends"); run.py takes the same floor in Python
   (STAT_FLOOR) in every run. Build and run by hand, from the caseload's folder:

       cc -O2 -pthread -o /tmp/stat_floor benchmarks/stat_floor.c
       (cd CASELOAD && find cases -type f > /tmp/files.txt && /tmp/stat_floor /tmp/files.txt 2)

   It prints how many paths it statted and the wall time of the statting alone (the list is read first). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static char **paths;
static long count;
static long threads;

static void *stat_share(void *arg) {
    struct stat st;
    for (long i = (long)arg; i < count; i += threads)
        stat(paths[i], &st);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3 || (threads = atol(argv[2])) < 1 || threads > 64) {
        fprintf(stderr, "usage: stat_floor LIST THREADS (1-64)\n");
        return 2;
    }
    FILE *list = fopen(argv[1], "r");
    if (!list) {
        perror(argv[1]);
        return 1;
    }
    long room = 1024;
    char line[4096];
    paths = malloc(room * sizeof *paths);
    while (paths && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        if (count == room)
            paths = realloc(paths, (room *= 2) * sizeof *paths);
        if (paths)
            paths[count++] = strdup(line);
    }
    fclose(list);
    if (!paths) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    struct timespec t0, t1;
    pthread_t tid[64];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long k = 0; k < threads; k++)
        pthread_create(&tid[k], NULL, stat_share, (void *)k);
    for (long k = 0; k < threads; k++)
        pthread_join(tid[k], NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%ld paths, %ld threads: %.3f s\n", count, threads,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    return 0;
}
