namespace AgentHost.Common.Git;

/// <summary>
/// The one place that says how the host runs git without running what a repository's configuration names. A
/// repository's <c>.git/config</c> (and files it includes) is data the project controls: it can name programs for
/// <c>core.fsmonitor</c>, hooks (<c>core.hooksPath</c>), pagers, external diff and textconv drivers, clean/smudge
/// filters, ssh and credential helpers, signature programs and editors. Every call switches them off with command-line
/// configuration (which wins over every file) and environment variables; filter and diff drivers that the repository's
/// own files define are blanked one by one (<see cref="DriverOverrides"/>). Only a call that changes the repository
/// (a commit) keeps hooks and the signature program, and the git plugin decides such a call as the execution it is.
/// </summary>
/// <remarks>Shared source (src/Common), linked into the kernel and the git plugin. Stateless and thread-safe.</remarks>
public static class SafeGit
{
    /// <summary>The null device: a hooks folder that holds no hook.</summary>
    public static string NullDevice => OperatingSystem.IsWindows() ? "NUL" : "/dev/null";

    /// <summary>
    /// The <c>git config</c> arguments that list the driver keys a repository defines (filters, diff drivers), whose
    /// values are programs; each is then blanked by <see cref="DriverOverrides"/>.
    /// </summary>
    public static IReadOnlyList<string> ListDriversArguments { get; } =
        ["config", "--null", "--show-scope", "--name-only", "--get-regexp", @"^(filter|diff|merge)\..+\.(clean|smudge|process|textconv|command|driver)$"];

    /// <summary>
    /// Global options (before the sub-command). Every call: no pager, editor, prompt or remote, no fsmonitor and no
    /// external diff. A read-only call: no hooks and no signature program either.
    /// </summary>
    /// <param name="readOnly">Whether the call only reads.</param>
    /// <returns>The options.</returns>
    public static IReadOnlyList<string> GlobalArguments(bool readOnly)
    {
        List<string> arguments =
        [
            "--no-pager",
            "-c", "core.pager=cat",
            "-c", "core.editor=:",
            "-c", "sequence.editor=:",
            "-c", "core.askPass=",
            "-c", "credential.helper=",
            "-c", "core.sshCommand=",
            "-c", "protocol.allow=never", // no transport at all: no ssh, no credential helper, no lazy fetch of a partial clone
            "-c", "interactive.diffFilter=",
            "-c", "core.fsmonitor=false",
            "-c", "diff.external=",
            "-c", "submodule.recurse=false",
            "-c", "core.untrackedCache=false",
        ];
        if (readOnly)
        {
            arguments.AddRange(
            [
                "-c", "core.hooksPath=" + NullDevice,
                "-c", "log.showSignature=false",
                "-c", "gpg.program=",
                "-c", "gpg.ssh.program=",
                "-c", "gpg.x509.program=",
            ]);
        }

        return arguments;
    }

    /// <summary>Options right after a read-only sub-command that turn off its external programs (<c>--no-ext-diff</c>, <c>--no-textconv</c>).</summary>
    /// <param name="subcommand">The sub-command.</param>
    /// <returns>The options (empty for sub-commands that have none).</returns>
    public static IReadOnlyList<string> SubcommandArguments(string subcommand) => subcommand switch
    {
        "diff" or "log" or "show" or "whatchanged" => ["--no-ext-diff", "--no-textconv"],
        "blame" or "annotate" or "grep" or "cat-file" => ["--no-textconv"],
        _ => [],
    };

    /// <summary>Environment for every git call: variables that would page, prompt, edit or run programs are set to harmless values or removed.</summary>
    /// <param name="readOnly">Whether the call only reads (no optional locks: status does not rewrite the index).</param>
    /// <returns>The variables (a <see langword="null"/> value removes one).</returns>
    public static Dictionary<string, string?> Environment(bool readOnly)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GIT_PAGER"] = "cat",
            ["PAGER"] = "cat",
            ["GIT_EDITOR"] = ":",
            ["GIT_SEQUENCE_EDITOR"] = ":",
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_NO_LAZY_FETCH"] = "1",
            ["GIT_ASKPASS"] = null,
            ["SSH_ASKPASS"] = null,
            ["GIT_SSH"] = null,
            ["GIT_SSH_COMMAND"] = null,
            ["GIT_EXTERNAL_DIFF"] = null,
            ["GIT_CONFIG_COUNT"] = null,
            ["GIT_CONFIG_PARAMETERS"] = null,
            ["AGENTHOST"] = "1",
        };
        if (readOnly)
        {
            environment["GIT_OPTIONAL_LOCKS"] = "0";
        }

        return environment;
    }

    /// <summary>
    /// Blanks every driver key that <see cref="ListDriversArguments"/> listed: an empty <c>filter.X.clean</c>,
    /// <c>smudge</c>, <c>process</c>, <c>diff.X.textconv</c> or <c>command</c> runs nothing. Keys go through
    /// <c>GIT_CONFIG_COUNT</c>/<c>GIT_CONFIG_KEY_n</c> (command-line scope, like <c>-c</c>), which takes a key whose
    /// name holds <c>=</c> as it is.
    /// </summary>
    /// <remarks>
    /// Only keys from the repository's own files (scopes <c>local</c> and <c>worktree</c>, includes among them) are
    /// blanked: a filter the user set up in their global configuration (git-lfs) keeps working, unless the repository
    /// redefines it.
    /// </remarks>
    /// <param name="listOutput">The NUL-separated scope and key pairs <c>git config --null --show-scope --name-only --get-regexp</c> printed.</param>
    /// <returns>The variables to add (empty when the repository defines no driver).</returns>
    public static Dictionary<string, string?> DriverOverrides(string listOutput)
    {
        var fields = (listOutput ?? string.Empty).Split('\0');
        var keys = new List<string>();
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            if (fields[i] is "local" or "worktree" && fields[i + 1].Length > 0 && !keys.Contains(fields[i + 1], StringComparer.Ordinal))
            {
                keys.Add(fields[i + 1]);
            }
        }

        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return environment;
        }

        environment["GIT_CONFIG_COUNT"] = keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < keys.Count; i++)
        {
            var index = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            environment["GIT_CONFIG_KEY_" + index] = keys[i];
            environment["GIT_CONFIG_VALUE_" + index] = string.Empty;
        }

        return environment;
    }

    /// <summary>Inserts <see cref="SubcommandArguments"/> right after the sub-command of a read-only call.</summary>
    /// <param name="arguments">The arguments, sub-command first.</param>
    /// <returns>The arguments with the switches.</returns>
    public static IReadOnlyList<string> WithSubcommandSwitches(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0 || SubcommandArguments(arguments[0]) is not { Count: > 0 } switches)
        {
            return arguments;
        }

        return [arguments[0], .. switches.Where(s => !arguments.Contains(s, StringComparer.Ordinal)), .. arguments.Skip(1)];
    }
}
