# okta-aws shell integration for bash. Load it from ~/.bashrc:
#     eval "$(okta-aws init bash)"            # or: okta-aws init bash --alias-aws

# withokta CMD ARGS…: run CMD with the okta-aws session's credentials (logs in when needed).
# A single quoted word is split as a shell would (the Java tool's withokta "CMD ARGS").
withokta() {
    command okta-aws exec --split -- "$@"
}

# okta-aws-use [PROFILE] [okta-aws env flags…]: put the session into this shell.
okta-aws-use() {
    local -a __okta_aws_args=(env --shell bash)
    if [[ $# -gt 0 && $1 != -* ]]; then
        __okta_aws_args+=(--profile "$1")
        shift
    fi
    local __okta_aws_statements
    __okta_aws_statements="$(command okta-aws "${__okta_aws_args[@]}" "$@")" || return
    eval "$__okta_aws_statements"
}

_okta_aws_use_complete() {
    local IFS=$'\n'
    COMPREPLY=()
    [[ $COMP_CWORD -eq 1 ]] || return 0
    mapfile -t COMPREPLY < <(compgen -W "$(command okta-aws profiles 2>/dev/null)" -- "$2")
}
complete -F _okta_aws_use_complete okta-aws-use

# withokta completes commands, then their own arguments (with bash-completion loaded).
if declare -F _command >/dev/null 2>&1; then
    complete -F _command withokta
else
    complete -o default -c withokta
fi

# >>> okta-aws --alias-aws
# aws is awscli: the real aws, run with the session; completion goes through awscli.
aws() {
    command awscli "$@"
}
complete -C awscli aws
# <<< okta-aws --alias-aws
