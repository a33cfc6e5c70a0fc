//! End-to-end tests: our binaries against a fake Okta, moto, and the real `aws` CLI.
//! One binary, so moto starts once and the SDK is linked once.
//!
//! The harness is Unix's (moto through python3, real shells, pseudo-terminals); the Windows
//! build is tested from here too, under Wine (the `windows` module, scripts/test-windows).
#![cfg(unix)]

mod account_names;
mod aliases;
mod awscli;
mod bad_input;
mod configure;
mod console;
mod credentials_server;
mod cross_account;
mod device_flow;
mod doctor;
mod exec_server;
mod harness;
mod iam;
mod login;
mod many_roles;
mod pty;
mod round_trips;
mod sessions;
mod shell;
mod step_up;
mod tls_front;
mod trust_files;
mod trust_network;
mod windows;
