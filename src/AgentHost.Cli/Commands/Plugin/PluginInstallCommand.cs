using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using AgentHost.Agent.Plugins;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;
using AgentHost.Cli;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Trust;
using AgentHost.Installation;
using AgentHost.Installation.Marketplaces;
using NuGet.Versioning;

namespace AgentHost.Cli.Commands.Plugin;

/// <summary><c>agent plugin install &lt;id|folder|.nupkg|git url|name@marketplace&gt;</c>: installs a plugin from the catalog, a feed, a path, a git repository or a marketplace.</summary>
internal sealed class PluginInstallCommand : AgentCommand
{
    private readonly Argument<string> _target = new("target")
    {
        Description = "A plugin id (looked up in the catalog, then the configured feeds), a plugin folder, a .nupkg file, a git URL (https://…, git@host:…, ssh://…, file://…; a branch or tag after '#') or name@marketplace.",
    };

    private readonly Option<string?> _path = new("--path")
    {
        Description = "With a git URL: the plugin's folder inside the repository (the repository root by default).",
        HelpName = "FOLDER",
    };

    private readonly Option<string?> _version = new("--version")
    {
        Description = "Install this exact version (ids only).",
        HelpName = "VERSION",
    };

    private readonly Option<string?> _source = new("--source")
    {
        Description = "Look only in this feed: a configured feed name, a NuGet v3 index.json URL or a folder of .nupkg files.",
        HelpName = "FEED",
    };

    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Install without asking for confirmation." };

    private readonly Option<bool> _prerelease = new("--prerelease") { Description = "Allow prerelease versions." };

    private readonly Option<bool> _force = new("--force") { Description = "Replace an installed copy of the same version whose content differs." };

    public PluginInstallCommand(CliContext context)
        : base("install", "Install a plugin from the catalog, a NuGet feed, a folder, a .nupkg file, a git repository or a marketplace.", context)
    {
        Arguments.Add(_target);
        Options.Add(_path);
        Options.Add(_version);
        Options.Add(_source);
        Options.Add(_yes);
        Options.Add(_prerelease);
        Options.Add(_force);
    }

