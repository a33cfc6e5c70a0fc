//! Okta: the org's HTTP client (`client`), the Classic authentication API (`transaction`,
//! `authn`, `factors`), the Identity Engine's browser sign-in (`device_flow`), the AWS app's
//! page (`saml_page`) and the web session kept between runs (`web_session`).

pub mod authn;
pub mod client;
pub mod device_flow;
pub mod engine;
pub mod factors;
pub mod saml_page;
pub mod sign_in;
pub mod transaction;
pub mod web_session;

pub use client::{ApiError, OktaClient};
