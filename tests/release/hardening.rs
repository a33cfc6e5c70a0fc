//! The binaries keep the hardening a credentials tool needs (rustc's defaults on Linux, which
//! nothing in this tree may override): position-independent, so the executable's own image
//! is address-randomised; full RELRO, so the relocation tables and the GOT are read-only once
//! the loader is done; and the system's own libc and NSS, dynamically linked, so security
//! fixes of the system reach them. (build.rs links GCC's unwinder into `awscli` statically, as
//! `gcc -static-libgcc` does: libc stays the system's, which these tests check.)

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use goblin::elf::Elf;
use goblin::elf::dynamic::{DF_1_NOW, DF_1_PIE, DF_BIND_NOW};
use goblin::elf::header::ET_DYN;
use goblin::elf::program_header::PT_GNU_RELRO;

const BINARIES: [&str; 2] = [env!("CARGO_BIN_EXE_okta-aws"), env!("CARGO_BIN_EXE_awscli")];

fn each_binary(check: impl Fn(&str, &Elf)) {
    for binary in BINARIES {
        let bytes = std::fs::read(binary).unwrap();
        let elf = Elf::parse(&bytes).unwrap_or_else(|e| panic!("{binary}: {e}"));
        check(binary, &elf);
    }
}

#[test]
fn the_binaries_are_position_independent_executables() {
    each_binary(|binary, elf| {
        assert_eq!(
            elf.header.e_type, ET_DYN,
            "{binary} is not position-independent"
        );
        // A shared object is ET_DYN too: an executable has a program interpreter, and the
        // linker marks a PIE as such.
        assert!(
            elf.interpreter.is_some(),
            "{binary} has no program interpreter"
        );
        let flags_1 = elf.dynamic.as_ref().map_or(0, |d| d.info.flags_1);
        assert_ne!(flags_1 & DF_1_PIE, 0, "{binary} is not marked DF_1_PIE");
    });
}

#[test]
fn the_binaries_have_full_relro() {
    each_binary(|binary, elf| {
        assert!(
            elf.program_headers.iter().any(|p| p.p_type == PT_GNU_RELRO),
            "{binary} has no PT_GNU_RELRO segment"
        );
        // Partial RELRO leaves the GOT writable for lazy binding; full RELRO binds every
        // symbol at start (BIND_NOW) so the whole segment can be made read-only.
        let dynamic = elf.dynamic.as_ref().expect("a dynamic section");
        assert!(
            dynamic.info.flags & DF_BIND_NOW != 0 && dynamic.info.flags_1 & DF_1_NOW != 0,
            "{binary} binds lazily: flags {:#x}, flags_1 {:#x}",
            dynamic.info.flags,
            dynamic.info.flags_1
        );
    });
}

#[test]
fn the_binaries_use_the_systems_libc() {
    each_binary(|binary, elf| {
        assert!(
            elf.libraries.contains(&"libc.so.6"),
            "{binary} does not load glibc: needs {:?}",
            elf.libraries
        );
        let interpreter = elf.interpreter.expect("a program interpreter");
        assert!(
            std::path::Path::new(interpreter).exists(),
            "{binary}'s loader {interpreter} is not this system's"
        );
    });
}
