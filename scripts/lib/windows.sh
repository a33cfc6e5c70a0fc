# shellcheck shell=bash
# Sourced by scripts/ensure-windows-deps and scripts/test-windows: where the Windows build
# and its Wine prefix live, and the environment cargo and wine read.

# shellcheck disable=SC2034 # used by the scripts that source this
windows_target=x86_64-pc-windows-gnu

# The project's own Wine prefix (~700 MB once booted), under target/ so `cargo clean`
# removes it. OKTA_AWS_WINEPREFIX moves it (e.g. to a CI cache).
export WINEPREFIX="${OKTA_AWS_WINEPREFIX:-$PWD/target/wine-prefix}"
# Wine's own diagnostics would drown the tests' output.
export WINEDEBUG=-all
# No Mono or Gecko: wineboot would offer to download them (the tests stay on loopback).
export WINEDLLOVERRIDES="mscoree,mshtml="
# No window system here: a program that opens a window fails instead of waiting for X.
unset DISPLAY WAYLAND_DISPLAY

# rustc links this target with x86_64-w64-mingw32-gcc by default: no linker setting, so
# builds with and without this file share their artifacts.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
