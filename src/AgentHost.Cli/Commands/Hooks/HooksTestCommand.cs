using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Hooks;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Hosting.Hooks;

namespace AgentHost.Cli.Commands.Hooks;

/// <summary>
/// <c>agent hooks test EVENT</c>: runs the active hooks of an event that match a sample event, and prints each one's
/// exit code, output and decision. The host changes nothing (no tool runs, no session is stored); the hooks' own
/// commands do run.
/// </summary>
internal sealed class HooksTestCommand : AgentCommand
{
    private readonly PluginOptions _plugins = new();
    private readonly Argument<string> _event = new("event") { Description = $"The hook event: {string.Join(", ", HookEventNames.All)}." };
    private readonly Option<string?> _tool = new("--tool") { Description = "The tool of a tool event (host name such as shell, or Claude Code name such as Bash; default Bash)." };
    private readonly Option<string?> _input = new("--input") { Description = "JSON: the tool_input of a tool event, else fields of the event (e.g. {\"prompt\": \"hi\"})." };
    private readonly Option<string?> _inputFile = new("--input-file") { Description = "A file holding the --input JSON." };
    private readonly Option<bool> _json = new("--json") { Description = "Print JSON." };

    public HooksTestCommand(CliContext context)
        : base("test", "Run the hooks of an event with a sample event and show each one's exit code, output and decision; nothing else happens.", context)
    {
        Arguments.Add(_event);
        Options.Add(_tool);
        Options.Add(_input);
        Options.Add(_inputFile);
        _plugins.AddTo(this);
        Options.Add(_json);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var hookEvent = parseResult.GetValue(_event)!;
        if (!HookEventNames.All.Contains(hookEvent, StringComparer.Ordinal))
        {
            var close = HookEventNames.Canonical(hookEvent);
            throw new AgentHostException(ErrorKind.Usage, $"'{hookEvent}' is not a hook event{(close is null ? string.Empty : $" (did you mean {close}?)")}; use one of {string.Join(", ", HookEventNames.All)}.");
        }

        var input = ReadInput(parseResult);
        var configuration = Context.Configuration(parseResult);
        var hooks = await HooksListCommand.LoadAsync(Context, _plugins, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        foreach (var problem in hooks.Problems)
        {
            Context.Console.WriteInfo("warning: " + problem);
        }

        var root = configuration.ProjectRoot;
        var (fields, targets, tool) = Sample(hookEvent, parseResult.GetValue(_tool), input, root);
        await using var events = new EventBus(Microsoft.Extensions.Logging.Abstractions.NullLogger<EventBus>.Instance);
        var scrubber = new SecretScrubber(Context.Environment, SecretRuleReader.ForConfiguration(configuration));
        var dispatcher = new HookDispatcher(hooks, root, events, scrubber) { SessionId = "test" };
        var waiting = hooks.Hooks.Where(h => !h.Active && h.Event == hookEvent).ToList();
        var outcome = await dispatcher.RunAsync(hookEvent, fields, targets, tool, cancellationToken).ConfigureAwait(false);
        if (parseResult.GetValue(_json))
        {
            Context.Console.WriteDataLine(JsonSerializer.Serialize(
                new
                {
                    @event = hookEvent,
                    input = JsonNode.Parse(dispatcher.Input(hookEvent, fields)),
                    hooks = outcome.Answers.Select(a => new
                    {
                        source = a.Hook.Label,
                        command = scrubber.Scrub(a.Hook.Command),
                        exit_code = a.Process.ExitCode,
                        outcome = a.Outcome,
                        decision = a.DecisionName,
                        reason = a.Reason ?? a.StopReason,
                        additional_context = a.AdditionalContext,
                        updated_input = a.UpdatedInput,
                        warning = a.Warning,
                        stdout = a.Process.Stdout,
                        stderr = a.Process.Stderr,
                        truncated = a.Process.Truncated,
                        duration_ms = Math.Round(a.Process.Duration.TotalMilliseconds),
                    }),
                    not_run = waiting.Select(h => new { source = h.Label, reason = "the project is not trusted (agent trust)" }),
                },
                PluginFormatting.Json));
            return ExitCodes.Success;
        }

        Context.Console.WriteLine($"{hookEvent} input: {dispatcher.Input(hookEvent, fields)}");
        if (outcome.Answers.Count == 0)
        {
            Context.Console.WriteLine($"No active {hookEvent} hook matches{(tool is null ? string.Empty : $" tool {tool}")}.");
        }

        foreach (var answer in outcome.Answers)
        {
            Context.Console.WriteLine();
            Context.Console.WriteLine($"{answer.Hook.Label}: {answer.Hook.Command}");
            Context.Console.WriteLine($"  exit code: {(answer.Process.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none")}  outcome: {answer.Outcome}  decision: {answer.DecisionName ?? "none"}  ({answer.Process.Duration.TotalMilliseconds:0} ms)");
            Line("reason", answer.Reason ?? answer.StopReason);
            Line("context", answer.AdditionalContext);
            Line("updated input", answer.UpdatedInput?.ToJsonString());
            Line("warning", answer.Warning);
            Line("stdout", answer.Process.Stdout);
            Line("stderr", answer.Process.Stderr);
            if (answer.Process.Truncated)
            {
                Context.Console.WriteLine($"  (output cut at {HookRunner.MaxOutputCharacters} characters)");
            }
        }

        foreach (var hook in waiting)
        {
            Context.Console.WriteInfo($"not run: {hook.Label} (the project is not trusted; run 'agent trust' to let its hooks run)");
        }

        return ExitCodes.Success;
    }

