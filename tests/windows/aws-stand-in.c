/*
 * A stand-in for the AWS CLI's aws.exe in the Wine-run end-to-end tests
 * (tests/e2e/windows.rs): it shows what it was given, so that a test can check what
 * awscli.exe or `okta-aws.exe exec` passed on.
 *
 * stdout: one "arg=<argument>" line per argument, then one "env=NAME=value" line per
 * variable whose name begins with AWS_ or OKTA_AWS_.
 *   --exit-code N    then exit with status N
 *   --hold FILE MS   then open FILE the way readers such as Python do (sharing reading and
 *                    writing, not deletion), print "holding", wait MS milliseconds, close it
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **_environ;

static void print_arguments(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("arg=%s\n", argv[i]);
}

static void print_aws_environment(void)
{
    for (char **variable = _environ; *variable; variable++) {
        if (strncmp(*variable, "AWS_", 4) == 0 || strncmp(*variable, "OKTA_AWS_", 9) == 0)
            printf("env=%s\n", *variable);
    }
}

static int hold_open(const char *path, DWORD milliseconds)
{
    HANDLE file = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (file == INVALID_HANDLE_VALUE) {
        fprintf(stderr, "aws-stand-in: cannot open %s (error %lu)\n", path, GetLastError());
        return 2;
    }
    printf("holding\n");
    fflush(stdout);
    Sleep(milliseconds);
    CloseHandle(file);
    return 0;
}

int main(int argc, char **argv)
{
    print_arguments(argc, argv);
    print_aws_environment();
    fflush(stdout);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--exit-code") == 0 && i + 1 < argc)
            return atoi(argv[i + 1]);
        if (strcmp(argv[i], "--hold") == 0 && i + 2 < argc)
            return hold_open(argv[i + 1], (DWORD)strtoul(argv[i + 2], NULL, 10));
    }
    return 0;
}
