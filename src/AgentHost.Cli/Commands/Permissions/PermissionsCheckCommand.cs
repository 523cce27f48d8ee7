using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Tools;

namespace AgentHost.Cli.Commands.Permissions;

/// <summary>
/// <c>agent permissions check TOOL SUBJECT [--mode M] [--root DIR] [--effect E] [--json]</c>: the decision the current
/// configuration gives for one call. Exit 0 for allow and ask, 5 for deny.
/// </summary>
internal sealed class PermissionsCheckCommand : AgentCommand
{
    private readonly Argument<string> _tool = new("tool")
    {
        Description = "shell, read, write, fetch, or any tool name (plain, plugin/tool or mcp__server__tool).",
    };

    private readonly Argument<string> _subject = new("subject")
    {
        Description = "The command line, path or URL of the call.",
    };

    private readonly Option<string?> _mode = new("--mode")
    {
        Description = "The permission mode: ask, accept-edits, plan, yolo or dont-ask (default: permissions.mode, else ask with a TTY and dont-ask without).",
    };

    private readonly Option<string?> _root = new("--root")
    {
        Description = "The sandbox root (default: the project root).",
    };

    private readonly Option<string?> _effect = new("--effect")
    {
        Description = "The tool's effect when the name does not say: read, write, execute or network.",
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Print the decision as JSON.",
    };

    public PermissionsCheckCommand(CliContext context)
        : base("check", "Show the decision the current configuration gives for a call, the rule that matched (file:line) and why.", context)
    {
        Arguments.Add(_tool);
        Arguments.Add(_subject);
        Options.Add(_mode);
        Options.Add(_root);
        Options.Add(_effect);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var configuration = Context.Configuration(parseResult);
        var policy = PermissionPolicy.FromConfiguration(configuration, ProjectTrust.Load(Context.Paths));
        var tool = parseResult.GetValue(_tool)!.Trim();
        var subject = parseResult.GetValue(_subject)!;
        var mode = ParseMode(parseResult.GetValue(_mode)) ?? policy.Mode ?? PermissionModes.Default(Context.Console.IsInteractive);
        var effect = ParseEffect(parseResult.GetValue(_effect)) ?? PermissionCall.EffectForName(tool)
            ?? throw new AgentHostException(ErrorKind.Usage, $"'{tool}' does not say what it does. Add --effect read|write|execute|network.");
        var root = parseResult.GetValue(_root) is { Length: > 0 } given ? Path.GetFullPath(given, Context.Environment.CurrentDirectory) : configuration.ProjectRoot;
        if (!Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"the root '{root}' does not exist. Pass an existing folder to --root.");
        }

