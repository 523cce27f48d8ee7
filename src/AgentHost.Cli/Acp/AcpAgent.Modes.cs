using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Runs;

namespace AgentHost.Cli.Acp;

/// <content>Session modes (the permission modes) and config options (the model).</content>
internal sealed partial class AcpAgent
{
    /// <summary>The most usable models a <c>model</c> config option lists.</summary>
    private const int MaxListedModels = 40;

    /// <summary>
    /// <c>session/set_mode</c>: the permission mode of the session from its next tool call on (as the chat's
    /// <c>/mode</c>), reported back as a <c>current_mode_update</c>.
    /// </summary>
    private async Task<JsonNode?> SetModeAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/set_mode";
        var session = SessionOf(parameters, Method);
        var mode = AcpModes.Parse(AcpParams.RequiredString(parameters, "modeId", Method), Method);
        await session.Session.SetPermissionModeAsync(mode, AcpPermissions.Responder, cancellationToken).ConfigureAwait(false);
        await session.SendAsync(AcpModes.Update(session.ModeId), cancellationToken).ConfigureAwait(false);
        return new JsonObject();
    }

    /// <summary>
    /// <c>session/set_config_option</c>: the <c>model</c> of the session from its next model request on (as the chat's
    /// <c>/model</c>; any usable <c>provider/model</c>), answered with every option's value and reported as a
    /// <c>config_option_update</c>.
    /// </summary>
    private async Task<JsonNode?> SetConfigOptionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/set_config_option";
        var session = SessionOf(parameters, Method);
        var id = AcpParams.RequiredString(parameters, "configId", Method);
        if (id != AcpModes.ModelOption)
        {
            throw AcpErrors.InvalidParams($"{Method}: \"configId\" '{id}' is not an option of this agent; its only option is '{AcpModes.ModelOption}'.");
        }

        var value = AcpParams.RequiredString(parameters, "value", Method);
        if (value == "auto")
        {
            throw AcpErrors.InvalidParams($"{Method}: the session already has its model; choose a 'provider/model' to change it.");
        }

        await session.Session.SetModelAsync(value, cancellationToken).ConfigureAwait(false);
        var options = await ConfigOptionsAsync(session, cancellationToken).ConfigureAwait(false);
        await session.SendAsync(AcpModes.ConfigUpdate(options), cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["configOptions"] = options.DeepClone() };
    }

    /// <summary>The session's config options now.</summary>
    private async Task<JsonArray> ConfigOptionsAsync(AcpSession session, CancellationToken cancellationToken)
    {
        var root = session.Root.Root;
        var available = await AvailableModels.GatherAsync(root.Configuration, root.Runtime, _context.Environment, DiscoveryScope.None, cancellationToken).ConfigureAwait(false);
        var current = session.Session.RunContext?.Model is { } selected ? $"{selected.ProviderName}/{selected.ModelId}" : session.Session.Options.Model ?? root.Configuration.Model;
        return AcpModes.ConfigOptions(current, available.Catalog.Models.Take(MaxListedModels).Select(m => m.Reference));
    }

    /// <summary>The open session a request names.</summary>
    private AcpSession SessionOf(JsonElement parameters, string method)
    {
        parameters = AcpParams.Object(parameters, method);
        var id = AcpParams.RequiredString(parameters, "sessionId", method);
        return _sessions.TryGetValue(id, out var session) ? session : throw AcpErrors.UnknownSession(id);
    }
}
