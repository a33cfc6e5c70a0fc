fn main() {
    std::process::exit(okta_aws::cli::okta_aws_main());
}
