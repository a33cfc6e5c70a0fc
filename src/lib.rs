//! okta-aws: single sign-on for the AWS CLI through Okta.
//!
//! Data flows one way: settings (`settings`) → a session (`session`: cache hit, or an Okta
//! login in `okta` + `saml` + `aws::sts`) → output (`cli`: exec, env, ~/.aws files).

pub mod arn;
pub mod aws;
pub mod cli;
pub mod environ;
pub mod error;
pub mod files;
pub mod glob;
pub mod net;
pub mod okta;
pub mod prompt;
pub mod role_choice;
pub mod saml;
pub mod server_text;
pub mod session;
pub mod settings;
pub mod store;
pub mod tls;
