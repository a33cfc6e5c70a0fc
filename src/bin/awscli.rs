//! `awscli ARGS…` behaves as `okta-aws exec -- aws ARGS…`.
fn main() {
    std::process::exit(okta_aws::cli::awscli::awscli_main());
}
