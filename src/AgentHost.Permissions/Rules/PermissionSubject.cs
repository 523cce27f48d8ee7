using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Rules;

/// <summary>
/// How a call's subject reads in a prompt, a denial and the audit: a subject listing several paths one a line
/// (<c>git_add</c>'s) is shown on one line, the paths separated by <c>, </c>.
/// </summary>
public static class PermissionSubject
{
    /// <summary>The subject on one line: its non-empty lines, trimmed, joined with <c>, </c>.</summary>
    /// <param name="subject">The subject as the tool described it.</param>
    /// <returns>The one-line subject, or <see langword="null"/>.</returns>
    public static string? OneLine(string? subject)
    {
        if (subject is null || subject.IndexOfAny(['\n', '\r']) < 0)
        {
            return subject;
        }

        return string.Join(", ", subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>The paths of a read or write call whose subject lists several, one a line; <see langword="null"/> otherwise.</summary>
    internal static List<string>? Paths(PermissionCall call)
    {
        if (call.IsShell || call.Subject is not { } subject || !subject.Contains('\n', StringComparison.Ordinal)
            || (call.Effect & (Sdk.Tools.ToolEffect.Read | Sdk.Tools.ToolEffect.Write)) == 0 || (call.Effect & (Sdk.Tools.ToolEffect.Execute | Sdk.Tools.ToolEffect.Network)) != 0)
        {
            return null;
        }

        var lines = subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 && lines.All(PathSandbox.IsPathLike) ? [.. lines] : null;
    }
}
