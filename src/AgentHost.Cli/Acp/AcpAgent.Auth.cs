using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Cli.Acp;

/// <content>
/// Authentication: the only method is the <c>terminal</c> one (<c>agent acp --login</c>, run by the client in a
/// terminal), which the schema says is never passed to <c>authenticate</c>. The agent needs no login of its own: model
/// providers' keys come from the environment, the stored keys or the configuration. docs/acp.md "Logging in".
/// </content>
internal sealed partial class AcpAgent
{
    /// <summary><c>authenticate</c>: no method is authenticated through it, so every call is an error that says what to do.</summary>
    private Task<JsonNode?> AuthenticateAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "authenticate";
        parameters = AcpParams.Object(parameters, Method);
        var id = AcpParams.RequiredString(parameters, "methodId", Method);
        throw id == AcpCapabilities.LoginMethod
            ? AcpErrors.InvalidParams($"{Method}: '{id}' is a terminal method: run the agent's command with --login in a terminal ('agent acp --login'); it is not passed to authenticate.")
            : AcpErrors.InvalidParams($"{Method}: \"methodId\" '{id}' is not an authentication method of this agent{(Client.TerminalAuth ? $"; its only one is the terminal method '{AcpCapabilities.LoginMethod}' (run 'agent acp --login')" : "; it needs none (provider keys come from the environment or 'agent auth login PROVIDER')")}.");
    }

    /// <summary>
    /// <c>logout</c>: ends no login, because the agent holds none; the stored provider keys stay (each is removed with
    /// <c>agent auth logout PROVIDER</c>). Answered with the schema's empty result; <c>auth.logout</c> is not announced.
    /// </summary>
    private Task<JsonNode?> LogoutAsync(JsonElement parameters, CancellationToken cancellationToken) =>
        Task.FromResult<JsonNode?>(new JsonObject());
}
