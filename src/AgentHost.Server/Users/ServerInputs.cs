using AgentHost.Hosting;
using AgentHost.Agent.Runs;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sessions;

namespace AgentHost.Server.Users;

/// <summary>
/// What a caller's request may name on a shared server (docs/server.md "What a member can and cannot reach"): the one
/// check every plugin, file and permission mode a request carries passes before anything is loaded, read or run.
/// <list type="bullet">
/// <item>Plugins: a member names them only by id — bundled, or installed by the admin — narrowed by <c>server.plugins</c>;
/// a plugin folder is for admins (and the server's own token) only, and then only a folder inside their roots that is
/// trusted (<c>agent trust</c>, or <c>permissions.trusted_projects</c>).</item>
/// <item>Files (a workflow and the sub-workflows it names by path): inside the caller's roots (<see cref="ServerRoots"/>).</item>
/// <item>Permission modes: capped per role by <c>server.role_permission_modes.ROLE</c>; without a working OS sandbox a
/// member may not choose a mode that runs commands unasked (<c>yolo</c>) unless <c>server.allow_unsandboxed_modes</c> is true.</item>
/// </list>
/// </summary>
/// <remarks>Immutable; thread-safe. The trust list is read again at each check, so <c>agent trust</c> takes effect at once.</remarks>
public sealed class ServerInputs
{
    /// <summary>The plugin ids members may name (<c>server.plugins</c>; unset: every bundled and installed one).</summary>
    public const string PluginsKey = "server.plugins";

    /// <summary>The permission modes each role may choose (<c>server.role_permission_modes.ROLE</c>).</summary>
    public const string RoleModesKey = "server.role_permission_modes";

    /// <summary>Whether members may choose modes that run commands unasked on a server without a working OS sandbox.</summary>
    public const string AllowUnsandboxedKey = "server.allow_unsandboxed_modes";

    /// <summary>The modes that run commands without asking anyone: refused to members without a working sandbox.</summary>
    private static readonly PermissionMode[] Unasked = [PermissionMode.Yolo];

    private readonly HashSet<string>? _plugins;
    private readonly Dictionary<ServerRole, IReadOnlyList<PermissionMode>> _roleModes;
    private readonly Func<string, bool> _isTrusted;

    private ServerInputs(HashSet<string>? plugins, Dictionary<ServerRole, IReadOnlyList<PermissionMode>> roleModes, bool allowUnsandboxed, Func<string, bool> isTrusted)
    {
        _plugins = plugins;
        _roleModes = roleModes;
        AllowUnsandboxedModes = allowUnsandboxed;
        _isTrusted = isTrusted;
    }

    /// <summary>No <c>server.plugins</c> list, no caps, no trusted plugin folder, and no sandbox known (members may not choose <c>yolo</c>).</summary>
    public static ServerInputs Default { get; } = new(null, [], allowUnsandboxed: false, static _ => false);

    /// <summary>
    /// Whether the server's user trusts a folder, by the one rule (<see cref="Hosting.Configuration.ProjectTrustRule"/>:
    /// the trust file, or <c>permissions.trusted_projects</c> of the server's own configuration); <see cref="Default"/> trusts nothing.
    /// </summary>
    /// <param name="folder">The folder (absolute).</param>
    /// <returns>Whether it is trusted.</returns>
    public bool IsTrusted(string folder) => _isTrusted(folder);

    /// <summary>Whether <c>server.allow_unsandboxed_modes</c> is true.</summary>
    public bool AllowUnsandboxedModes { get; }

    /// <summary>
    /// Why the server has no working OS sandbox (the probe's answer, or <c>sandbox.mode: off</c>), or
    /// <see langword="null"/> when it has one. Unknown counts as none.
    /// </summary>
    public string? NoSandbox { get; private init; } = "the server did not check for one";