        var slash = tool.LastIndexOf('/');
        var call = new PermissionCall(slash >= 0 ? tool[(slash + 1)..] : tool, effect, subject)
        {
            Plugin = slash >= 0 ? tool[..slash] : null,
            Action = effect == ToolEffect.Execute && tool.ToLowerInvariant() is "shell" or "bash" ? "run" : null,
        };
        var decision = new PermissionEngine(policy, root, Context.Environment.HomeDirectory, protectedPaths: ProtectedPaths.FromEnvironment(Context.Environment)).Decide(call, mode);
        string? sandbox = null;
        string? scope = null;
        if (call.IsShell)
        {
            // The run's sandbox for this line and the run's sandbox.auto_allow decision (the gate applies the same one).
            var (processSandbox, autoAllow) = await SandboxOfAsync(configuration, policy, root, subject, cancellationToken).ConfigureAwait(false);
            sandbox = SandboxPolicy.Describe(processSandbox);
            if (SandboxPolicy.AutoAllowReason(autoAllow, mode, processSandbox, decision) is { } reason)
            {
                decision = decision with { Verdict = Verdict.Allow, Reason = reason, SuggestedRules = [] };
                scope = SandboxPolicy.AutoAllowScope;
            }
        }

        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(ToJson(decision, policy, sandbox, scope));
        }
        else
        {
            WriteText(decision, policy.Project, scope);
            if (sandbox is not null)
            {
                Context.Console.WriteLine($"sandbox: {sandbox}");
            }
        }

        foreach (var problem in policy.Problems)
        {
            Context.Console.WriteInfo($"{(problem.IsError ? "error" : "warning")}: {problem}");
        }

        return decision.Verdict == Verdict.Deny ? ExitCodes.Denied : ExitCodes.Success;
    }

    /// <summary>How the command would be sandboxed when the shell runs it (docs/sandbox.md).</summary>
    private async Task<(ProcessSandbox? Sandbox, bool AutoAllow)> SandboxOfAsync(
        ConfigurationSnapshot configuration, PermissionPolicy policy, string root, string command, CancellationToken cancellationToken)
    {
        await using var events = new Hosting.Events.EventBus(Microsoft.Extensions.Logging.Abstractions.NullLogger<Hosting.Events.EventBus>.Instance);
        var sandboxes = Agent.Runs.RunSandbox.Create(configuration, Context.Environment, root, policy, sessionId: null, modeOverride: null, events);
        return (await sandboxes.ForAsync(command, cancellationToken: cancellationToken).ConfigureAwait(false), sandboxes.Settings.AutoAllow);
    }

    private static PermissionMode? ParseMode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return PermissionModes.TryParse(text, out var mode)
            ? mode
            : throw new AgentHostException(ErrorKind.Usage, $"'{text}' is not a permission mode. Use one of: {string.Join(", ", PermissionModes.Names)}.");
    }

    private static ToolEffect? ParseEffect(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => null,
        "read" => ToolEffect.Read,
        "write" => ToolEffect.Write,
        "execute" or "exec" => ToolEffect.Execute,
        "network" => ToolEffect.Network,
        "none" => ToolEffect.None,
        _ => throw new AgentHostException(ErrorKind.Usage, $"'{text}' is not an effect. Use read, write, execute or network."),
    };

    private void WriteText(PermissionDecision decision, ProjectTrustState? project, string? scope)
    {
        Context.Console.WriteLine($"{decision.VerdictName}: {decision.Kind} {decision.Subject}");
        Context.Console.WriteLine($"  mode:   {decision.Mode.ToDisplayName()}");
        if (scope is not null)
        {
            Context.Console.WriteLine($"  scope:  {scope} (sandbox.auto_allow: the sandbox contains the command, so the run does not ask)");
        }

        Context.Console.WriteLine($"  project: {TrustText(project)}");
        Context.Console.WriteLine($"  reason: {decision.Reason}");
        if (decision.MatchedRule is { } rule)
        {
            Context.Console.WriteLine($"  rule:   {rule.ListName} {rule.Text} ({rule.Location})");
        }
        else
        {
            Context.Console.WriteLine($"  rule:   none ({Basis(decision.Basis)})");
        }

        if (decision.Verdict == Verdict.Ask)
        {
            Context.Console.WriteLine("  note:   'ask' puts the call to a person at a terminal; headless runs deny it (exit code 0 here).");
        }

        if (decision.SuggestedRules.Count > 0)
        {
            Context.Console.WriteLine($"  to allow: add to permissions.allow: {string.Join(", ", decision.SuggestedRules)}");
        }

        if (decision.Parts.Count > 0)
        {
            Context.Console.WriteLine("parts:");
            var width = decision.Parts.Max(part => part.Kind.Length + part.Subject.Length + 1);
            foreach (var part in decision.Parts)
            {
                var label = $"{part.Kind} {part.Subject}";
                Context.Console.WriteLine($"  {part.VerdictName,-5}  {label.PadRight(Math.Min(width, 50))}  {part.Reason}");
            }
        }
    }

    /// <summary><c>trusted</c>, or <c>not trusted (2 allow rules, mode yolo ignored; run 'agent trust' to apply them)</c>.</summary>
    private static string TrustText(ProjectTrustState? project) => project switch
    {
        null or { Trusted: true } => "trusted",
        { IgnoredAnything: true } => $"not trusted ({project.IgnoredSummary} ignored; run 'agent trust' to apply them)",
        _ => "not trusted",
    };

    private static string Basis(DecisionBasis basis) => basis switch
    {
        DecisionBasis.SafetyFloor => "safety floor",
        DecisionBasis.Sandbox => "outside the sandbox",
        DecisionBasis.Unparsed => "command not understood",
        _ => "mode default",
    };

    private static string ToJson(PermissionDecision decision, PermissionPolicy policy, string? sandbox, string? scope)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteDecision(writer, decision, policy.Problems.Select(problem => problem.ToString()).ToList(), policy.Project, sandbox, scope);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteDecision(
        Utf8JsonWriter writer, PermissionDecision decision, IReadOnlyList<string>? problems, ProjectTrustState? project = null, string? sandbox = null, string? scope = null)
    {
        writer.WriteStartObject();
        writer.WriteString("verdict", decision.VerdictName);
        if (sandbox is not null)
        {
            writer.WriteString("sandbox", sandbox);
        }

        if (scope is not null)
        {
            writer.WriteString("scope", scope);
        }

        writer.WriteString("reason", decision.Reason);
        writer.WriteString("basis", decision.Basis switch
        {
            DecisionBasis.SafetyFloor => "safety_floor",
            _ => decision.Basis.ToString().ToLowerInvariant(),
        });
        writer.WriteString("mode", decision.Mode.ToDisplayName());
        writer.WriteString("kind", decision.Kind);
        writer.WriteString("subject", decision.Subject);
        writer.WriteBoolean("outside_sandbox", decision.OutsideSandbox);
        if (decision.MatchedRule is { } rule)
        {
            writer.WriteStartObject("rule");
            writer.WriteString("list", rule.ListName);
            writer.WriteString("text", rule.Text);
            writer.WriteString("file", rule.File);
            if (rule.Line is { } line)
            {
                writer.WriteNumber("line", line);
            }
            else
            {
                writer.WriteNull("line");
            }

            writer.WriteString("origin", rule.Origin);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("rule");
        }

        writer.WriteStartArray("suggested_rules");
        foreach (var suggestion in decision.SuggestedRules)
        {
            writer.WriteStringValue(suggestion);
        }

        writer.WriteEndArray();
        if (problems is not null)
        {
            writer.WriteStartArray("parts");
            foreach (var part in decision.Parts)
            {
                WriteDecision(writer, part, problems: null);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("problems");
            foreach (var problem in problems)
            {
                writer.WriteStringValue(problem);
            }

            writer.WriteEndArray();
        }

        if (project is not null)
        {
            writer.WriteStartObject("project");
            writer.WriteString("root", project.Root);
            writer.WriteBoolean("trusted", project.Trusted);
            writer.WriteString("trusted_by", project.TrustedBy);
            writer.WriteStartArray("ignored_allow_rules");
            foreach (var ignored in project.IgnoredAllowRules)
            {
                writer.WriteStringValue(ignored.Text);
            }

            writer.WriteEndArray();
            writer.WriteString("ignored_mode", project.IgnoredMode);
            writer.WriteNumber("ignored_extra_dirs", project.IgnoredExtraDirectories.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
