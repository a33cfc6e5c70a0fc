# okta-aws shell integration for zsh. Load it from ~/.zshrc:
#     eval "$(okta-aws init zsh)"             # or: okta-aws init zsh --alias-aws

# Completion needs compinit; run it unless ~/.zshrc already did.
if ! (( ${+functions[compdef]} )); then
    autoload -Uz compinit && compinit -i
fi

# withokta CMD ARGS…: run CMD with the okta-aws session's credentials (logs in when needed).
# A single quoted word is split as a shell would (the Java tool's withokta "CMD ARGS").
withokta() {
    command okta-aws exec --split -- "$@"
}
compdef _precommand withokta

# okta-aws-use [PROFILE] [okta-aws env flags…]: put the session into this shell.
okta-aws-use() {
    local -a __okta_aws_args
    __okta_aws_args=(env --shell zsh)
    if [[ $# -gt 0 && $1 != -* ]]; then
        __okta_aws_args+=(--profile "$1")
        shift
    fi
    local __okta_aws_statements
    __okta_aws_statements="$(command okta-aws "${__okta_aws_args[@]}" "$@")" || return
    eval "$__okta_aws_statements"
}

_okta_aws_use_complete() {
    local -a profiles
    profiles=(${(f)"$(command okta-aws profiles 2>/dev/null)"})
    (( CURRENT == 2 )) && _describe -t profiles 'okta-aws profile' profiles
}
compdef _okta_aws_use_complete okta-aws-use

# >>> okta-aws --alias-aws
# aws is awscli: the real aws, run with the session; completion goes through awscli.
aws() {
    command awscli "$@"
}
autoload -Uz bashcompinit && bashcompinit
complete -C awscli aws
# <<< okta-aws --alias-aws
