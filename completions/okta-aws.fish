complete --keep-order --exclusive --command okta-aws --arguments "(OKTA_AWS_COMPLETE=fish okta-aws -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"

# awscli: okta-aws profiles for --profile, aws_completer for the rest.
function __okta_aws_complete_awscli
    set -l line (commandline --current-process --cut-at-cursor)
    COMP_LINE="$line" COMP_POINT=(string length -- "$line") awscli
end
complete --command awscli --no-files --arguments '(__okta_aws_complete_awscli)'
