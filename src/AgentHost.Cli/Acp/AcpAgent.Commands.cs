using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Cli.Commands;
using AgentHost.Cli.Terminal;
using AgentHost.Permissions;

namespace AgentHost.Cli.Acp;

/// <content>
/// Slash commands: the ones advertised in <c>available_commands_update</c> (the chat's <c>/mode</c> and <c>/model</c>,
/// which need no terminal, the user's and plugins' commands, and every user-invocable skill) run when a prompt starts with <c>/name args</c>. docs/acp.md.
/// </content>
internal sealed partial class AcpAgent
{
    private static readonly (string Name, string Description, string Hint)[] BuiltInCommands =
    [
        ("mode", $"Show or switch the permission mode ({string.Join(", ", PermissionModes.Names)}) from the next tool call on.", "mode"),
        ("model", "Show the model, or switch to another (provider/model) from the next model request on.", "provider/model"),
    ];

    /// <summary>
    /// Registers an opened session: its updates and permission requests go to the editor, and its commands follow as
    /// an <c>available_commands_update</c> (sent beside the answer that opens it; the client keeps updates by session id).
    /// </summary>
    private async Task<AcpSession> OpenAsync(string id, AgentSession session, AcpRoot root, string? title, string method)
    {
        if (Client.Elicitation)
        {
            root.AnswerQuestions();
        }

        var opened = new AcpSession(id, session, root, SendUpdateAsync) { Request = _connection.RequestAsync, Elicit = Client.Elicitation, Title = title ?? string.Empty };
        if (!_sessions.TryAdd(id, opened))
        {
            await opened.DisposeAsync().ConfigureAwait(false);
            throw AcpErrors.InvalidRequest($"{method}: session {id} was opened by another request meanwhile; use it as it is.");
        }

        _ = AdvertiseCommandsAsync(opened);
        return opened;
    }

    private async Task AdvertiseCommandsAsync(AcpSession session)
    {
        try
        {
            await SendCommandsAsync(session, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or Hosting.AgentHostException or IOException)
        {
            _context.Console.WriteError(TerminalText.Plain($"agent acp: the commands of session {session.Id} were not sent: {ex.Message}"));
        }
    }

    /// <summary>Sends the session's commands (<c>available_commands_update</c>).</summary>
    private async Task SendCommandsAsync(AcpSession session, CancellationToken cancellationToken)
    {
        var commands = new JsonArray([.. BuiltInCommands.Select(c => (JsonNode?)Command(c.Name, c.Description, c.Hint))]);
        var user = UserCommandsOf(session).Where(c => !BuiltInCommands.Any(b => b.Name == c.Name)).ToList();
        foreach (var command in user)
        {
            commands.Add(Command(command.Name, command.Description.Length > 0 ? command.Description : $"The /{command.Name} command.", command.ArgumentHint ?? "arguments"));
        }

        foreach (var skill in await InvocableSkillsAsync(session).ConfigureAwait(false))
        {
            if (!BuiltInCommands.Any(c => c.Name == skill.Name) && !user.Any(c => c.Name == skill.Name))
            {
                commands.Add(Command(skill.Name, skill.Description.Length > 0 ? skill.Description : $"The {skill.Name} skill.", "request (optional)"));
            }
        }

        await session.SendAsync(new JsonObject { ["sessionUpdate"] = "available_commands_update", ["availableCommands"] = commands }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The turn a <c>/name args</c> prompt runs (a skill: activated, with the request), or the text that answers it
    /// without a turn (<c>/mode</c>, <c>/model</c>, an unknown command); a prompt that is no command runs as it is.
    /// </summary>
    private async Task<(TurnRequest? Turn, string? Reply)> SlashAsync(AcpSession session, TurnRequest request, CancellationToken cancellationToken)
    {
        var text = request.Prompt.TrimStart();
        if (!text.StartsWith('/') || text.Length < 2 || char.IsWhiteSpace(text[1]) || text[1] == '/')
        {
            return (request, null);
        }

        var space = text.IndexOfAny([' ', '\t', '\n']);
        var name = (space < 0 ? text : text[..space])[1..];
        var args = space < 0 ? string.Empty : text[(space + 1)..].Trim();
        switch (name)
        {
            case "mode" when args.Length == 0:
                return (null, $"permission mode: {session.ModeId} (one of {string.Join(", ", PermissionModes.Names)})");
            case "mode":
                var mode = PermissionModes.TryParse(args, out var parsed) ? parsed : throw AcpErrors.InvalidParams($"/mode {args}: use one of {string.Join(", ", PermissionModes.Names)}.");
                await session.Session.SetPermissionModeAsync(mode, AcpPermissions.Responder, cancellationToken).ConfigureAwait(false);
                await session.SendAsync(AcpModes.Update(session.ModeId), cancellationToken).ConfigureAwait(false);
                return (null, $"permission mode: {session.ModeId} (from the next tool call on)");
            case "model" when args.Length == 0:
                var options = await ConfigOptionsAsync(session, cancellationToken).ConfigureAwait(false);
                return (null, $"model: {options[0]!["currentValue"]}");
            case "model":
                await session.Session.SetModelAsync(args, cancellationToken).ConfigureAwait(false);
                await session.SendAsync(AcpModes.ConfigUpdate(await ConfigOptionsAsync(session, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
                return (null, $"model: {args} (from the next model request on)");
        }

        var userCommands = UserCommandsOf(session);
        if (UserCommands.TryExpand(text, userCommands) is { } expanded)
        {
            // A user's or a plugin's command: its prompt, as the chat and agent run send it.
            return (request with { Prompt = expanded }, null);
        }

        var skills = await InvocableSkillsAsync(session).ConfigureAwait(false);
        if (skills.FirstOrDefault(s => s.Name == name) is { } skill)
        {
            // As the chat's /skill: the skill's instructions go before the request.
            return (request with { Prompt = args.Length > 0 ? args : $"Use the {skill.Name} skill for this project.", Skills = [.. request.Skills, skill.Name] }, null);
        }

        var known = BuiltInCommands.Select(c => c.Name).Concat(userCommands.Select(c => c.Name)).Concat(skills.Select(s => s.Name)).Distinct(StringComparer.Ordinal).Select(n => "/" + n);
        return (null, $"unknown command /{name}. The commands: {string.Join(", ", known)}.");
    }

    /// <summary>The user's commands, the trusted project's and every loaded plugin's (as the chat reads them).</summary>
    private IReadOnlyList<UserCommand> UserCommandsOf(AcpSession session) =>
    [
        .. UserCommands.Load(_context.Paths, session.Root.Root.Configuration),
        .. UserCommands.FromPlugins(session.Root.Root.Runtime.Host.Loaded.Values.Select(p => p.Manifest)),
    ];

    private static async Task<IReadOnlyList<Agent.Skills.Skill>> InvocableSkillsAsync(AcpSession session) =>
        (await session.Session.GetSkillsAsync().ConfigureAwait(false))?.Catalog.Available.Where(s => s.Document!.UserInvocable).ToList() ?? [];

    private static JsonObject Command(string name, string description, string hint) => new()
    {
        ["name"] = name,
        ["description"] = description,
        ["input"] = new JsonObject { ["hint"] = hint },
    };
}
