/*
 * A stand-in for Windows' bcryptprimitives.dll, for test prefixes of Wine before 8.13.
 *
 * Why: the Rust standard library (since 1.78) gets its random numbers from
 * bcryptprimitives!ProcessPrng, and Wine 8.0 (Debian 12's) has no such DLL, so every Rust
 * program exits with status 53 before main. This DLL exports ProcessPrng and fills the
 * buffer from advapi32!SystemFunction036 (RtlGenRandom), which Wine has always had. It is
 * only ever installed into the project's own test WINEPREFIX (scripts/ensure-windows-deps);
 * nothing built for Windows users depends on it.
 *
 * Built with -nostdlib: no C runtime, only advapi32 is imported.
 */
#include <windows.h>

/* RtlGenRandom's exported name; ntsecapi.h declares it only under a macro. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

/* RtlGenRandom takes a ULONG length; larger requests are filled in pieces. */
#define LARGEST_PIECE 0x40000000UL

/* Windows documents ProcessPrng as always returning TRUE; a failure of the source is
 * reported as FALSE here rather than handing out an unfilled buffer. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG piece = length > LARGEST_PIECE ? LARGEST_PIECE : (ULONG)length;
        if (!SystemFunction036(data, piece))
            return FALSE;
        data += piece;
        length -= piece;
    }
    return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
