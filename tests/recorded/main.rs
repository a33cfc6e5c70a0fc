//! Our parsers over answers recorded from the real Okta and AWS by other public projects
//! (`tests/fixtures/recorded/`, sources in its `SOURCES.md`), and property tests that no
//! input, arbitrary or a mutated recording, makes them panic.
//!
//! Library functions used (for whoever moves modules): `okta_aws::saml::Assertion::parse`,
//! `okta_aws::okta::saml_page::{read_page, PageOutcome}`,
//! `okta_aws::aws::signin_page::{parse_account_names, allowed_action}`,
//! `okta_aws::okta::transaction::{decode_answer, Transaction}` and `okta::ApiError`.

mod fuzz;
mod okta_json;
mod pages;
mod recordings;
mod saml;
