using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions.Gate;

/// <summary>
/// How much a tool call can do, for the person who approves it: <c>read</c>, <c>write</c>, <c>execute</c>,
/// <c>network</c> or <c>destructive</c>. Shown in the permission question, the API's permission requests and the audit;
/// it explains a request and decides nothing (the rules and the mode do).
/// </summary>
public static class PermissionRisk
{
    /// <summary>Reads only.</summary>
    public const string Read = "read";

    /// <summary>Changes files or other local state.</summary>
    public const string Write = "write";

    /// <summary>Runs processes.</summary>
    public const string Execute = "execute";

    /// <summary>Talks to the network.</summary>
    public const string Network = "network";

    /// <summary>Deletes or rewrites what cannot be brought back by the agent: <c>rm</c>, <c>git reset --hard</c>, a forced push, a file deleted.</summary>
    public const string Destructive = "destructive";

    private static readonly HashSet<string> Deleters = new(StringComparer.Ordinal) { "rm", "rmdir", "shred", "unlink", "dd", "truncate", "wipefs", "mkfs" };

    /// <summary>The risk of <paramref name="request"/>: destructive when what it names deletes or rewrites, else by its tool's effect.</summary>
    /// <param name="request">The call.</param>
    /// <returns>One of the constants of this class.</returns>
    public static string Of(ToolPermissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var effect = request.Effect;
        var action = request.Description.Action;
        // The files plugin's delete is a write (so that write rules decide it) by a tool named for what it does.
        if (action is "delete" or "remove" || (effect.HasFlag(ToolEffect.Write) && request.Tool is "delete" or "remove"))
        {
            return Destructive;
        }

        if (effect.HasFlag(ToolEffect.Execute) && action is "run" or "execute" && request.Description.Subject is { } command && IsDestructiveCommand(command))
        {
            return Destructive;
        }

        return effect.HasFlag(ToolEffect.Execute) ? Execute
            : effect.HasFlag(ToolEffect.Network) ? Network
            : effect.HasFlag(ToolEffect.Write) ? Write
            : Read;
    }

    /// <summary>
    /// Whether a command line deletes or rewrites: a part runs a deleter (<c>rm</c>, <c>shred</c>, <c>dd</c>, <c>mkfs.*</c>…),
    /// <c>find … -delete</c>, or git's history-rewriting forms (<c>reset --hard</c>, <c>clean -f</c>, <c>push --force</c>,
    /// <c>branch -D</c>, <c>checkout -- …</c>, <c>restore</c>). A line the parser cannot read counts as destructive:
    /// nothing says it is not.
    /// </summary>
    /// <param name="commandLine">The command line.</param>
    /// <returns>Whether it does.</returns>
    public static bool IsDestructiveCommand(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var parsed = ShellCommandParser.Parse(commandLine);
        if (parsed.Error is not null)
        {
            return true;
        }

        foreach (var part in parsed.Parts)
        {
            if (part.Words.Count == 0)
            {
                continue;
            }

            var program = Path.GetFileName(part.Words[0]);
            var arguments = part.Words.Skip(1).ToList();
            if (Deleters.Contains(program) || program.StartsWith("mkfs.", StringComparison.Ordinal)
                || (program == "find" && arguments.Contains("-delete"))
                || (program == "git" && IsRewritingGit(arguments)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsRewritingGit(List<string> arguments)
    {
        var verb = arguments.FirstOrDefault(a => !a.StartsWith('-'));
        var options = arguments.Where(a => a.StartsWith('-')).ToList();
        return verb switch
        {
            "reset" => options.Contains("--hard"),
            "clean" => options.Any(o => o == "--force" || (o.StartsWith('-') && !o.StartsWith("--", StringComparison.Ordinal) && o.Contains('f', StringComparison.Ordinal))),
            "push" => options.Any(o => o is "-f" or "--force" || o.StartsWith("--force-with-lease", StringComparison.Ordinal) || o == "--delete" || o == "-d") || arguments.Any(a => a.StartsWith('+') || a.StartsWith(':')),
            "branch" => options.Any(o => o is "-D" or "--delete" or "-d"),
            "checkout" => arguments.Contains("--") || options.Contains("-f") || options.Contains("--force"),
            "restore" or "rm" or "filter-branch" or "filter-repo" => true,
            "stash" => arguments.Contains("drop") || arguments.Contains("clear"),
            _ => false,
        };
    }
}
