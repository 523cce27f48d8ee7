using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;

namespace AgentHost.Cli;

/// <summary>
/// The <c>--allow RULE</c> option of commands that invoke tools: an allow rule for this run only, the flag a headless
/// denial names (<c>--allow 'write(notes.txt)'</c>). Shorthand for <c>-c permissions.allow.N=RULE</c>, so it is read,
/// validated and reported like any rule from the command line.
/// </summary>
internal static class AllowOption
{
    public const string Name = "--allow";

    public static Option<string[]> Create() => new(Name)
    {
        Description = "Allow calls this rule matches, for this run only, e.g. --allow 'write(notes.txt)' or --allow 'shell(npm test *)' (repeatable; deny rules, ask rules and the safety floor still apply). See docs/permissions.md.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Refuses a malformed <c>--allow</c> rule as a usage error (in a file it would only be ignored with a warning; a flag is typed now).</summary>
    public static void Validate(ParseResult parseResult, Option<string[]> option)
    {
        foreach (var text in parseResult.GetValue(option) ?? [])
        {
            if (!PermissionRuleParser.TryParse(RuleList.Allow, text, out _, out var error))
            {
                throw new AgentHostException(ErrorKind.Usage, $"{Name} {DenialAdvice.Quote(text)}: {error}. See docs/permissions.md, \"Rules\".");
            }
        }
    }

    /// <summary>The <c>-c</c> overrides the command's <c>--allow</c> values stand for, numbered after any <c>-c permissions.allow.N</c> already given.</summary>
    public static IEnumerable<string> ToOverrides(ParseResult parseResult, IReadOnlyList<string> overrides)
    {
        if (parseResult.CommandResult.Command.Options.FirstOrDefault(option => option.Name == Name) is not Option<string[]> option
            || parseResult.GetValue(option) is not { Length: > 0 } rules)
        {
            return [];
        }

        const string Prefix = "permissions.allow.";
        var next = overrides
            .Select(text => text.Split('=', 2)[0].Trim())
            .Where(key => key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && ConfigKeys.IsIndex(key[Prefix.Length..]))
            .Select(key => int.Parse(key[Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture) + 1)
            .DefaultIfEmpty(0)
            .Max();
        return rules.Select((rule, i) => $"{Prefix}{next + i}={rule}");
    }
}