    private void Line(string label, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            Context.Console.WriteLine($"  {label}: {text.Trim().ReplaceLineEndings("\n    ")}");
        }
    }

    private JsonObject ReadInput(ParseResult parseResult)
    {
        var text = parseResult.GetValue(_input);
        if (parseResult.GetValue(_inputFile) is { } file)
        {
            try
            {
                text = File.ReadAllText(Path.GetFullPath(file, Context.Environment.CurrentDirectory));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new AgentHostException(ErrorKind.NotFound, $"--input-file {file}: {ex.Message}");
            }
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new AgentHostException(ErrorKind.Usage, "--input must be a JSON object, e.g. {\"command\": \"ls\"}.");
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(ErrorKind.Usage, $"--input is not valid JSON ({ex.Message}); give a JSON object, e.g. {{\"command\": \"ls\"}}.");
        }
    }

    /// <summary>The sample event's fields, what matchers are tried against, and the tool.</summary>
    private static (JsonObject Fields, IReadOnlyList<string?> Targets, string? Tool) Sample(string hookEvent, string? toolOption, JsonObject input, string root)
    {
        if (HookEventNames.IsToolEvent(hookEvent))
        {
            var tool = HookToolNames.HostName(toolOption is { Length: > 0 } given ? given : "Bash");
            var alias = HookToolNames.AliasOf(tool);
            var fields = HookToolNames.ToolFields(tool, input.ToJsonString(), "call_test", root);
            if (hookEvent == HookEventNames.PostToolUse)
            {
                fields["tool_response"] = new JsonObject { ["output"] = "(sample output)", ["success"] = true };
            }
            else if (hookEvent == HookEventNames.PostToolUseFailure)
            {
                fields["error"] = "(sample error)";
                fields["is_interrupt"] = false;
            }
            else if (hookEvent == HookEventNames.PermissionRequest)
            {
                fields["permission_reason"] = "(sample: no rule allows it)";
            }

            return (fields, [tool, alias], tool);
        }

        var defaults = hookEvent switch
        {
            HookEventNames.UserPromptSubmit => new JsonObject { ["prompt"] = "(sample prompt)" },
            HookEventNames.SessionStart => new JsonObject { ["source"] = "startup" },
            HookEventNames.Stop => new JsonObject { ["stop_hook_active"] = false, ["last_assistant_message"] = "(sample answer)" },
            HookEventNames.PreCompact => new JsonObject { ["trigger"] = "manual", ["custom_instructions"] = string.Empty },
            HookEventNames.Notification => new JsonObject { ["message"] = "Agent needs your permission to use Bash", ["notification_type"] = "permission_prompt" },
            _ => new JsonObject { ["reason"] = "other" },
        };
        foreach (var (key, value) in input)
        {
            defaults[key] = value?.DeepClone();
        }

        var target = hookEvent switch
        {
            HookEventNames.SessionStart => defaults["source"],
            HookEventNames.PreCompact => defaults["trigger"],
            HookEventNames.Notification => defaults["notification_type"],
            HookEventNames.SessionEnd => defaults["reason"],
            _ => null,
        };
        return (defaults, [target?.ToString()], null);
    }
}
