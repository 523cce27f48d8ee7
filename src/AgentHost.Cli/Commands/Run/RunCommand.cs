using System.CommandLine;
using AgentHost.Agent.Composition;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Remote;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting;
using AgentHost.Hosting.Logging;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Commands.Run;

/// <summary><c>agent run</c>: a headless, scriptable agent run with the chosen plugins, persisted as a session.</summary>
internal sealed partial class RunCommand : AgentCommand
{
    private readonly Argument<string[]> _prompt = new("prompt") { Description = "The task. '-' reads (more of) it from standard input.", Arity = ArgumentArity.ZeroOrMore };
    private readonly SessionChoiceOptions _choice = new();
    private readonly Option<string> _output = new("--output", "-o") { Description = "text (answer on stdout, activity on stderr), json (NDJSON events) or final (only the answer).", DefaultValueFactory = _ => "text" };
    private readonly Option<int?> _maxSteps = new("--max-steps") { Description = "Stop after this many model steps." };
    private readonly Option<string[]> _context = new("--context") { Description = "Add context: @file, @dir/, @https://… or @SERVER:URI (an MCP server's resource) (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _images = new("--image") { Description = "Attach an image (PNG, JPEG, GIF or WebP, up to 5 MiB) inside the project root (repeatable); @shot.png in the prompt does the same.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> _prefer = new("--prefer") { Description = "When no model is named: fast, cheap or best (picks the small_model / large_model role, else the automatic selector)." };
    private readonly Option<string?> _task = new("--task") { Description = "The kind of request for multi_model.use_for routing: plan, edit or summarise (default: plan in plan mode, else edit)." };
    private readonly Option<string?> _systemPrompt = new("--system-prompt") { Description = "The session's own instructions instead of the built-in ones (the environment, project memory and skills still follow); stored with the session." };
    private readonly Option<string?> _appendSystemPrompt = new("--append-system-prompt") { Description = "Instructions added at the end of the system prompt; stored with the session." };
    private readonly Option<string[]> _tools = new("--tools") { Description = "The only tools offered to the model (comma-separated or repeated: view,grep or files/view, mcp__SERVER__TOOL); stored with the session.", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> _mcpServers = new("--mcp-server") { Description = "Start only this configured MCP server (repeatable; none for none); stored with the session." };
    private readonly Option<bool> _dryRun = new("--dry-run")
    {
        Description = "Mutating tools (write, edit, …) only show what they would change; a call may still set dry_run=false, which asks permission as usual.",
    };

    private readonly Option<string[]> _skills = new("--skill") { Description = "Activate this skill before the first model request (repeatable; see 'agent skill list').", AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> _noCompact = new("--no-compact") { Description = "Never summarise older history, even near the context window." };
    private readonly Option<string?> _mcpPrompt = new("--prompt") { Description = "Send an MCP server's prompt, SERVER:PROMPT (the chat's /SERVER:PROMPT); the task's text, if any, follows it." };
    private readonly Option<string[]> _mcpPromptArgs = new("--prompt-arg")
    {
        Description = "An argument of the --prompt, NAME=VALUE (repeatable); a bare VALUE fills the prompt's arguments in their declared order.",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _answers = new("--answer")
    {
        Description = "Answer the model's questions (the ask_user tool) with this text, in order (repeatable); after the last, the run goes on without an answer.",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<bool> _ignoreDenials = new("--ignore-denials")
    {
        Description = "Exit 0 when some of the model's tool calls were denied but others ran (a run whose every call was denied still exits 5).",
    };

    private readonly TurnLimitOptions _limits = new();
    private readonly RemoteRunOptions _remote = new();
    private readonly ModelParameterFlags _parameters = new();

    public RunCommand(CliContext context)
        : base("run", "Run the agent on a task, headless; the conversation is saved as a session you can resume.", context)
    {
        Arguments.Add(_prompt);
        _output.AcceptOnlyFromAmong("text", "json", "final");
        _prefer.AcceptOnlyFromAmong("fast", "cheap", "best", "balanced");
        _task.AcceptOnlyFromAmong("plan", "edit", "summarise", "summarize");
        _choice.AddTo(this);
        foreach (var option in new Option[] { _output, _compare, _maxSteps, _context, _images, _prefer, _task, _systemPrompt, _appendSystemPrompt, _tools, _mcpServers, _noCompact, _dryRun, _skills, _mcpPrompt, _mcpPromptArgs, _answers, _ignoreDenials })
        {
            Options.Add(option);
        }

        _parameters.AddTo(this);
        _limits.AddTo(this);
        _remote.AddTo(this);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        StartupActivities.Mark("cli.execute");
        if (parseResult.GetValue(_compare) is { } compare)
        {
            return await CompareAsync(parseResult, compare, cancellationToken).ConfigureAwait(false);
        }

        var prompt = ReadPrompt(parseResult);
        var output = parseResult.GetValue(_output)!;
        var verbose = parseResult.GetValue(Context.GlobalOptions.Verbose);
        var text = new TextRunRenderer(Context.Console)
        {
            Verbose = verbose,
            ShowProgress = verbose || !Console.IsErrorRedirected,
            Answer = output == "text" && Context.Console.Terminal is { } terminal ? MarkdownAnswers(terminal) : null,
        };
        var denials = new DenialTally();
        var ignoreDenials = parseResult.GetValue(_ignoreDenials);
        // The scrubber is needed for the closing report only: made then (or by the store's opening, in parallel).
        SecretScrubber Scrubber() => Context.Services.GetRequiredService<SecretScrubber>();
        if (parseResult.GetValue(_remote.TokenVariable) is not null && parseResult.GetValue(_remote.Server) is null)
        {
            throw new AgentHostException(ErrorKind.Usage, "--server-token-env needs --server URL (the agent server whose token it holds).");
        }

        // Checked before anything opens: a bad value names its flag.
        var parameters = _parameters.Read(parseResult);
        var limits = _limits.Read(parseResult);
        if (parseResult.GetValue(_remote.Server) is { } server)
        {
            var remote = RemoteRequest(parseResult, server, prompt, output) with { ModelParameters = parameters };
            var ending = await RemoteRun.ExecuteAsync(remote, Context.Console, text, denials, cancellationToken).ConfigureAwait(false);
            return ending.Report(Context.Console, Scrubber(), output, denials, $"continue with: agent run --server {remote.Server} --session {ending.SessionId} \"…\"", ignoreDenials);
        }

        // Lossless: when stdout is read slowly, the run waits for it rather than lose output.
        await using var frontEnd = await SessionFrontEnd.OpenAsync(Context, _choice, parseResult, runtime => runtime.Events.Subscribe(typeof(AgentEvent), (e, _) =>
        {
            denials.Observe(e);
            if (output == "json")
            {
                // run.completed also says how the run ended for a program: its status (denied?) and what was refused.
                NdjsonEventWriter.Write(Context.Console, e, e is RunCompletedEvent completed ? writer => denials.WriteOutcome(writer, completed, ignoreDenials) : null);
            }
            else if (output == "text")
            {
                text.Render(e);
            }

            return ValueTask.CompletedTask;
        }, EventDelivery.Lossless, $"agent run --output {output}"), cancellationToken).ConfigureAwait(false);

        TurnResult summary;
        try
        {
            summary = await RunTurnAsync(frontEnd, parseResult, prompt, parameters, limits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await frontEnd.Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            text.EndLine();
        }

        var result = summary.Result;
        var closing = new RunClosing(summary.SessionId, result.Outcome, result.Reason, result.FinalText, result.Steps, result.Usage.InputTokenCount ?? 0, result.Usage.OutputTokenCount ?? 0);
        return closing.Report(Context.Console, Scrubber(), output, denials, $"continue with: agent run --session {summary.SessionId} \"…\"", ignoreDenials);
    }

    /// <summary>The run <c>--server</c> asks for. An option a server cannot honour is a usage error, never silently ignored.</summary>
    private RemoteRunRequest RemoteRequest(ParseResult parseResult, string serverText, string prompt, string output)
    {
        var server = RemoteRunOptions.ParseServer(serverText);
        var sessionId = parseResult.GetValue(_choice.Session);
        var continuing = parseResult.GetValue(_choice.Continue);
        var resuming = sessionId is not null || continuing;
        const string Local = "run without --server to use it";
        const string Kept = "a session on the server keeps the plugins and permission mode it was created with";
        (string Option, bool Given, string Why)[] unsupported =
        [
            ("--image", (parseResult.GetValue(_images) ?? []).Length > 0, "images are not sent to a server; " + Local),
            ("--dry-run", parseResult.GetValue(_dryRun), "set the session's dry_run setting on the server (PATCH /v1/sessions/ID), or " + Local),
            ("--prefer", parseResult.GetValue(_prefer) is not null, "name the model with --model, or " + Local),
            ("--system-prompt, --append-system-prompt, --tools and --mcp-server", parseResult.GetValue(_systemPrompt) is not null || parseResult.GetValue(_appendSystemPrompt) is not null || (parseResult.GetValue(_tools) ?? []).Length > 0 || (parseResult.GetValue(_mcpServers) ?? []).Length > 0,
                "create the session with them as settings (POST /v1/sessions, settings system_prompt, append_system_prompt, tools, mcp_servers; docs/server.md), then continue it with --session ID, or " + Local),
            ("--task", parseResult.GetValue(_task) is not null, "the server routes a turn by its session's mode; name the model with --model, or " + Local),
            ("--no-compact", parseResult.GetValue(_noCompact), Local),
            ("--prompt", parseResult.GetValue(_mcpPrompt) is not null || (parseResult.GetValue(_mcpPromptArgs) ?? []).Length > 0, "MCP prompts are not sent to a server; " + Local),
            (AllowOption.Name, (parseResult.GetValue(_choice.Allow) ?? []).Length > 0, "the server's configuration decides each tool call; add the rule to the project's permissions.allow, or " + Local),
            ("--answer", (parseResult.GetValue(_answers) ?? []).Length > 0, "answer the session's questions over the server's API (POST /v1/sessions/ID/questions/QID, docs/server.md), or " + Local),
            ("--set", (parseResult.GetValue(Context.GlobalOptions.Set) ?? []).Length > 0, "the server runs with its own configuration; " + Local),
            ("--max-cost, --max-session-cost and --timeout", _limits.Read(parseResult).Any, "a server's turns are limited by its users' quotas (docs/server.md); " + Local),
            ("--plugin", resuming && (parseResult.GetValue(_choice.Plugins.Plugins) ?? []).Length > 0, Kept),
            (PluginOptions.NoDefaultsName, resuming && parseResult.GetValue(_choice.Plugins.NoDefaults), Kept),
            ("--permission-mode", resuming && parseResult.GetValue(_choice.PermissionMode) is not null, Kept),
            ("--root", sessionId is not null && parseResult.GetValue(_choice.Root) is not null, "a session on the server works in the root it was created with"),
            ("--new-session", parseResult.GetValue(_choice.NewSession) is not null, "create a named session with POST /v1/sessions and a name (docs/server.md), then continue it with --session ID, or " + Local),
        ];
        if (unsupported.FirstOrDefault(u => u.Given) is { Option: { } option } refused)
        {
            throw new AgentHostException(ErrorKind.Usage, $"{option} cannot be used with --server{(resuming && refused.Why == Kept ? " --session/--continue" : string.Empty)}: {refused.Why}.");
        }

        if (sessionId is not null && continuing)
        {
            throw new AgentHostException(ErrorKind.Usage, "use either --session ID or --continue, not both.");
        }

        var cwd = Context.Environment.CurrentDirectory;
        var root = sessionId is not null ? string.Empty
            : parseResult.GetValue(_choice.Root) is { } r ? Path.GetFullPath(r, cwd)
            : Context.Configuration(parseResult).ProjectRoot;
        var model = parseResult.GetValue(_choice.Model);
        // A model naming a file here (the scripted provider's script) and a plugin folder are sent as absolute paths.
        if (model?.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && !Path.IsPathRooted(model[(slash + 1)..]) && File.Exists(Path.GetFullPath(model[(slash + 1)..], cwd)))
        {
            model = model[..(slash + 1)] + Path.GetFullPath(model[(slash + 1)..], cwd);
        }

        var plugins = _choice.Plugins.Requested(parseResult).Select(p => PluginChoice.NameOf(p, cwd)).ToList();
        return new RemoteRunRequest(
            server,
            RemoteRunOptions.Token(Context.Environment, parseResult.GetValue(_remote.TokenVariable), server),
            prompt,
            output,
            root,
            sessionId,
            continuing,
            model,
            plugins,
            parseResult.GetValue(_choice.Plugins.NoDefaults),
            parseResult.GetValue(_choice.PermissionMode),
            parseResult.GetValue(_maxSteps),
            parseResult.GetValue(_context) ?? [],
            parseResult.GetValue(_skills) ?? []);
    }

    /// <summary>A session-shaping option's value as its setting's validator keeps it (an empty or malformed one is a usage error naming the option).</summary>
    private static string? Checked(string key, string? value, string option)
    {
        try
        {
            return value is null ? null : SessionSettingValues.Check(key, value, SessionSettingValues.Shape).Value;
        }
        catch (AgentHostException ex)
        {
            throw new AgentHostException(ErrorKind.Usage, option + ": " + ex.Message[(ex.Message.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim());
        }
    }

    private static string? Joined(string[]? values) => values is { Length: > 0 } ? string.Join(',', values) : null;

    /// <summary>Markdown drawn at a terminal (its own method, so a piped run never loads Markdig or Spectre.Console).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private MarkdownAnswerWriter MarkdownAnswers(TerminalWriter terminal) => new(terminal, Context.Environment.Variables, Context.Console.TerminalWidth);

    /// <summary>Opens the session (new, <c>--session</c> or <c>--continue</c>), sends the prompt, and closes it.</summary>
    private async Task<TurnResult> RunTurnAsync(SessionFrontEnd frontEnd, ParseResult parseResult, string prompt, IReadOnlyDictionary<string, string>? parameters, TurnLimits limits, CancellationToken cancellationToken)
    {
        var options = frontEnd.SessionOptions(interactive: Context.Console.IsInteractive) with
        {
            MaxSteps = parseResult.GetValue(_maxSteps),
            Compaction = !parseResult.GetValue(_noCompact),
            DryRun = parseResult.GetValue(_dryRun) ? true : null,
            Prefer = ModelSelector.TryParse(parseResult.GetValue(_prefer), out var prefer) && parseResult.GetValue(_prefer) is not null ? prefer : null,
            Task = ModelRouting.TryParse(parseResult.GetValue(_task), out var task) ? task : null,
            SystemPrompt = Checked(SessionSettings.SystemPrompt, parseResult.GetValue(_systemPrompt), "--system-prompt"),
            AppendSystemPrompt = Checked(SessionSettings.AppendSystemPrompt, parseResult.GetValue(_appendSystemPrompt), "--append-system-prompt"),
            Tools = SessionSettingValues.Names(Checked(SessionSettings.Tools, Joined(parseResult.GetValue(_tools)), "--tools")),
            McpServers = SessionSettingValues.Names(Checked(SessionSettings.McpServers, Joined(parseResult.GetValue(_mcpServers)), "--mcp-server")),
        };
        frontEnd.PrepareModel(options, cancellationToken);
        await using var session = await frontEnd.OpenSessionAsync(options, cancellationToken).ConfigureAwait(false);
        frontEnd.Service.Questions.Prepare(parseResult.GetValue(_answers) ?? []);

        // "/plugin:command args" (or a user's /command) sends the command's prompt, as the chat would. The command
        // folders (the user's, the trusted project's, every plugin's) are read only for a prompt that can name one.
        if (prompt.Trim().StartsWith('/'))
        {
            var commands = (IReadOnlyList<UserCommand>)[
                .. UserCommands.Load(Context.Paths, frontEnd.Configuration),
                .. UserCommands.FromPlugins(frontEnd.Runtime.Host.Loaded.Values.Select(p => p.Manifest)),
            ];
            prompt = UserCommands.TryExpand(prompt.Trim(), commands) ?? prompt;
        }
        return await session.SendAsync(
            limits.Apply(new TurnRequest(prompt)
            {
                Context = parseResult.GetValue(_context) ?? [],
                Images = parseResult.GetValue(_images) ?? [],
                Skills = parseResult.GetValue(_skills) ?? [],
                McpPrompt = McpPrompt(parseResult),
                ModelParameters = parameters,
            }),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>--prompt SERVER:PROMPT</c> with its <c>--prompt-arg</c>s; <see langword="null"/> without <c>--prompt</c>.</summary>
    private McpPromptRequest? McpPrompt(ParseResult parseResult)
    {
        var arguments = parseResult.GetValue(_mcpPromptArgs) ?? [];
        return parseResult.GetValue(_mcpPrompt) is { } command
            ? McpPromptRequest.Parse(command, arguments)
            : arguments.Length > 0 ? throw new AgentHostException(ErrorKind.Usage, "--prompt-arg needs --prompt SERVER:PROMPT (the MCP prompt it is an argument of).") : null;
    }

    private string ReadPrompt(ParseResult parseResult)
    {
        var words = parseResult.GetValue(_prompt) ?? [];
        var readStdin = words.Length == 0 || words.Contains("-");
        var prompt = string.Join(' ', words.Where(w => w != "-"));
        if (readStdin && Context.Console.ReadRedirectedInput() is { Length: > 0 } piped)
        {
            prompt = prompt.Length == 0 ? piped.TrimEnd() : $"{prompt}\n\n{piped.TrimEnd()}";
        }

        return prompt.Trim().Length > 0 || parseResult.GetValue(_mcpPrompt) is not null
            ? prompt
            : throw new AgentHostException(ErrorKind.Usage, "no prompt: give the task as arguments (agent run \"fix the failing test\") or pipe it in (… | agent run -).");
    }
}
