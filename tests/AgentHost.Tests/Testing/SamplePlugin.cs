using System.Collections.Concurrent;
using System.ComponentModel;
using AgentHost.Sdk;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Testing;

/// <summary>A plugin defined in the test assembly and started in-process by <c>PluginTestHost</c>.</summary>
public sealed partial class SamplePlugin : AgentPlugin
{
    private readonly TaskCompletionSource _bothMet = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _meetings;
    private int _greetCalls;

    /// <summary>The tool-completed events the plugin's event subscriber received.</summary>
    public ConcurrentQueue<ToolCallCompletedEvent> Seen { get; } = new();

    /// <summary>How often the greet tool's code ran.</summary>
    public int GreetCalls => Volatile.Read(ref _greetCalls);

    /// <summary>The token the host cancels when it unloads the plugin.</summary>
    public CancellationToken Stopping { get; private set; }

    protected override void RegisterCore(IPluginBuilder builder)
    {
        var context = builder.Context;
        Stopping = context.Stopping;
        var logger = context.LoggerFactory.CreateLogger("Sample");
        var prefix = context.Settings.TryGetValue("greeting.prefix", out var configured) ? configured : "Hello";
        builder.AddTool("greet", "Greets someone.", ToolEffect.Read, ([Description("Who to greet.")] string name) =>
        {
            Interlocked.Increment(ref _greetCalls);
            LogGreeting(logger, name);
            LogDetail(logger, name);
            return $"{prefix}, {name}!";
        });
        builder.AddTool("fail", "Always throws.", ToolEffect.Read, (string reason) => ThrowFor(reason));
        builder.AddTool(
            "write_note",
            "Writes a note into the workspace.",
            ToolEffect.Write,
            (string text, AIFunctionArguments arguments) =>
            {
                var path = Path.Combine(arguments.GetWorkspaceRoot(), "note.txt");
                File.WriteAllText(path, text);
                return $"wrote {text.Length} characters to note.txt";
            },
            arguments => new ToolCallDescription("write a note", "note.txt"));
        builder.AddTool("meet", "Waits until two callers have arrived (proves calls run in parallel).", ToolEffect.Read, async (string who, CancellationToken cancellationToken) =>
        {
            if (Interlocked.Increment(ref _meetings) == 2)
            {
                _bothMet.TrySetResult();
            }

            await _bothMet.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
            return $"{who} met the other caller";
        });
        builder.OnEvent<ToolCallCompletedEvent>("seen", (e, _) =>
        {
            Seen.Enqueue(e);
            return ValueTask.CompletedTask;
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Greeting {Name}")]
    private static partial void LogGreeting(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Debug detail for {Name}")]
    private static partial void LogDetail(ILogger logger, string name);

    private static string ThrowFor(string reason) => throw new InvalidOperationException($"the sample tool failed: {reason}");
}

/// <summary>A plugin whose registration throws.</summary>
public sealed class ThrowingSamplePlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder) =>
        throw new InvalidOperationException("missing API key for the sample service");
}

/// <summary>A plugin whose event handler throws on every tool call.</summary>
public sealed class FaultySubscriberPlugin : AgentPlugin
{
    protected override void RegisterCore(IPluginBuilder builder)
    {
        builder.AddTool("ping", "Answers pong.", ToolEffect.Read, () => "pong");
        builder.OnEvent<ToolCallCompletedEvent>("explode", (_, _) => throw new InvalidOperationException("handler exploded"));
    }
}

/// <summary>Writes the sample plugin's manifest (and a skill folder) into a temporary folder.</summary>
internal static class SampleManifest
{
    public static string Write(TempDirectory temp, string id = "sample", string sdk = "^1.0", string type = "AgentHost.Tests.Testing.SamplePlugin", string assembly = "AgentHost.Tests.dll")
    {
        temp.WriteFile("skills/sample-skill/SKILL.md", "---\nname: sample-skill\ndescription: A sample skill.\n---\nDo the sample thing.\n");
        return temp.WriteFile(
            "plugin.yaml",
            $"""
            id: {id}
            version: 1.0.0
            description: Sample plugin for the AgentHost.Testing tests.
            sdk: "{sdk}"
            entry:
              assembly: {assembly}
              type: {type}
            skills: [skills]
            """);
    }
}
