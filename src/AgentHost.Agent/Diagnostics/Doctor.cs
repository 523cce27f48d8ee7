using AgentHost.Agent.Mcp;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Trust;
using System.Globalization;
using System.Runtime.InteropServices;
using AgentHost.Agent.Runs;
using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins.Settings;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;

namespace AgentHost.Agent.Diagnostics;

/// <summary>Checks the installation: runtime, folders, configuration, git, plugins, language servers and providers.</summary>
/// <param name="paths">The host paths.</param>
/// <param name="configuration">The effective configuration.</param>
/// <param name="plugins">The plugin runtime (plugins are loaded by the check).</param>
/// <param name="http">Used to probe provider endpoints.</param>
/// <param name="environment">The environment (for <c>PATH</c>).</param>
public sealed class Doctor(AgentPaths paths, ConfigurationSnapshot configuration, PluginRuntime plugins, HttpClient http, HostEnvironment environment)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Runs every check.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The checks in a fixed order.</returns>
    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken = default)
    {
        var checks = new List<DoctorCheck>
        {
            new(DoctorStatus.Ok, "runtime", $".NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"),
            PrecompiledCodeCheck.Run(),
            CheckWritable("data directory", paths.DataDirectory),
        };
        checks.AddRange(CheckConfiguration());
        checks.AddRange(
        [
            await CheckGitAsync(cancellationToken).ConfigureAwait(false),
            await CheckSandboxAsync(cancellationToken).ConfigureAwait(false),
        ]);
        checks.AddRange(await CheckPluginsAsync(cancellationToken).ConfigureAwait(false));
        checks.AddRange(CheckLanguageServers());
        checks.AddRange(await CheckMcpServersAsync(cancellationToken).ConfigureAwait(false));
        checks.AddRange(await CheckProvidersAsync(cancellationToken).ConfigureAwait(false));
        return checks;
    }

    private static DoctorCheck CheckWritable(string name, string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".doctor-{Environment.ProcessId}.tmp");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return new DoctorCheck(DoctorStatus.Ok, name, $"{directory} is writable");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new DoctorCheck(DoctorStatus.Fail, name, $"{directory} is not writable: {ex.Message}", "Fix the folder's permissions, or set AGENT_HOME to a writable folder.");
        }
    }

    /// <summary>
    /// One line per problem of the configuration check <c>agent config validate</c> runs too (<see cref="ConfigurationCheck"/>),
    /// so the two never disagree; the files read when there is none.
    /// </summary>
    private IEnumerable<DoctorCheck> CheckConfiguration()
    {
        var problems = ConfigurationCheck.Problems(configuration, plugins.Store);
        if (problems.Count > 0)
        {
            return problems.OrderByDescending(problem => problem.Severity).Select(problem => problem.IsError
                ? new DoctorCheck(DoctorStatus.Fail, "configuration", problem.ToString(), "Correct the line named ('agent config validate' reports the same).")
                : new DoctorCheck(DoctorStatus.Warn, "configuration", problem.ToString()));
        }

        var files = new[] { configuration.GlobalConfigFile, configuration.ProjectConfigFile }.Where(File.Exists).ToList();
        return [new DoctorCheck(DoctorStatus.Ok, "configuration", files.Count == 0 ? "defaults (no config files)" : string.Join(", ", files))];
    }

    /// <summary>The sandbox backend and its version, or why it cannot start, and what the mode then does (docs/sandbox.md).</summary>
    private async Task<DoctorCheck> CheckSandboxAsync(CancellationToken cancellationToken)
    {
        var settings = Permissions.Sandbox.SandboxSettings.FromConfiguration(configuration);
        var mode = Permissions.Sandbox.SandboxSettings.NameOf(settings.Mode);
        if (settings.Mode == Permissions.Sandbox.SandboxMode.Off)
        {
            return new DoctorCheck(DoctorStatus.Skip, "sandbox", $"off (sandbox.mode: off{(settings.ModeSource is { } source ? ", " + source : string.Empty)}): shell commands are decided by the permission rules only");
        }

        var backend = await SandboxProbe.ProbeAsync(settings.Program, [configuration.ProjectRoot], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (backend.IsAvailable)
        {
            var summary = $"{backend.Backend} {backend.Version} ({backend.ProgramPath}); sandbox.mode {mode}";
            if (settings.Problems.Count > 0)
            {
                // Malformed sandbox.network rules and sandbox.network_domains entries are ignored: say which, with the fix.
                return new DoctorCheck(DoctorStatus.Warn, "sandbox", $"{summary}; {settings.Problems.Count} entry(ies) ignored, first: {settings.Problems[0]}", "Fix or remove the line named.");
            }

            if (settings.NetworkDomains.Count == 0)
            {
                return new DoctorCheck(DoctorStatus.Ok, "sandbox", summary);
            }

            // sandbox.network_domains: the bridge into the sandbox is socat (docs/sandbox.md, "Network by domain").
            var bridge = backend.Backend == Bubblewrap.Name ? ProgramSearch.Find("socat") : null;
            return bridge is not null
                ? new DoctorCheck(DoctorStatus.Ok, "sandbox", $"{summary}; sandbox.network_domains through the host's proxy (bridge: {bridge})")
                : new DoctorCheck(
                    DoctorStatus.Warn,
                    "sandbox",
                    $"{summary}; sandbox.network_domains cannot be bridged here ({(backend.Backend == Bubblewrap.Name ? "socat is not on PATH" : $"not supported by {backend.Backend} yet")}): sandboxed commands have no network",
                    backend.Backend == Bubblewrap.Name ? "Install socat (Debian: apt-get install socat)." : "See docs/sandbox.md, \"Network by domain\".");
        }

        var fix = OperatingSystem.IsLinux()
            ? "Install bubblewrap and allow user namespaces (see docs/sandbox.md), or set sandbox.mode: off to silence this."
            : "See docs/sandbox.md: this platform has no sandbox backend yet.";
        return new DoctorCheck(
            settings.Mode == Permissions.Sandbox.SandboxMode.Required ? DoctorStatus.Fail : DoctorStatus.Warn,
            "sandbox",
            $"{backend.Backend} cannot start: {backend.UnavailableReason}; sandbox.mode {mode}: {(settings.Mode == Permissions.Sandbox.SandboxMode.Required ? "shell commands are refused" : "shell commands run unsandboxed")}",
            fix);
    }

    private async Task<DoctorCheck> CheckGitAsync(CancellationToken cancellationToken)
    {
        if (ExecutableLocator.Find("git", environment) is not { } git)
        {
            return new DoctorCheck(DoctorStatus.Fail, "git", "git was not found on PATH", "Install git (https://git-scm.com/downloads) and make sure it is on PATH.");
        }

        try
        {
            var result = await ProcessLauncher.RunAsync(new ProcessSpec(git, ["--version"]) { Purpose = "git" }, TimeSpan.FromSeconds(10), cancellationToken: cancellationToken).ConfigureAwait(false);
            return result.ExitCode == 0
                ? new DoctorCheck(DoctorStatus.Ok, "git", result.Output.Trim())
                : new DoctorCheck(DoctorStatus.Fail, "git", $"'git --version' exited with {result.ExitCode}", "Reinstall git.");
        }
        catch (ProgramStartException ex)
        {
            return new DoctorCheck(DoctorStatus.Fail, "git", ex.Message, "Reinstall git.");
        }
    }

    private async Task<IEnumerable<DoctorCheck>> CheckPluginsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<PluginLoadResult> results;
        try
        {
            results = await plugins.LoadInstalledAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (AgentHostException ex)
        {
            return [new DoctorCheck(DoctorStatus.Fail, "plugins", ex.Message, "Fix or delete the file named above.")];
        }

        if (results.Count == 0)
        {
            return [new DoctorCheck(DoctorStatus.Skip, "plugins", "none installed")];
        }

        return results.Select(r => r.Status switch
        {
            // A Claude Code plugin's parts the host does not run: shown here and at install, never on every run.
            PluginLoadStatus.Loaded when plugins.Host.Loaded.TryGetValue(r.PluginId, out var loaded) && loaded.Manifest.NotMapped.Count > 0 =>
                new DoctorCheck(DoctorStatus.Warn, $"plugin {r.PluginId}", $"{r.Version} loaded ({r.Capabilities.Count} capabilities); {loaded.Manifest.NotMapped.Count} part(s) not supported: {string.Join("; ", loaded.Manifest.NotMapped)}", $"Those parts are not used; 'agent plugin info {r.PluginId}' lists them."),
            PluginLoadStatus.Loaded => new DoctorCheck(DoctorStatus.Ok, $"plugin {r.PluginId}", $"{r.Version} loaded ({r.Capabilities.Count} capabilities)"),
            PluginLoadStatus.Disabled => new DoctorCheck(DoctorStatus.Skip, $"plugin {r.PluginId}", "disabled"),
            _ => new DoctorCheck(DoctorStatus.Fail, $"plugin {r.PluginId}", r.Error ?? "not loaded", $"Reinstall it ('agent plugin install {r.PluginId} --force'), disable it ('agent plugin disable {r.PluginId}') or remove it."),
        });
    }

    /// <summary>One line per MCP server a session here would use: started as a session starts it, with its tool count, or why it failed.</summary>
    private async Task<IEnumerable<DoctorCheck>> CheckMcpServersAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var trusted = configuration.Trusts(configuration.ProjectRoot, paths);
        var definitions = McpServerSources.Collect(plugins.Registry, configuration, trusted, environment, problems);
        await using var servers = await McpSessionServers.StartAsync(definitions, configuration.ProjectRoot, events: null, logging: null, cancellationToken).ConfigureAwait(false);
        return [
            .. problems.Select(problem => new DoctorCheck(DoctorStatus.Warn, "mcp", problem)),
            .. servers.Statuses.Select(s => s.State == McpServerState.Ready
                ? new DoctorCheck(DoctorStatus.Ok, $"mcp {s.Definition.Name}", $"{s.ToolCount} tools ({s.Definition.Source})")
                : new DoctorCheck(DoctorStatus.Fail, $"mcp {s.Definition.Name}", s.Error!, "Run 'agent mcp list' after fixing it; a session goes on without this server.")),
        ];
    }

    private IEnumerable<DoctorCheck> CheckLanguageServers()
    {
        foreach (var entry in plugins.Registry.OfKind(CapabilityKind.LspServer))
        {
            var server = (LspServerCapability)entry.Capability;
            var found = ExecutableLocator.Find(server.Command, environment);
            yield return found is not null
                ? new DoctorCheck(DoctorStatus.Ok, $"lsp {entry.QualifiedName}", found)
                : new DoctorCheck(DoctorStatus.Warn, $"lsp {entry.QualifiedName}", $"'{server.Command}' is not on PATH", server.InstallHint ?? $"Install {server.Command} and put it on PATH.");
        }

        // Servers defined in configuration (lsp.servers.<name>), run by the LSP bridge beside the plugins' ones.
        foreach (var server in configuration.GetSection("lsp.servers").Where(p => p.Key.EndsWith(".command", StringComparison.OrdinalIgnoreCase)).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var name = server.Key[..^".command".Length];
            var found = ExecutableLocator.Find(server.Value, environment);
            yield return found is not null
                ? new DoctorCheck(DoctorStatus.Ok, $"lsp config/{name}", found)
                : new DoctorCheck(DoctorStatus.Warn, $"lsp config/{name}", $"'{server.Value}' is not on PATH", configuration.Explain($"lsp.servers.{name}.install")?.Value ?? $"Install {server.Value} and put it on PATH, or correct lsp.servers.{name}.command.");
        }
    }

    /// <summary>
    /// One line per provider that is configured or usable: its endpoint is asked for its model list with the key, so a
    /// rejected key (401/403) is a failure, as is an endpoint that does not answer. Known services without their key
    /// and known local servers that do not answer (neither configured) are summed up in one line each.
    /// </summary>
    private async Task<IEnumerable<DoctorCheck>> CheckProvidersAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var probes = new List<(ProviderEntry Entry, Task<DoctorCheck> Check)>();
        var withoutKey = new List<string>();
        foreach (var entry in ProviderDirectory.All(configuration))
        {
            if (ProviderDirectory.WhyUnusable(entry, environment) is { } why)
            {
                if (entry.Configured)
                {
                    checks.Add(new DoctorCheck(DoctorStatus.Fail, $"provider {entry.Name}", why.TrimEnd('.'), "Set the key as the message says (see docs/providers.md)."));
                }
                else
                {
                    withoutKey.Add(entry.Service?.KeyVariable ?? entry.Name);
                }

                continue;
            }

            probes.Add((entry, ProbeAsync(entry, cancellationToken)));
        }

        var silent = new List<string>();
        foreach (var (entry, probe) in probes)
        {
            var check = await probe.ConfigureAwait(false);
            if (entry.NeedsProbe && check.Status != DoctorStatus.Ok)
            {
                silent.Add($"{entry.Name} ({ProviderDirectory.DisplayedBaseUrl(entry.Settings, environment)})");
                continue;
            }

            checks.Add(check);
        }

        if (checks.Count == 0)
        {
            checks.Add(new DoctorCheck(
                DoctorStatus.Warn,
                "providers",
                "none usable: no provider is configured, no known service has its key in the environment and no local server answers",
                "Export a key (e.g. OPENAI_API_KEY or ANTHROPIC_API_KEY), start a local server such as Ollama, or add a provider under 'providers:' (see docs/providers.md)."));
        }

        if (silent.Count > 0)
        {
            checks.Add(new DoctorCheck(DoctorStatus.Skip, "local servers", "not answering: " + string.Join(", ", silent)));
        }

        if (withoutKey.Count > 0)
        {
            checks.Add(new DoctorCheck(DoctorStatus.Skip, "other services", "no key in the environment: " + string.Join(", ", withoutKey)));
        }

        return checks;
    }

    private async Task<DoctorCheck> ProbeAsync(ProviderEntry entry, CancellationToken cancellationToken)
    {
        var name = $"provider {entry.Name}";
        var url = ProviderDirectory.DisplayedBaseUrl(entry.Settings, environment);
        var fix = entry.Configured || entry.Service?.BaseUrlVariable is not { } variable
            ? $"Start the server or correct providers.{entry.Name}.base_url (see 'agent config show')."
            : $"Start the server, or set ${variable} (or providers.{entry.Name}.base_url) to where it listens.";
        if (!await plugins.EnsureChatProviderAsync(entry.Type, cancellationToken).ConfigureAwait(false))
        {
            return new DoctorCheck(DoctorStatus.Fail, name, $"no plugin provides the '{entry.Type}' provider type", $"Install one: 'agent plugin install {entry.Type}'.");
        }

        if (entry.Settings.Platform is { } platform)
        {
            // Bedrock and Vertex AI have no model list on the endpoint the provider calls: listing models proves nothing.
            return new DoctorCheck(DoctorStatus.Skip, name, $"served through {platform}: its credentials are checked by the first model request, not here");
        }

        if (plugins.Registry.Find(CapabilityKind.ChatProvider, entry.Type) is not { Capability: ChatProviderCapability { DiscoverModels: { } discover } } provider)
        {
            return url is null
                ? new DoctorCheck(DoctorStatus.Skip, name, "no base_url to probe (the provider's default endpoint is used)")
                : await GetAsync(name, url, fix, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            var options = ModelSelection.Options(entry.Name, string.Empty, configuration, environment);
            var services = plugins.Host.Loaded.TryGetValue(provider.PluginId, out var plugin) ? plugin.ServiceProvider : ModelSelection.EmptyServices.Instance;
            var models = await discover(options, services, timeout.Token).ConfigureAwait(false);
            var key = options.ApiKey is null ? string.Empty : "; the key was accepted";
            return new DoctorCheck(DoctorStatus.Ok, name, $"{url} answered with {models.Count} model(s){key}");
        }
        catch (ProviderException ex) when (ex.Kind == ProviderErrorKind.Authentication || ex.StatusCode is 401 or 403)
        {
            return new DoctorCheck(DoctorStatus.Fail, name, $"{url} rejected the key (HTTP {ex.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "401/403"}): {Clause(ex.Message)}", KeyFix(entry));
        }
        catch (ProviderException ex) when (ex.StatusCode is { } status)
        {
            // It answered, but not with a model list: reachable; the key could not be checked this way.
            var verdict = status is 404 or 405 ? DoctorStatus.Ok : DoctorStatus.Warn;
            return new DoctorCheck(verdict, name, $"{url} answered HTTP {status} to the model list request, so the key was not checked: {Clause(ex.Message)}", verdict == DoctorStatus.Ok ? null : "See the message; 'agent logs' has more.");
        }
        catch (Exception ex) when (ex is ProviderException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var why = ex is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : Clause(ex.Message);
            return new DoctorCheck(DoctorStatus.Fail, name, $"{url} is unreachable: {why}", fix);
        }
        catch (AgentHostException ex)
        {
            return new DoctorCheck(DoctorStatus.Fail, name, Clause(ex.Message), "Correct the provider's settings (see docs/providers.md).");
        }
    }

    private static string KeyFix(ProviderEntry entry) =>
        entry.Configured && (entry.Settings.ApiKey ?? entry.Settings.ApiKeyEnv ?? entry.Settings.ApiKeyFile ?? entry.Settings.ApiKeyCommand) is not null
            ? $"Replace the key that providers.{entry.Name} reads (api_key, api_key_env, api_key_file or api_key_command) with a valid one."
            : entry.Service?.KeyVariable is { } variable
                ? $"Export a valid key: {variable}=<your key>."
                : $"Set a valid key in providers.{entry.Name}.api_key_env (or api_key_file / api_key_command).";

    /// <summary>A message as a clause inside a line: without its final period (the line adds its own punctuation).</summary>
    private static string Clause(string message) => message.Trim().TrimEnd('.');

    private async Task<DoctorCheck> GetAsync(string name, Uri uri, string fix, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return new DoctorCheck(DoctorStatus.Ok, name, $"{uri} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new DoctorCheck(DoctorStatus.Fail, name, $"{uri} is unreachable: {Clause(ex.Message)}", fix);
        }
    }
}
