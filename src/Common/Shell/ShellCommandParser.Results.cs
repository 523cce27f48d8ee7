namespace AgentHost.Common.Shell;

/// <summary>A file redirection of a shell command.</summary>
/// <param name="Operator">The operator as written, e.g. <c>&gt;</c>, <c>2&gt;&gt;</c>, <c>&amp;&gt;</c>, <c>&lt;</c>.</param>
/// <param name="Target">The file (quotes removed).</param>
/// <param name="IsWrite">Whether the file is written (output) rather than read (input).</param>
internal sealed record ShellRedirect(string Operator, string Target, bool IsWrite)
{
    /// <summary>Whether the target is computed at run time (<c>$VAR</c>, <c>$(…)</c>): its path is unknown.</summary>
    public bool IsDynamic { get; init; }

    /// <summary>Whether the target has unquoted glob characters (<c>*</c>, <c>?</c>, <c>[…]</c>): the shell picks a matching file.</summary>
    public bool IsGlob { get; init; }
}

/// <summary>One simple command of a shell command line, after wrappers and assignments are looked through.</summary>
/// <param name="Words">The words as the shell passes them (quotes removed), wrappers (sudo, timeout, env …) stripped.</param>
/// <param name="Redirects">The file redirections.</param>
/// <param name="IsDynamic">Whether the command name is computed at run time (<c>$CMD</c>, <c>$(…)</c>): no specifier can allow it.</param>
internal sealed record ShellCommandPart(IReadOnlyList<string> Words, IReadOnlyList<ShellRedirect> Redirects, bool IsDynamic)
{
    /// <summary>The words joined by single spaces: what shell rules match.</summary>
    public string CommandLine => string.Join(' ', Words);

    /// <summary>
    /// Every word looked through before <see cref="Words"/>, in order: <c>VAR=value</c> assignments, wrappers and their
    /// options (<c>sudo -u bob</c>, <c>timeout 5</c>). Deny and ask rules also match the command from each wrapper on.
    /// </summary>
    public IReadOnlyList<string> Prefix { get; init; } = [];

    /// <summary>
    /// The part of <see cref="Prefix"/> that changes what runs or as whom — assignments (<c>GIT_PAGER=…</c>,
    /// <c>LD_PRELOAD=…</c>), <c>env</c> with its options, <c>sudo</c>/<c>doas</c> with theirs, <c>time -o FILE</c> —
    /// which allow rules must match too: <c>shell(git status*)</c> does not allow <c>GIT_PAGER=x git status</c>.
    /// </summary>
    public IReadOnlyList<string> Qualifiers { get; init; } = [];

    /// <summary>Whether more arguments are appended at run time (<c>xargs</c>): only a pattern ending in <c>*</c> allows it.</summary>
    public bool AppendsArguments { get; init; }

    /// <summary>Indexes of <see cref="Words"/> whose value is only known at run time: variables, substitutions, unquoted globs, brace expansions.</summary>
    public IReadOnlyList<int> ExpandedWords { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() => CommandLine;
}

/// <summary>The simple commands of a command line, or why it could not be parsed.</summary>
/// <param name="Parts">Every simple command, including those inside <c>$(…)</c>, backticks, subshells and <c>bash -c '…'</c>.</param>
/// <param name="Error">Why the line could not be parsed (then it is never allowed by a specifier), or <see langword="null"/>.</param>
internal sealed record ShellParseResult(IReadOnlyList<ShellCommandPart> Parts, string? Error);
