using System.CommandLine;
using System.CommandLine.Parsing;
using AgentHost.Agent.Composition;
using AgentHost.Cli.Compare;
using AgentHost.Hosting;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Cli.Commands.Run;

/// <content>
/// <c>agent run --compare m1,m2[,…]</c>: the same prompt to several models at once, without tools, their answers side by
/// side (or one after another) with tokens, cost and time; or one JSON object per model. Nothing is stored.
/// </content>
internal sealed partial class RunCommand
{
    private readonly Option<string?> _compare = new("--compare")
    {
        Description = "Send the prompt to 2 to 6 models at once (provider/model,provider/model,…), without tools, and show their answers side by side with tokens, cost and time. Not stored as a session.",
    };

    /// <summary>The options of <c>agent run</c> that a compare takes; any other given is a usage error.</summary>
    private static readonly HashSet<string> ComparesWith = new(StringComparer.Ordinal) { "--compare", "--output", "--plugin", PluginOptions.NoDefaultsName, "--root" };

    private async Task<int> CompareAsync(ParseResult parseResult, string list, CancellationToken cancellationToken)
    {
        RefuseWithCompare(parseResult);
        var output = parseResult.GetValue(_output)!;
        if (output == "final")
        {
            throw new AgentHostException(ErrorKind.Usage, "--output final cannot be used with --compare: a compare has several answers; use --output text (the default) or --output json (one object per model).");
        }

        var prompt = ReadPrompt(parseResult);
        ModelComparison.Split(list, "--compare"); // the count is checked before anything loads
        var cwd = Context.Environment.CurrentDirectory;
        var root = parseResult.GetValue(_choice.Root) is { } r ? Path.GetFullPath(r, cwd) : null;
        if (root is not null && !Directory.Exists(root))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--root {root}: no such directory.");
        }

        var configuration = SessionFrontEnd.Checked(root is null ? Context.Configuration(parseResult) : Context.ProjectRoots(parseResult).ResolveConfiguration(root));
        // The one recipe of a project root, without a session service (a compare stores nothing and offers no tools):
        // no default plugins; the --plugin ones and the enabled installed ones load (a provider may be among them).
        await using var project = await Context.ProjectRoots(parseResult).OpenAsync(
            new ProjectRootRequest(root ?? configuration.ProjectRoot)
            {
                Configuration = configuration,
                SessionService = false,
                PreloadProviders = false,
                WorkingDirectory = cwd,
                Attach = opening => opening.Runtime.Events.Subscribe(
                    typeof(WarningEvent),
                    (e, _) =>
                    {
                        Context.Console.WriteInfo($"warning: {((WarningEvent)e).Message}");
                        return ValueTask.CompletedTask;
                    },
                    EventDelivery.Lossless,
                    "agent run --compare warnings"),
                Plugins = _ => new ProjectRootPlugins(_choice.Plugins.Requested(parseResult), []),
            },
            cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var scrubber = Context.Services.GetRequiredService<SecretScrubber>();
        var comparison = new ModelComparison(configuration, runtime, Context.Environment, scrubber, TimeProvider.System);
        var models = await comparison.ResolveAsync(list, "--compare", cancellationToken).ConfigureAwait(false);
        var systemPrompt = await comparison.SystemPromptAsync(root ?? configuration.ProjectRoot, cancellationToken).ConfigureAwait(false);
        var json = output == "json";
        if (!json)
        {
            Context.Console.WriteInfo($"comparing {string.Join(", ", models)} (no tools; not stored) …");
        }

        var results = await comparison.RunAsync(
            models,
            systemPrompt,
            prompt,
            (index, result) =>
            {
                if (json)
                {
                    Context.Console.WriteDataLine(CompareView.Json(result));
                }
                else
                {
                    Context.Console.WriteInfo($"  {index + 1}. {result.Model}: {CompareView.Outcome(result.Outcome)} ({result.Elapsed.TotalSeconds:0.00} s)");
                }
            },
            cancellationToken).ConfigureAwait(false);
        await runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        if (!json)
        {
            var terminal = Context.Console.Terminal is not null;
            foreach (var line in CompareView.Lines(results, Context.Console.TerminalWidth, columns: terminal))
            {
                Context.Console.WriteLine(line);
            }
        }

        return results.Any(r => r.Outcome == CompareOutcome.Completed) ? ExitCodes.Success
            : cancellationToken.IsCancellationRequested || results.All(r => r.Outcome == CompareOutcome.Cancelled) ? ExitCodes.Cancelled
            : ExitCodes.Provider;
    }

    /// <summary>A flag that makes no sense for a compare is a usage error naming it, never ignored.</summary>
    private void RefuseWithCompare(ParseResult parseResult)
    {
        foreach (var given in parseResult.CommandResult.Children.OfType<OptionResult>().Where(o => !o.Implicit && Options.Contains(o.Option)))
        {
            var name = given.Option.Name;
            if (ComparesWith.Contains(name))
            {
                continue;
            }

            var why = name switch
            {
                "--model" => "name every model in the --compare list instead (provider/model,provider/model)",
                "--session" or "--continue" or "--new-session" => "a compare is a side question, not stored in a session; to continue with one model, run 'agent run --model provider/model'",
                "--server" or "--server-token-env" => "a compare runs here; run it without --server",
                "--prefer" => "a compare names its models; --prefer picks one when none is named",
                _ => "a compare sends only the prompt (with the system prompt and project memory) to each model, without tools, references, limits or model parameters; run it without " + name,
            };
            throw new AgentHostException(ErrorKind.Usage, $"{name} cannot be used with --compare: {why}.");
        }
    }
}
