
set edit:completion:arg-completer[okta-aws] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) OKTA_AWS_COMPLETE="elvish" okta-aws -- $@words) | to-lines
}