    /// <summary>Creates an HTTP client for feeds.</summary>
    internal static HttpClient CreateHttpClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All }) { Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"agent/{AgentVersion.Current}");
        return client;
    }

    /// <summary>Creates an installer over the configured feeds, reporting warnings (and, with --verbose, progress) on stderr.</summary>
    internal static PluginInstaller CreateInstaller(CliContext context, ParseResult parseResult, HttpClient httpClient)
    {
        var configuration = context.Configuration(parseResult);
        if (configuration.HasErrors)
        {
            context.Console.WriteInfo("warning: the configuration has errors, so plugin feeds may be missing; run 'agent config validate'.");
        }

        if (configuration.ProjectTrustWarning is { } untrusted)
        {
            // An untrusted project's feeds are not in the configuration: plugins come from the user's feeds only.
            context.Console.WriteInfo("warning: " + untrusted);
        }

        ArgumentNullException.ThrowIfNull(httpClient);
        var feeds = configuration.PluginFeeds.Select(f => new PluginFeed(f.Name, f.Url)).ToList();

        // nuget.config: the user's file always; the project's (found from the working folder up) only when the
        // project is trusted, the same rule as .agent/config.yaml.
        var environment = context.Environment;
        var trusted = new PluginSettingsSource(configuration, () => ProjectTrust.Load(context.Paths)).ProjectTrusted;
        var nuGet = NuGetSources.Load(
            environment.HomeDirectory,
            environment.Platform == OSPlatform.Windows ? environment.Get("APPDATA") : null,
            environment.CurrentDirectory,
            trusted);
        if (nuGet.Warning is { } ignored)
        {
            context.Console.WriteInfo("warning: " + ignored);
        }

        var report = Reporter(context, parseResult);
        var marketplaces = new MarketplaceRegistry(context.PluginStore, environment, TimeProvider.System, report);
        return new PluginInstaller(context.PluginStore, feeds, nuGet, TimeProvider.System, environment.CurrentDirectory, report, marketplaces);
    }

    /// <summary>The progress callback: warnings always, other lines with --verbose.</summary>
    internal static Action<string> Reporter(CliContext context, ParseResult parseResult)
    {
        var verbose = parseResult.GetValue(context.GlobalOptions.Verbose);
        return line =>
        {
            if (verbose || line.StartsWith("warning:", StringComparison.Ordinal))
            {
                context.Console.WriteInfo(line);
            }
        };
    }

    /// <summary>Shows the plan and asks; refuses (never prompts) when no one can answer and --yes was not given.</summary>
    internal static Func<InstallPlan, bool> Confirmation(IConsoleInteraction console, bool yes) => plan =>
    {
        foreach (var line in Describe(plan))
        {
            console.WriteLine(TerminalText.Indented(line, SummaryIndent)); // a field's further lines never start a line of the summary
        }

        if (yes)
        {
            return true;
        }

        if (!console.IsInteractive)
        {
            throw new AgentHostException(
                ErrorKind.Usage,
                $"not installing {plan.Manifest.Id} {plan.Manifest.Version.ToNormalizedString()}: confirmation is needed but no one can answer (not a terminal, or CI is set). Review the summary above and pass --yes to install. Nothing was changed.");
        }

        var verb = plan.Previous is null ? "Install" : plan.Previous.Version == plan.Manifest.Version.ToNormalizedString() ? "Reinstall" : "Replace " + plan.Previous.Version + " with";
        return console.Confirm($"{verb} {plan.Manifest.Id} {plan.Manifest.Version.ToNormalizedString()}?", defaultAnswer: false);
    };

    /// <summary>Where the values of the summary start (after its labels).</summary>
    private const string SummaryIndent = "             ";

    /// <summary>The summary shown before installing: identity, source, what it uses and contributes, and whether it has code.</summary>
    internal static IEnumerable<string> Describe(InstallPlan plan)
    {
        var m = plan.Manifest;
        var replaces = plan.Previous is null ? string.Empty : $" (installed: {plan.Previous.Version})";
        yield return $"Plugin       {m.Id} {m.Version.ToNormalizedString()}{replaces}";
        yield return $"             {m.Description}";
        if (m.Authors.Count > 0 || m.License is not null)
        {
            yield return $"Authors      {(m.Authors.Count > 0 ? string.Join(", ", m.Authors) : "-")}{(m.License is null ? string.Empty : $" (license {m.License})")}";
        }

        if (m.Homepage is not null)
        {
            yield return $"Homepage     {m.Homepage}";
        }

        yield return $"Source       {plan.Candidate.Source}: {plan.Candidate.Origin}";
        if (plan.Candidate.Git is { } git)
        {
            yield return $"Git          {git.Display}";
        }

        if (plan.Signature is { } signature)
        {
            yield return $"Signature    {signature}{(signature.Status == SignatureStatus.None ? " (allowed; the content hash below is what the lockfile pins)" : " (integrity checked; the certificate's trust is not)")}";
        }

        yield return $"Uses         {(m.Uses.Count == 0 ? "nothing declared (no processes, network or file writes)" : string.Join(", ", m.Uses.Select(u => u.ToString().ToLowerInvariant())))}";
        foreach (var line in PluginPartsSummary.Lines(m))
        {
            yield return line;
        }

        yield return m.Format == PluginFormat.ClaudeCode
            ? "Code         no .NET code; its hook commands and servers run as programs with your permissions: install only plugins you trust."
            : m.HasCode
            ? $"Code         {m.EntryAssembly}: runs inside agent as trusted code with your permissions; install only plugins you trust."
            : "Code         none (declarative: manifest, skills and server definitions only)";
        yield return $"Hash         {plan.Hash}";
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        NuGetVersion? version = null;
        if (parseResult.GetValue(_version) is { Length: > 0 } versionText && !NuGetVersion.TryParse(versionText, out version))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--version '{versionText}' is not a version; write it like 1.2.3 or 1.2.3-beta.1.");
        }

        var request = new InstallRequest(parseResult.GetValue(_target)!)
        {
            Version = version,
            Source = parseResult.GetValue(_source),
            IncludePrerelease = parseResult.GetValue(_prerelease),
            Force = parseResult.GetValue(_force),
            Path = parseResult.GetValue(_path),
        };
        using var http = CreateHttpClient();
        var installer = CreateInstaller(Context, parseResult, http);
        var result = await installer.InstallAsync(request, Confirmation(Context.Console, parseResult.GetValue(_yes)), cancellationToken).ConfigureAwait(false);
        var plugin = result.Plugin;
        switch (result.Outcome)
        {
            case InstallOutcome.AlreadyInstalled:
                Context.Console.WriteLine($"{plugin.Id} {plugin.Version} is already installed with the same content; nothing to do (pass --force to reinstall it).");
                ReportMissingPrograms(plugin);
                return ExitCodes.Success;
            case InstallOutcome.Declined:
                Context.Console.WriteLine($"Not installed; {plugin.Id} {plugin.Version} was declined. Nothing was changed.");
                return ExitCodes.Denied;
            default:
                var replaced = result.Previous is { } previous && previous.Version != plugin.Version ? $" (replaced {previous.Version})" : string.Empty;
                var signed = plugin.Signature is { } text ? $" Package {text.Split(':')[0]}." : string.Empty;
                Context.Console.WriteLine($"Installed {plugin.Id} {plugin.Version} from {plugin.Source}{replaced}.{signed}{(plugin.Enabled ? string.Empty : " It is disabled; enable it with 'agent plugin enable " + plugin.Id + "'.")}");
                ReportMissingPrograms(plugin);
                return ExitCodes.Success;
        }
    }

    /// <summary>
    /// The programs an installed plugin's manifest declares (its language and MCP servers' commands) that the host
    /// would not find (<see cref="ExecutableLocator"/>: absolute PATH entries, never the project), each with how to
    /// install it: the server's <c>install</c> hint from the manifest, or a generic one.
    /// </summary>
    internal static IEnumerable<(string Program, string Hint)> MissingPrograms(PluginManifest manifest, HostEnvironment environment)
    {
        var commands = manifest.LspServers.Select(s => (s.Command, s.InstallHint))
            .Concat(manifest.McpServers.Where(s => s.Command is not null).Select(s => (Command: s.Command!, InstallHint: (string?)null)));
        foreach (var (command, hint) in commands.DistinctBy(c => c.Command, StringComparer.Ordinal))
        {
            if (ExecutableLocator.Find(command, environment) is null)
            {
                yield return (command, hint ?? $"Install {command} and put it on PATH (an absolute PATH entry outside the project).");
            }
        }
    }

    private void ReportMissingPrograms(LockedPlugin plugin)
    {
        PluginManifest manifest;
        try
        {
            manifest = ManifestReader.ReadFromDirectory(Context.PluginStore.InstallDirectory(plugin));
        }
        catch (AgentHostException)
        {
            return; // Installed and validated a moment ago; a manifest that cannot be read now is reported by 'agent plugin list'.
        }

        foreach (var (program, hint) in MissingPrograms(manifest, Context.Environment))
        {
            Context.Console.WriteLine($"Needs a program: {plugin.Id} runs '{program}', which is not on PATH. {hint}");
        }
    }
}
