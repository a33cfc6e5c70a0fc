# okta-aws shell integration for fish. Load it from ~/.config/fish/config.fish:
#     okta-aws init fish | source             # or: okta-aws init fish --alias-aws | source

# withokta CMD ARGS…: run CMD with the okta-aws session's credentials (logs in when needed).
# A single quoted word is split as a shell would (the Java tool's withokta "CMD ARGS").
function withokta --description 'Run a command with the okta-aws session'
    command okta-aws exec --split -- $argv
end
complete --command withokta --no-files --arguments '(__fish_complete_subcommand)'

# okta-aws-use [PROFILE] [okta-aws env flags…]: put the session into this shell.
function okta-aws-use --description 'Put the okta-aws session into this shell'
    set -l args env --shell fish
    if set -q argv[1]; and not string match -q -- '-*' $argv[1]
        set -a args --profile $argv[1]
        set -e argv[1]
    end
    # One line a list element; joined back so values with newlines survive.
    set -l statements (command okta-aws $args $argv); or return
    string join \n -- $statements | source
end
complete --command okta-aws-use --no-files --condition '__fish_is_nth_token 1' \
    --arguments '(command okta-aws profiles 2>/dev/null)'

# >>> okta-aws --alias-aws
# aws is awscli: the real aws, run with the session; completion is awscli's.
function aws --wraps awscli --description 'aws with the okta-aws session (awscli)'
    command awscli $argv
end
# <<< okta-aws --alias-aws