    /// <summary>These rules on a server whose sandbox was probed.</summary>
    /// <param name="noSandbox">Why there is no working sandbox, or <see langword="null"/> when there is one.</param>
    /// <returns>The rules with <see cref="NoSandbox"/> set.</returns>
    public ServerInputs WithSandbox(string? noSandbox) => new(_plugins, _roleModes, AllowUnsandboxedModes, _isTrusted) { NoSandbox = noSandbox };

    /// <summary>
    /// The line <c>agent serve</c> prints at start when there is no working sandbox, saying what members may not choose
    /// and the setting that allows it; <see langword="null"/> with a sandbox.
    /// </summary>
    public string? StartNotice => NoSandbox is not { } why
        ? null
        : AllowUnsandboxedModes
            ? $"warning: no working OS sandbox ({why}); {AllowUnsandboxedKey}: true lets members choose {Names(Unasked)}, whose commands then run unasked and unsandboxed as the server's user."
            : $"agent serve: no working OS sandbox ({why}); members may not choose the permission mode {Names(Unasked)} (it runs commands unasked); set {AllowUnsandboxedKey}: true to allow it anyway, see docs/server.md \"Permission modes by role\".";

    /// <summary>Reads <c>server.plugins</c>, <c>server.role_permission_modes</c> and <c>server.allow_unsandboxed_modes</c>.</summary>
    /// <param name="configuration">The server's effective configuration.</param>
    /// <param name="paths">Where the server user's trust list lives (a plugin folder must be trusted).</param>
    /// <returns>The rules (with no sandbox known: set <see cref="NoSandbox"/> from a probe).</returns>
    /// <exception cref="AgentHostException">A setting that is not valid (<see cref="ErrorKind.Configuration"/>), naming it.</exception>
    public static ServerInputs From(ConfigurationSnapshot configuration, AgentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(paths);
        var plugins = configuration.GetSection(PluginsKey) is { Count: > 0 } listed
            ? listed.Values.Select(v => v.Trim()).Where(v => v.Length > 0).ToHashSet(StringComparer.Ordinal)
            : null;
        if (plugins?.FirstOrDefault(PluginRuntime.IsWrittenAsPath) is { } folder)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{PluginsKey}: '{folder}' is a folder; list plugin ids (bundled or installed with 'agent plugin install'), which members may name.");
        }

