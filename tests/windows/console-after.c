/*
 * Runs a command on this console, then tells how it left the console: for the Wine-run
 * end-to-end tests (tests/e2e/windows.rs), which cannot look at a console after the program
 * that used it has exited, since Wine's console ends with the last program attached to it.
 *
 *   console-after.exe -- COMMAND LINE
 *
 * Ctrl-C and Ctrl-Break reach every program on the console: this one takes them as dealt
 * with, so it outlives the command. Then it prints "status=N,echo=on" (or "echo=off": whether
 * the console's input mode echoes what is typed) and exits with the command's status N.
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static BOOL WINAPI outlive_interrupts(DWORD event)
{
    return event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT;
}

int main(void)
{
    /* Everything after " -- " is the command line, as Wine built it from the arguments. */
    WCHAR *command = wcsstr(GetCommandLineW(), L" -- ");
    if (command == NULL) {
        fprintf(stderr, "usage: console-after.exe -- COMMAND LINE\n");
        return 2;
    }
    command += 4;
    SetConsoleCtrlHandler(outlive_interrupts, TRUE);
    STARTUPINFOW startup = { .cb = sizeof startup };
    PROCESS_INFORMATION process;
    if (!CreateProcessW(NULL, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process)) {
        fprintf(stderr, "cannot run the command: error %lu\n", GetLastError());
        return 2;
    }
    WaitForSingleObject(process.hProcess, INFINITE);
    DWORD status = 0;
    GetExitCodeProcess(process.hProcess, &status);
    HANDLE input = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                               FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);
    DWORD mode = 0;
    if (input == INVALID_HANDLE_VALUE || !GetConsoleMode(input, &mode)) {
        fprintf(stderr, "no console: error %lu\n", GetLastError());
        return 2;
    }
    printf("status=%lu,echo=%s\n", status, (mode & ENABLE_ECHO_INPUT) ? "on" : "off");
    fflush(stdout);
    return (int)status;
}
