# okta-aws shell integration for PowerShell. Load it from $PROFILE:
#     okta-aws init powershell | Out-String | Invoke-Expression

# withokta CMD ARGS…: run CMD with the okta-aws session's credentials (logs in when needed).
# A single quoted word is split as a shell would (the Java tool's withokta "CMD ARGS").
function withokta {
    & okta-aws exec --split '--' @args
}

# okta-aws-use [PROFILE] [okta-aws env flags…]: put the session into this session.
function okta-aws-use {
    param(
        [Parameter(Position = 0)][string]$Name,
        [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest
    )
    $oktaArgs = @('env', '--shell', 'powershell')
    if ($Name) { $oktaArgs += @('--profile', $Name) }
    if ($Rest) { $oktaArgs += $Rest }
    $statements = & okta-aws @oktaArgs
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression ($statements -join "`n")
}

Register-ArgumentCompleter -CommandName okta-aws-use -ParameterName Name -ScriptBlock {
    param($commandName, $parameterName, $wordToComplete)
    & okta-aws profiles 2>$null | Where-Object { $_ -like "$wordToComplete*" }
}

# >>> okta-aws --alias-aws
# aws is awscli: the real aws, run with the session; completion goes through awscli.
function aws {
    & awscli @args
}
Register-ArgumentCompleter -Native -CommandName aws -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $env:COMP_LINE = $commandAst.ToString()
    if ($env:COMP_LINE.Length -lt $cursorPosition) { $env:COMP_LINE += ' ' }
    $env:COMP_POINT = $cursorPosition
    awscli | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
    Remove-Item Env:\COMP_LINE, Env:\COMP_POINT
}
# <<< okta-aws --alias-aws
