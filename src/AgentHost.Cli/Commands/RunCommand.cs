using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent run</c>: a headless, scriptable agent run with the chosen plugins, persisted as a session.</summary>
internal sealed class RunCommand : AgentCommand
{
    private readonly Argument<string[]> _prompt = new("prompt") { Description = "The task. '-' reads (more of) it from standard input.", Arity = ArgumentArity.ZeroOrMore };
    private readonly PluginOptions _plugins = new();
    private readonly Option<string?> _model = new("--model", "-m") { Description = "provider/model, e.g. openai/gpt-4.1-mini or scripted/script.yaml (default: a resumed session's model, else the 'model' setting)." };
    private readonly Option<string?> _session = new("--session", "-s") { Description = "Continue this session (id or unique prefix)." };
    private readonly Option<bool> _continue = new("--continue") { Description = "Continue the newest session of this project." };
    private readonly Option<string?> _root = new("--root") { Description = "The project root to work in (default: the project containing the current directory)." };
    private readonly Option<string> _output = new("--output", "-o") { Description = "text (answer on stdout, activity on stderr), json (NDJSON events) or final (only the answer).", DefaultValueFactory = _ => "text" };
    private readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop after this many model steps." };
    private readonly Option<string[]> _context = new("--context") { Description = "Add context: @file, @dir/ or @https://… (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _images = new("--image") { Description = "Attach an image (PNG, JPEG, GIF or WebP, up to 5 MiB) inside the project root (repeatable); @shot.png in the prompt does the same.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _permissionMode = PermissionModeOption.Create();
    private readonly Option<string[]> _allow = AllowOption.Create();
    private readonly Option<string?> _prefer = new("--prefer") { Description = "When no model is named: fast, cheap or best (picks the small_model / large_model role, else the automatic selector)." };
    private readonly Option<bool> _dryRun = new("--dry-run")
    {
        Description = "Mutating tools (write, edit, …) only show what they would change; a call may still set dry_run=false, which asks permission as usual.",
    };

    private readonly Option<string[]> _skills = new("--skill") { Description = "Activate this skill before the first model request (repeatable; see 'agent skill list').", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _noCompact = new("--no-compact") { Description = "Never summarise older history, even near the context window." };

    public RunCommand(CliContext context)
        : base("run", "Run the agent on a task, headless; the conversation is saved as a session you can resume.", context)
    {
        Arguments.Add(_prompt);
        _output.AcceptOnlyFromAmong("text", "json", "final");
        _prefer.AcceptOnlyFromAmong("fast", "cheap", "best", "balanced");
        _plugins.AddTo(this);
        foreach (var option in new Option[] { _model, _session, _continue, _root, _output, _maxSteps, _context, _images, _permissionMode, _allow, _prefer, _noCompact, _dryRun, _skills })
        {
            Options.Add(option);
        }
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var prompt = ReadPrompt(parseResult);
        AllowOption.Validate(parseResult, _allow);
        var output = parseResult.GetValue(_output)!;
        var root = parseResult.GetValue(_root) is { } r ? Path.GetFullPath(r, Context.Environment.CurrentDirectory) : null;
        if (root is not null && !Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        if (parseResult.GetValue(_session) is not null && parseResult.GetValue(_continue))
        {
            throw new AgentHostException(ErrorKind.Usage, "use either --session ID or --continue, not both.");
        }

        var configuration = Checked(root is null ? Context.Configuration(parseResult) : Context.ProjectRoots(parseResult).ResolveConfiguration(root));
        // The session store opens while plugins load (SQLite's open is synchronous, hence the worker thread).
        var opening = Task.Run(() => Context.OpenSessionStoreAsync(cancellationToken), cancellationToken);
        RememberedRun? remembered = null;
        if (parseResult.GetValue(_session) is not null || parseResult.GetValue(_continue))
        {
            // A resumed run works in the session's workspace (unless --root says otherwise) and loads the session's
            // plugins, so what the session remembers is read before the plugins load.
            remembered = await RememberedRun.FindAsync(await opening.ConfigureAwait(false), parseResult.GetValue(_session), root ?? configuration.ProjectRoot, cancellationToken).ConfigureAwait(false);
            if (root is null && Directory.Exists(remembered.Workspace) && !string.Equals(Path.GetFullPath(remembered.Workspace), Path.GetFullPath(configuration.ProjectRoot), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                root = remembered.Workspace;
                configuration = Checked(Context.ProjectRoots(parseResult).ResolveConfiguration(root));
            }
        }

        await using var runtime = Context.CreatePluginRuntime(configuration);
        var verbose = parseResult.GetValue(Context.GlobalOptions.Verbose);
        var text = new TextRunRenderer(Context.Console)
        {
            Verbose = verbose,
            ShowProgress = verbose || !Console.IsErrorRedirected,
            Answer = output == "text" && Context.Console.Terminal is { } terminal ? MarkdownAnswers(terminal) : null,
        };
        var denials = new DenialTally();
        // Lossless: when stdout is read slowly, the run waits for it rather than lose output.
        using var rendering = runtime.Events.Subscribe(typeof(AgentEvent), (e, _) =>
        {
            denials.Observe(e);
            if (output == "json")
            {
                NdjsonEventWriter.Write(Context.Console, e);
            }
            else if (output == "text")
            {
                text.Render(e);
            }

            return ValueTask.CompletedTask;
        }, EventDelivery.Lossless, $"agent run --output {output}");

        var broker = new PermissionBroker(runtime.Events);
        using var prompter = Context.Console.IsInteractive
            ? new ConsolePermissionPrompter(Context.Console, broker, runtime.Events, configuration.Project.ConfigFileOrDefault, configuration.GlobalConfigFile)
            : null;
        // The provider plugin of the named, remembered or configured model loads with the others: it is on the way to the first request.
        var workspaceRoot = root ?? configuration.ProjectRoot;
        PluginChoice plugins;
        try
        {
            plugins = PluginChoice.Choose(Context, _plugins, parseResult, configuration, runtime, remembered);
            var model = parseResult.GetValue(_model) ?? remembered?.Model ?? configuration.Model;
            string[] providers = model is not null && ModelSelection.ProviderTypeOf(model, configuration) is { } type ? [type] : [];
            await runtime.LoadForRunAsync(plugins.Requested, Context.Environment.CurrentDirectory, providers, plugins.Defaults, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await ((Task)opening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await opening.ConfigureAwait(false);
        var scrubber = Context.Services.GetRequiredService<SecretScrubber>();
        // The composition root's factory builds the session service around the runtime this command made on its own
        // schedule (for this root's configuration) and the store it opened.
        await using var service = Context.ProjectRoots(parseResult).CreateSessionService(configuration, runtime, broker);
        TurnResult summary;
        try
        {
            summary = await RunTurnAsync(service, parseResult, prompt, workspaceRoot, remembered, plugins.Recorded, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            text.EndLine();
        }

        var result = summary.Result;
        if (output == "final" && result.FinalText is { } final)
        {
            Context.Console.WriteLine(scrubber.Scrub(final));
        }

        var continueWith = $"continue with: agent run --session {summary.SessionId} \"…\"";
        if (result.Outcome != RunOutcome.Completed)
        {
            var stopped = $"run stopped ({result.Outcome}): {scrubber.Scrub(result.Reason ?? "no reason given").TrimEnd().TrimEnd('.')}";
            // Text mode reports on stderr like the rest of its activity; final mode prints only errors there.
            if (output == "text")
            {
                Context.Console.WriteInfo($"{stopped}. Session {summary.SessionId}; {continueWith}");
            }
            else if (output == "final")
            {
                Context.Console.WriteError($"{stopped}. Session {summary.SessionId}; {continueWith}");
            }
        }
        else if (output != "json")
        {
            if (denials.Summary() is { } denied)
            {
                Context.Console.WriteInfo((denials.AllDenied ? "run finished, but " : string.Empty) + denied + ".");
            }

            if (output == "text")
            {
                Context.Console.WriteInfo($"session {summary.SessionId} ({result.Steps} steps, {result.Usage.InputTokenCount ?? 0} in / {result.Usage.OutputTokenCount ?? 0} out tokens). {char.ToUpperInvariant(continueWith[0])}{continueWith[1..]}");
            }
        }

        return result.Outcome switch
        {
            RunOutcome.Completed => denials.AllDenied ? ExitCodes.Denied : ExitCodes.Success,
            RunOutcome.StepLimit or RunOutcome.LoopDetected => ExitCodes.StepLimit,
            RunOutcome.Cancelled => ExitCodes.Cancelled,
            RunOutcome.ProviderError => ExitCodes.Provider,
            _ => ExitCodes.Failure,
        };
    }

    /// <summary>Markdown drawn at a terminal (its own method, so a piped run never loads Markdig or Spectre.Console).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private MarkdownAnswerWriter MarkdownAnswers(TextWriter terminal) => new(terminal, Context.Environment.Variables, Context.Console.TerminalWidth);

    /// <summary>Opens the session (new, <c>--session</c> or <c>--continue</c>), sends the prompt, and closes it.</summary>
    private async Task<TurnResult> RunTurnAsync(
        AgentSessionService service, ParseResult parseResult, string prompt, string workspaceRoot, RememberedRun? remembered, IReadOnlyList<string> plugins, CancellationToken cancellationToken)
    {
        var options = new SessionOptions(workspaceRoot)
        {
            Model = parseResult.GetValue(_model),
            Plugins = plugins,
            MaxSteps = parseResult.GetValue(_maxSteps),
            Compaction = !parseResult.GetValue(_noCompact),
            DryRun = parseResult.GetValue(_dryRun) ? true : null,
            PermissionMode = PermissionModeOption.Parse(parseResult, _permissionMode),
            Interactive = Context.Console.IsInteractive,
            Prefer = ModelSelector.TryParse(parseResult.GetValue(_prefer), out var prefer) && parseResult.GetValue(_prefer) is not null ? prefer : null,
        };
        await using var session = remembered is not null ? await service.OpenAsync(remembered.SessionId, options, cancellationToken).ConfigureAwait(false)
            : await service.CreateAsync(options, cancellationToken).ConfigureAwait(false);
        return await session.SendAsync(
            new TurnRequest(prompt)
            {
                Context = parseResult.GetValue(_context) ?? [],
                Images = parseResult.GetValue(_images) ?? [],
                Skills = parseResult.GetValue(_skills) ?? [],
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static ConfigurationSnapshot Checked(ConfigurationSnapshot configuration) =>
        configuration.HasErrors
            ? throw new AgentHostException(ErrorKind.Configuration, $"configuration errors:\n  {string.Join("\n  ", configuration.Problems.Where(p => p.IsError))}\nRun 'agent config validate' for details.")
            : configuration;

    private string ReadPrompt(ParseResult parseResult)
    {
        var words = parseResult.GetValue(_prompt) ?? [];
        var readStdin = words.Length == 0 || words.Contains("-");
        var prompt = string.Join(' ', words.Where(w => w != "-"));
        if (readStdin && Context.Console.ReadRedirectedInput() is { Length: > 0 } piped)
        {
            prompt = prompt.Length == 0 ? piped.TrimEnd() : $"{prompt}\n\n{piped.TrimEnd()}";
        }

        return prompt.Trim().Length > 0
            ? prompt
            : throw new AgentHostException(ErrorKind.Usage, "no prompt: give the task as arguments (agent run \"fix the failing test\") or pipe it in (… | agent run -).");
    }
}
