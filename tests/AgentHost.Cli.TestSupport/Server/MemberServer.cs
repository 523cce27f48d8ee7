using System.Net;
using System.Net.Http.Json;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Server;

/// <summary>
/// The common header of the tests of a server with members: a workspace (<see cref="RunWorkspace"/>), its users added
/// through the real <c>agent users add</c> (<see cref="AddAsync"/>, returning their tokens), and a real
/// <c>agent serve</c> started with the scripted model and only the plugins a test names (<see cref="StartAsync"/>).
/// </summary>
public sealed class MemberServer : IDisposable
{
    /// <summary>
    /// Flags for a server whose sessions run without any OS sandbox, members' <c>yolo</c> included — what a control run
    /// means by "no sandbox": <c>sandbox.mode=off</c>, and <c>server.allow_unsandboxed_modes=true</c>, without which a
    /// member may not choose the modes that run commands unasked on such a server.
    /// </summary>
    public static readonly string[] WithoutSandbox = ["-c", "sandbox.mode=off", "-c", "server.allow_unsandboxed_modes=true"];

    /// <summary>The workspace: the server's root, its <c>AGENT_HOME</c> and configuration.</summary>
    public RunWorkspace Workspace { get; } = new();

    /// <summary>Adds a user through <c>agent users add</c>.</summary>
    /// <param name="name">The user's name.</param>
    /// <param name="role">Its role (<c>member</c>, <c>admin</c>, <c>viewer</c>).</param>
    /// <returns>Its token.</returns>
    public Task<string> AddAsync(string name, string role = "member") => AgentServer.AddUserAsync(Workspace, name, role);

    /// <summary>Starts <c>agent serve</c> with the scripted model replaying <paramref name="script"/>, the scripted plugin and <paramref name="plugins"/> only.</summary>
    /// <param name="script">The scripted model's turns (YAML).</param>
    /// <param name="plugins">More plugins to load (<c>shell</c>).</param>
    /// <param name="more">More arguments (<c>--socket</c>, <see cref="WithoutSandbox"/>).</param>
    /// <returns>The running server.</returns>
    public Task<AgentServer> StartAsync(string script = "turns:\n  - text: Hi.\n", IEnumerable<string>? plugins = null, params string[] more) =>
        AgentServer.StartAsync(
            Workspace.Root,
            Workspace.Environment,
            ["--plugin", "scripted", .. (plugins ?? []).SelectMany(plugin => (string[])["--plugin", plugin]), "--no-default-plugins", "--model", "scripted/" + Workspace.WriteScript(script), .. more]);

    /// <summary>Creates a session as <paramref name="client"/>'s user and expects 201.</summary>
    /// <param name="client">A client with the user's token.</param>
    /// <param name="request">The request's body.</param>
    /// <returns>The session's id.</returns>
    public static async Task<string> CreateSessionAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request);
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    /// <inheritdoc />
    public void Dispose() => Workspace.Dispose();
}
