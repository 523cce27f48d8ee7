using System.Runtime.InteropServices;
using AgentHost.Common.Processes;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Diagnostics;

/// <summary>Checks the installation: runtime, folders, configuration, git, plugins, language servers and providers.</summary>
/// <param name="paths">The host paths.</param>
/// <param name="configuration">The effective configuration.</param>
/// <param name="plugins">The plugin runtime (plugins are loaded by the check).</param>
/// <param name="http">Used to probe provider endpoints.</param>
/// <param name="environment">The environment (for <c>PATH</c>).</param>
public sealed class Doctor(AgentPaths paths, ConfigurationSnapshot configuration, PluginRuntime plugins, HttpClient http, HostEnvironment environment)
{
    /// <summary>Runs every check.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The checks in a fixed order.</returns>
    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(CancellationToken cancellationToken = default)
    {
        var checks = new List<DoctorCheck>
        {
            new(DoctorStatus.Ok, "runtime", $".NET {Environment.Version} on {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"),
            CheckWritable("data directory", paths.DataDirectory),
            CheckConfiguration(),
            await CheckGitAsync(cancellationToken).ConfigureAwait(false),
        };
        checks.AddRange(await CheckPluginsAsync(cancellationToken).ConfigureAwait(false));
        checks.AddRange(CheckLanguageServers());
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

    private DoctorCheck CheckConfiguration()
    {
        var errors = configuration.Problems.Where(p => p.IsError).ToList();
        if (errors.Count > 0)
        {
            return new DoctorCheck(DoctorStatus.Fail, "configuration", $"{errors.Count} error(s), first: {errors[0]}", "Run 'agent config validate' and fix the reported lines.");
        }

        var files = new[] { configuration.GlobalConfigFile, configuration.ProjectConfigFile }.Where(File.Exists).ToList();
        return new DoctorCheck(DoctorStatus.Ok, "configuration", files.Count == 0 ? "defaults (no config files)" : string.Join(", ", files));
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
            PluginLoadStatus.Loaded => new DoctorCheck(DoctorStatus.Ok, $"plugin {r.PluginId}", $"{r.Version} loaded ({r.Capabilities.Count} capabilities)"),
            PluginLoadStatus.Disabled => new DoctorCheck(DoctorStatus.Skip, $"plugin {r.PluginId}", "disabled"),
            _ => new DoctorCheck(DoctorStatus.Fail, $"plugin {r.PluginId}", r.Error ?? "not loaded", $"Reinstall it ('agent plugin install {r.PluginId} --force'), disable it ('agent plugin disable {r.PluginId}') or remove it."),
        });
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

    private async Task<IEnumerable<DoctorCheck>> CheckProvidersAsync(CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        foreach (var (name, provider) in configuration.Providers.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (provider.BaseUrl is not { Length: > 0 } baseUrl || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
            {
                checks.Add(new DoctorCheck(DoctorStatus.Skip, $"provider {name}", "no base_url to probe (the provider's default endpoint is used)"));
                continue;
            }

            checks.Add(await ProbeAsync(name, uri, cancellationToken).ConfigureAwait(false));
        }

        return checks.Count > 0 ? checks : [new DoctorCheck(DoctorStatus.Skip, "providers", "none configured (see docs/configuration.md)")];
    }

    private async Task<DoctorCheck> ProbeAsync(string name, Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return new DoctorCheck(DoctorStatus.Ok, $"provider {name}", $"{uri} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new DoctorCheck(DoctorStatus.Fail, $"provider {name}", $"{uri} is unreachable: {ex.Message}", $"Start the server or correct providers.{name}.base_url (see 'agent config show').");
        }
    }
}
