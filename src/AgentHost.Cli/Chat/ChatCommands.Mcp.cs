using System.Collections;
using AgentHost.Agent.Mcp;
using AgentHost.Agent.Service;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <content>
/// The MCP servers' prompts as commands: <c>/SERVER:PROMPT [args]</c>. They are listed (in the background) when the
/// session's servers have started, then offered by Tab and <c>/help</c>; arguments are <c>NAME=VALUE</c> words or
/// values in the prompt's declared order, checked here so a missing one is named and nothing is sent.
/// </content>
internal sealed partial class ChatCommands
{
    private readonly Lock _promptsLock = new();
    private (AgentSession Session, Task<IReadOnlyList<McpPromptInfo>> Prompts)? _prompts;
    private (AgentSession Session, IReadOnlyList<McpPromptInfo> Prompts)? _listed;

    /// <summary>
    /// The command names for completion, read at every Tab: the built-in and user commands, then the MCP prompts once
    /// the session's servers have listed them.
    /// </summary>
    public IReadOnlyList<string> LiveNames => new NameList(this);

    /// <summary>The session's prompts: listed once per session (a new session lists again), in the background.</summary>
    private Task<IReadOnlyList<McpPromptInfo>> McpPrompts()
    {
        if (_host.StartedState is not { } state)
        {
            return Task.FromResult<IReadOnlyList<McpPromptInfo>>([]);
        }

        var session = state.Session;
        lock (_promptsLock)
        {
            if (_prompts is not { } listed || listed.Session != session)
            {
                listed = (session, ListAsync(session));
                _prompts = listed;
            }

            return listed.Prompts;
        }

        async Task<IReadOnlyList<McpPromptInfo>> ListAsync(AgentSession session)
        {
            IReadOnlyList<McpPromptInfo> prompts;
            try
            {
                prompts = await session.ListMcpPromptsAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                prompts = [];
            }

            lock (_promptsLock)
            {
                _listed = (session, prompts);
            }

            return prompts;
        }
    }

    /// <summary>The session's prompts once listed, else none (the listing is begun): never waits.</summary>
    private IReadOnlyList<McpPromptInfo> ListedMcpPrompts()
    {
        _ = McpPrompts();
        var session = _host.StartedState?.Session;
        lock (_promptsLock)
        {
            return _listed is { } listed && listed.Session == session ? listed.Prompts : [];
        }
    }

    /// <summary>The prompts' usage and help lines for <c>/help</c>.</summary>
    private async Task<IReadOnlyList<(string Usage, string Help)>> McpPromptCommandsAsync(CancellationToken cancellationToken)
    {
        var prompts = await McpPrompts().WaitAsync(cancellationToken).ConfigureAwait(false);
        return [.. prompts.Select(p => ($"/{p.Command}{(p.Arguments.Count > 0 ? " " + p.ArgumentUsage : string.Empty)}", OneLine(p.Description)))];
    }

    /// <summary>Checks <c>/SERVER:PROMPT args</c> against the server's prompt and asks the chat to send it.</summary>
    private async Task<SlashOutcome> RunMcpPromptAsync(string name, string args, CancellationToken cancellationToken)
    {
        var prompts = await McpPrompts().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (prompts.FirstOrDefault(p => p.Command == name) is not { } prompt)
        {
            var server = name[..name.IndexOf(':', StringComparison.Ordinal)];
            var offered = prompts.Where(p => p.Server == server).Select(p => "/" + p.Command).ToList();
            _host.Output.WriteInfo($"unknown command /{name}. " + (offered.Count > 0
                ? $"MCP server '{server}' offers {string.Join(", ", offered)}."
                : $"No MCP server '{server}' with prompts in this session ('agent mcp list' shows the servers)."));
            return SlashOutcome.Done;
        }

        var words = McpPromptArguments.Split(args);
        try
        {
            McpPromptArguments.Bind(prompt, words);
        }
        catch (AgentHostException ex)
        {
            _host.Output.WriteError(ex.Message);
            return SlashOutcome.Done;
        }

        return new SlashOutcome(McpPrompt: new McpPromptRequest(prompt.Server, prompt.Name, words));
    }

    private static string OneLine(string? text)
    {
        var line = (text ?? string.Empty).ReplaceLineEndings(" ").Trim();
        return line.Length <= 100 ? line : line[..99] + "…";
    }

    /// <summary>The command names as they are at each read (the prompts appear once listed).</summary>
    private sealed class NameList(ChatCommands commands) : IReadOnlyList<string>
    {
        public int Count => Current().Count;

        public string this[int index] => Current()[index];

        public IEnumerator<string> GetEnumerator() => Current().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        private List<string> Current()
        {
            return [.. commands._commands.Keys, .. commands.ListedMcpPrompts().Select(p => p.Command)];
        }
    }
}
