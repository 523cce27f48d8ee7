using System.Globalization;

namespace AgentHost.Permissions;

/// <summary>Which list a rule is in.</summary>
public enum RuleList
{
    /// <summary><c>permissions.allow</c>.</summary>
    Allow,

    /// <summary><c>permissions.ask</c>.</summary>
    Ask,

    /// <summary><c>permissions.deny</c>.</summary>
    Deny,
}

/// <summary>What a rule's tool part selects.</summary>
public enum RuleTarget
{
    /// <summary><c>shell</c> / <c>bash</c>: each part of a shell command line.</summary>
    Shell,

    /// <summary><c>read</c>: every path a call reads (file tools with a read effect, <c>&lt;</c> redirections).</summary>
    Read,

    /// <summary><c>write</c> / <c>edit</c>: every path a call writes (file tools with a write effect, output redirections).</summary>
    Write,

    /// <summary><c>fetch</c> / <c>webfetch</c>: every network call, by domain.</summary>
    Fetch,

    /// <summary>A tool by name: plain (<c>view</c>), plugin-qualified (<c>files/view</c>) or MCP (<c>mcp__server__tool</c>); <c>*</c> allowed.</summary>
    Tool,
}

/// <summary>One parsed permission rule and where it was configured.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
/// <param name="List">The list it is in.</param>
/// <param name="Text">The rule as written, e.g. <c>shell(git status*)</c>.</param>
/// <param name="Target">What the tool part selects.</param>
/// <param name="ToolName">The tool part as written (lowercase for the built-in targets).</param>
/// <param name="Specifier">The text between the parentheses, or <see langword="null"/> for a bare tool.</param>
public sealed record PermissionRule(RuleList List, string Text, RuleTarget Target, string ToolName, string? Specifier)
{
    /// <summary>The file that configured the rule.</summary>
    public string? File { get; init; }

    /// <summary>The 1-based line in <see cref="File"/>.</summary>
    public int? Line { get; init; }

    /// <summary>For rules not from a file: <c>env AGENT_…</c>, <c>flag -c …</c> or <c>code</c>.</summary>
    public string? Origin { get; init; }

    /// <summary>
    /// For a shell allow rule of a skill's <c>allowed-tools</c>: the skill's folder. The command's words that are paths
    /// (they contain a <c>/</c>) are compared as paths relative to it — resolved against the directory the command runs
    /// in — so <c>shell(python3 scripts/*)</c> matches that skill's <c>scripts/x.py</c> however the call spells it, and
    /// never another folder's <c>scripts/</c>. See docs/skills.md.
    /// </summary>
    public string? Anchor { get; init; }

    /// <summary>Where the rule is: <c>file:line</c>, the env variable or flag, or <c>code</c>.</summary>
    public string Location => (File, Line) switch
    {
        ({ } file, { } line) => string.Create(CultureInfo.InvariantCulture, $"{file}:{line}"),
        ({ } file, null) => file,
        _ => Origin ?? "code",
    };

    /// <summary>The list name as in configuration: <c>allow</c>, <c>ask</c> or <c>deny</c>.</summary>
    public string ListName => List.ToString().ToLowerInvariant();

    /// <inheritdoc />
    public override string ToString() => $"{ListName} {Text} ({Location})";
}

/// <summary>Parses rule text: <c>tool</c> or <c>tool(specifier)</c>.</summary>
public static class PermissionRuleParser
{
    /// <summary>Parses one rule.</summary>
    /// <param name="list">The list it belongs to.</param>
    /// <param name="text">The rule text.</param>
    /// <param name="rule">The rule, when valid (location not set).</param>
    /// <param name="error">What is wrong and how to fix it, when not valid.</param>
    /// <returns>Whether the rule is valid. An invalid rule must be ignored, never read more widely.</returns>
    public static bool TryParse(RuleList list, string text, out PermissionRule? rule, out string? error)
    {
        rule = null;
        error = null;
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            error = "the rule is empty. Write a tool name such as 'shell', or 'shell(git status *)'";
            return false;
        }

        string tool;
        string? specifier = null;
        var open = trimmed.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            if (trimmed.Contains(')', StringComparison.Ordinal))
            {
                error = $"'{trimmed}' has ')' without '('. Write 'tool(specifier)'";
                return false;
            }

            tool = trimmed;
        }
        else
        {
            if (!trimmed.EndsWith(')'))
            {
                error = $"'{trimmed}' opens '(' but does not end with ')'. Close the specifier: '{trimmed})' (a rule is never read more widely than written)";
                return false;
            }

            tool = trimmed[..open].Trim();
            specifier = trimmed[(open + 1)..^1].Trim();
            if (specifier.Length == 0)
            {
                error = $"'{trimmed}' has an empty specifier. Remove the parentheses to match every call of '{tool}', or write a pattern such as '{tool}(*)'";
                return false;
            }
        }

        if (tool.Length == 0 || !tool.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or '*' or ':'))
        {
            error = $"'{tool}' is not a tool name. Use shell, read, write, fetch, a tool name (view), a plugin-qualified name (files/view) or mcp__server__tool";
            return false;
        }

        var target = tool.ToLowerInvariant() switch
        {
            "shell" or "bash" => RuleTarget.Shell,
            "read" => RuleTarget.Read,
            "write" or "edit" => RuleTarget.Write,
            "fetch" or "webfetch" => RuleTarget.Fetch,
            _ => RuleTarget.Tool,
        };

        if (specifier is not null && !CheckSpecifier(target, tool, specifier, out error))
        {
            return false;
        }

        rule = new PermissionRule(list, trimmed, target, target == RuleTarget.Tool ? tool : tool.ToLowerInvariant(), specifier);
        return true;
    }

    private static bool CheckSpecifier(RuleTarget target, string tool, string specifier, out string? error)
    {
        error = null;
        switch (target)
        {
            case RuleTarget.Fetch:
                if (!specifier.StartsWith("domain:", StringComparison.OrdinalIgnoreCase) || specifier.Length == "domain:".Length)
                {
                    error = $"'{tool}({specifier})' needs a domain: write '{tool}(domain:example.com)' or '{tool}(domain:*.example.com)'";
                    return false;
                }

                var domain = specifier["domain:".Length..];
                if (!domain.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '*') || domain.IndexOf('*', 1) >= 0)
                {
                    error = $"'{domain}' is not a domain pattern. Use a host name, optionally starting with '*.', such as '*.example.com'";
                    return false;
                }

                return true;
            case RuleTarget.Read or RuleTarget.Write:
                if (specifier.Contains('\0', StringComparison.Ordinal))
                {
                    error = "a path pattern cannot contain NUL";
                    return false;
                }

                if (specifier.StartsWith('~') && specifier.Length > 1 && specifier[1] != '/')
                {
                    error = $"'{specifier}': only '~/' (your home) is supported, not '~user'. Write an absolute path instead";
                    return false;
                }

                return true;
            case RuleTarget.Shell:
                var colon = specifier.IndexOf(":*", StringComparison.Ordinal);
                if (colon >= 0 && colon != specifier.Length - 2)
                {
                    error = $"':*' may only end a shell pattern ('{specifier}'). Write 'prefix:*' or 'prefix *'";
                    return false;
                }

                return true;
            default:
                return true;
        }
    }
}