        var roleModes = new Dictionary<ServerRole, List<PermissionMode>>();
        foreach (var (key, value) in configuration.GetSection(RoleModesKey))
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            var role = UserNames.ParseRole(dot > 0 ? key[..dot] : key, $"{RoleModesKey}.{key}");
            if (dot < 0 || !PermissionModes.TryParse(value, out var mode))
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{RoleModesKey}.{key}: '{value}' is not a list of permission modes; write e.g. {RoleModesKey}.member: [ask, accept-edits, plan, dont-ask] (modes: {string.Join(", ", PermissionModes.Names)}).");
            }

            (roleModes.TryGetValue(role, out var list) ? list : roleModes[role] = []).Add(mode);
        }

        var allow = configuration.Get(AllowUnsandboxedKey) is not { } text ? false
            : bool.TryParse(text.Trim(), out var parsed) ? parsed
            : throw new AgentHostException(ErrorKind.Configuration, $"{AllowUnsandboxedKey}: '{text}' is not true or false.");
        return new ServerInputs(
            plugins,
            roleModes.ToDictionary(r => r.Key, r => (IReadOnlyList<PermissionMode>)[.. r.Value.Distinct()]),
            allow,
            folder => configuration.Trusts(folder, paths));
    }

    /// <summary>
    /// Checks the plugins a request names (<paramref name="names"/>, as written): ids only for a non-admin, and for them
    /// only ids <c>server.plugins</c> lists when it is set; a folder only for an admin, inside their roots and trusted.
    /// </summary>
    /// <param name="caller">Who sent it.</param>
    /// <param name="names">The names as the request wrote them.</param>
    /// <param name="field">The request's field, for messages (<c>plugins</c>).</param>
    /// <param name="directory">What a relative folder is relative to (the session's root, the workflow file's folder).</param>
    /// <param name="roots">The callers' roots.</param>
    /// <exception cref="AgentHostException">A name the caller may not use (<see cref="ErrorKind.Denied"/>), naming the field and the rule.</exception>
    internal void CheckPlugins(ServerCaller caller, IReadOnlyList<string> names, string field, string directory, ServerRoots roots)
    {
        for (var i = 0; i < names.Count; i++)
        {
            var name = names[i];
            var where = $"{field}[{i}]";
            if (!PluginRuntime.IsWrittenAsPath(name))
            {
                if (caller.Role != ServerRole.Admin && _plugins is { } allowed && !allowed.Contains(name))
                {
                    throw new AgentHostException(
                        ErrorKind.Denied,
                        $"{where}: plugin '{name}' is not one {PluginsKey} lets a {UserNames.RoleName(caller.Role)} use ({string.Join(", ", allowed.Order(StringComparer.Ordinal))}); name one of those, or ask the server's operator to add it to {PluginsKey}.");
                }

                continue;
            }

            if (caller.Role != ServerRole.Admin)
            {
                throw new AgentHostException(
                    ErrorKind.Denied,
                    $"{where}: '{name}' is a folder, and on this server a {UserNames.RoleName(caller.Role)} names plugins only by id (the bundled ones and those the admin installed{(_plugins is null ? string.Empty : $", as far as {PluginsKey} allows")}): a plugin folder's hooks and code would run as the server. Ask an admin to install it ('agent plugin install FOLDER'), see docs/server.md \"Plugins and files a member names\".");
            }

            var folder = Path.GetFullPath(name, directory);
            roots.CheckInside(caller, folder, where, name, "a plugin folder");
            if (!_isTrusted(folder))
            {
                throw new AgentHostException(
                    ErrorKind.Denied,
                    $"{where}: the plugin folder {folder} is not trusted, and its hooks and code would run as the server; run 'agent trust' in it as the server's user (or list it in permissions.trusted_projects), or install it ('agent plugin install'), see docs/server.md \"Plugins and files a member names\".");
            }
        }
    }

    /// <summary>
    /// Checks a permission mode <paramref name="caller"/> chose: within <c>server.role_permission_modes.ROLE</c> when it
    /// is set for their role; for a member without one, not a mode that runs commands unasked unless the server has a
    /// working sandbox or <c>server.allow_unsandboxed_modes</c> is true.
    /// </summary>
    /// <param name="caller">Who chose it.</param>
    /// <param name="mode">The mode.</param>
    /// <param name="field">The request's field (or the session's setting), for the message.</param>
    /// <exception cref="AgentHostException">A mode outside the cap (<see cref="ErrorKind.Denied"/>), naming the setting.</exception>
    internal void CheckMode(ServerCaller caller, PermissionMode mode, string field)
    {
        var role = UserNames.RoleName(caller.Role);
        if (_roleModes.TryGetValue(caller.Role, out var cap))
        {
            if (!cap.Contains(mode))
            {
                throw new AgentHostException(
                    ErrorKind.Denied,
                    $"{field}: '{mode.ToDisplayName()}' is not a permission mode {RoleModesKey}.{role} lets user '{caller.Name}' choose ({Names(cap)}); choose one of those, or ask the server's operator to change {RoleModesKey}.{role}.");
            }

            return;
        }

        if (caller.Role == ServerRole.Member && NoSandbox is { } why && !AllowUnsandboxedModes && Unasked.Contains(mode))
        {
            throw new AgentHostException(
                ErrorKind.Denied,
                $"{field}: '{mode.ToDisplayName()}' runs commands without asking, and this server has no working OS sandbox ({why}), so a member may not choose it; choose ask, accept-edits, plan or dont-ask, or ask the server's operator to set {AllowUnsandboxedKey}: true (or {RoleModesKey}.member).");
        }
    }

    /// <summary>
    /// Checks a model a request names whose provider reads the file the model id names
    /// (<see cref="ChatProviderCapability.ModelIdIsPath"/>, the scripted provider): the id is resolved
    /// against the session's root, and for a non-admin it must lie inside the caller's roots. Other models pass as given.
    /// </summary>
    /// <param name="caller">Who sent it.</param>
    /// <param name="model">The model as the request wrote it (<c>scripted/script.yaml</c>).</param>
    /// <param name="field">The request's field, for the message (<c>model</c>, <c>settings.model</c>).</param>
    /// <param name="root">The session's root (what a relative id is relative to).</param>
    /// <param name="roots">The callers' roots.</param>
    /// <param name="configuration">The session's configuration (provider names and types).</param>
    /// <param name="registry">The session's capabilities (which providers read a path).</param>
    /// <returns>The model to use: with the file's absolute path for a provider that reads one.</returns>
    /// <exception cref="AgentHostException">A non-admin's file outside their roots (<see cref="ErrorKind.Usage"/>), naming the field.</exception>
    internal static string CheckModel(ServerCaller caller, string model, string field, string root, ServerRoots roots, ConfigurationSnapshot configuration, CapabilityRegistry registry)
    {
        if (ModelSelection.ProviderTypeOf(model, configuration) is not { } type
            || registry.OfKind(CapabilityKind.ChatProvider).FirstOrDefault(e => string.Equals(e.Name, type, StringComparison.OrdinalIgnoreCase))?.Capability is not ChatProviderCapability capability
            || (!capability.ModelIdIsPath && capability.FileSetting is null))
        {
            return model;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        var (provider, id) = slash > 0 ? (model[..slash], model[(slash + 1)..]) : (type, model);
        if (capability.FileSetting is { } setting && FileSettingOf(configuration, provider, setting) is { } entry)
        {
            // The provider's configuration names the file it reads (the declared setting): the model id is only a name.
            // The server's own configuration is the admin's; a project's file (a trusted root's) is held to the caller's roots.
            var named = Path.GetFullPath(entry.Value.Trim());
            if (entry.Layer == ConfigLayer.Project && caller.Role != ServerRole.Admin && !roots.Allows(caller, named))
            {
                throw new AgentHostException(
                    ErrorKind.Usage,
                    $"{field}: '{model}' reads the file {named} that {entry.Key} names ({entry.Source}), which the model's provider would read as the server, outside the roots this server lets user '{caller.Name}' use ({string.Join(", ", roots.For(caller))}); name a file inside one of them there, see docs/server.md \"Plugins and files a member names\".");
            }

            return model;
        }

        if (!capability.ModelIdIsPath)
        {
            return model;
        }

        var file = Path.GetFullPath(id, root);
        if (caller.Role != ServerRole.Admin && !roots.Allows(caller, file))
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"{field}: '{model}' names the file {file}, which the model's provider would read as the server, outside the roots this server lets user '{caller.Name}' use ({string.Join(", ", roots.For(caller))}); give a file inside one of them (a relative path is relative to the session's root), see docs/server.md \"Plugins and files a member names\".");
        }

        return $"{provider}/{file}";
    }

    /// <summary>The configured value of a provider's declared file setting (<c>providers.NAME.SETTING</c> or <c>providers.NAME.settings.SETTING</c>), if set.</summary>
    private static ConfigEntry? FileSettingOf(ConfigurationSnapshot configuration, string provider, string setting) =>
        configuration.Explain($"providers.{provider}.settings.{setting}") is { Value.Length: > 0 } inSettings ? inSettings
        : configuration.Explain($"providers.{provider}.{setting}") is { Value.Length: > 0 } direct ? direct
        : null;

    private static string Names(IEnumerable<PermissionMode> modes) => string.Join(", ", modes.Select(m => m.ToDisplayName()));
}
