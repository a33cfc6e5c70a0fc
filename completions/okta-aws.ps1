
Register-ArgumentCompleter -Native -CommandName okta-aws -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $prev = $env:OKTA_AWS_COMPLETE;
    $env:OKTA_AWS_COMPLETE = "powershell";

    $args = $commandAst.Extent.Text
    $args = $args.Substring(0, [math]::Min($cursorPosition, $args.Length));
    if ($wordToComplete -eq "") {
        $args += " ''";
    }

    $results = Invoke-Expression @"
& okta-aws -- $args
"@;
    if ($null -eq $prev) {
        Remove-Item Env:\OKTA_AWS_COMPLETE;
    } else {
        $env:OKTA_AWS_COMPLETE = $prev;
    }
    $results | ForEach-Object {
        $split = $_.Split("`t");
        $cmd = $split[0];

        if ($split.Length -eq 2) {
            $help = $split[1];
        }
        else {
            $help = $split[0];
        }

        [System.Management.Automation.CompletionResult]::new($cmd, $cmd, 'ParameterValue', $help)
    }
};
        

# awscli: okta-aws profiles for --profile, aws_completer for the rest.
Register-ArgumentCompleter -Native -CommandName awscli -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $env:COMP_LINE = $commandAst.ToString()
    if ($env:COMP_LINE.Length -lt $cursorPosition) { $env:COMP_LINE += ' ' }
    $env:COMP_POINT = $cursorPosition
    awscli | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
    Remove-Item Env:\COMP_LINE, Env:\COMP_POINT
}
