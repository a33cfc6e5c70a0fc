fn main() {
    // A completion request (OKTA_AWS_COMPLETE=<shell>) is answered and exits here.
    okta_aws::cli::completions::complete_if_asked();
    std::process::exit(okta_aws::cli::okta_aws_main());
}
