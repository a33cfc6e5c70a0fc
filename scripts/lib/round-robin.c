/*
 * Round-robin start-up timer for scripts/bench. Each round starts every command once, in
 * turn, so a change of the machine's load falls on all of them alike; hyperfine runs one
 * command's runs back to back, and on this shared 2-core VM its medians drift by ±0.1 ms
 * between commands. For each command it prints the median wall time and the median of the
 * per-round differences from the first command (the baseline), which is steady to a few µs.
 *
 * usage: round-robin ROUNDS 'CMD ARGS…' 'CMD ARGS…' …   (arguments split on spaces; the
 * first command is the baseline; stdout of the commands goes to /dev/null)
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

enum { WARMUP_ROUNDS = 20, MAX_ARGS = 16 };

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, int count) {
  qsort(values, count, sizeof *values, by_value);
  return values[count / 2];
}

/* Start `command` (split on spaces), wait for it; its wall time in ms, or -1 if it failed. */
static double time_one(const char *command) {
  char words[1024], *argv[MAX_ARGS + 1];
  int argc = 0;
  snprintf(words, sizeof words, "%s", command);
  for (char *w = strtok(words, " "); w && argc < MAX_ARGS; w = strtok(NULL, " ")) argv[argc++] = w;
  argv[argc] = NULL;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  struct timespec start, end;
  pid_t pid;
  int status;
  clock_gettime(CLOCK_MONOTONIC, &start);
  if (posix_spawn(&pid, argv[0], &actions, NULL, argv, environ) != 0) return -1;
  waitpid(pid, &status, 0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0) return -1;
  return (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: round-robin ROUNDS 'CMD ARGS…' …\n");
    return 2;
  }
  int rounds = atoi(argv[1]), commands = argc - 2;
  if (rounds < 1) return 2;
  double *times = calloc((size_t)rounds * commands, sizeof *times);
  double *over_first = calloc((size_t)rounds * commands, sizeof *over_first);
  for (int round = -WARMUP_ROUNDS; round < rounds; round++) {
    for (int c = 0; c < commands; c++) {
      double ms = time_one(argv[2 + c]);
      if (ms < 0) {
        fprintf(stderr, "round-robin: %s failed\n", argv[2 + c]);
        return 1;
      }
      if (round >= 0) times[c * rounds + round] = ms;
    }
  }
  for (int c = 0; c < commands; c++)
    for (int r = 0; r < rounds; r++) over_first[c * rounds + r] = times[c * rounds + r] - times[r];
  for (int c = 0; c < commands; c++)
    printf("%.3f %.3f\n", median(times + c * rounds, rounds), median(over_first + c * rounds, rounds));
  return 0;
}
