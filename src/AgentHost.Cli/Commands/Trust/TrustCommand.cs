using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
namespace AgentHost.Cli.Commands.Trust;

/// <summary>
/// <c>agent trust [PATH]</c>, <c>agent trust --revoke [PATH]</c>, <c>agent trust --list [--json]</c>: the projects whose
/// <c>.agent/config.yaml</c> may widen permissions (allow rules, mode, extra directories).
/// </summary>
internal sealed class TrustCommand : AgentCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Argument<string?> _path = new("path")
    {
        Description = "A folder of the project (default: the current project). Its project root is trusted.",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<bool> _revoke = new("--revoke") { Description = "Stop trusting the project." };

    private readonly Option<bool> _list = new("--list") { Description = "List the trusted projects." };

    private readonly Option<bool> _json = new("--json") { Description = "With --list: print JSON." };

    public TrustCommand(CliContext context)
        : base("trust", "Trust a project: let its .agent/config.yaml allow tools, set the mode and add folders to the sandbox.", context)
    {
        Arguments.Add(_path);
        Options.Add(_revoke);
        Options.Add(_list);
        Options.Add(_json);
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var path = parseResult.GetValue(_path);
        var list = parseResult.GetValue(_list);
        if (list && (path is not null || parseResult.GetValue(_revoke)))
        {
            throw new AgentHostException(ErrorKind.Usage, "--list takes no PATH and no --revoke. Run 'agent trust --list' alone.");
        }

        if (!list && parseResult.GetValue(_json))
        {
            throw new AgentHostException(ErrorKind.Usage, "--json goes with --list: 'agent trust --list --json'.");
        }

        var trust = ProjectTrust.Load(Context.Paths);
        if (trust.Warning is { } warning)
        {
            Context.Console.WriteInfo("warning: " + warning);
        }

        if (list)
        {
            return Task.FromResult(List(trust, Context.Configuration(parseResult), parseResult.GetValue(_json)));
        }

        var directory = path is null ? null : Path.GetFullPath(path, Context.Environment.CurrentDirectory);
        if (parseResult.GetValue(_revoke))
        {
            return Task.FromResult(Revoke(trust, parseResult, directory));
        }

        var configuration = ConfigurationFor(parseResult, directory);
        var before = PermissionPolicy.FromConfiguration(configuration, trust).Project!;
        if (trust.IsTrusted(before.Root))
        {
            Context.Console.WriteLine($"already trusted: {before.Root}");
            return Task.FromResult(ExitCodes.Success);
        }

        trust.Trust(before.Root);
        Context.Console.WriteLine($"trusted {before.Root} (recorded in {trust.FilePath})");
        if (before.ConfigFile is null)
        {
            Context.Console.WriteLine($"  it has no {ProjectLocator.AgentFolderName}/{ProjectLocator.ConfigFileName} yet; its permission settings will apply when it has one.");
        }
        else if (before.IgnoredAnything)
        {
            Context.Console.WriteLine($"  now applies from {before.ConfigFile}:");
            foreach (var rule in before.IgnoredAllowRules)
            {
                Context.Console.WriteLine($"    allow {rule.Text}  ({rule.Location})");
            }

            if (before.IgnoredMode is { } mode)
            {
                Context.Console.WriteLine($"    mode {mode}");
            }

            foreach (var extra in before.IgnoredExtraDirectories)
            {
                Context.Console.WriteLine($"    extra_dirs {extra}");
            }
        }

        return Task.FromResult(ExitCodes.Success);
    }

    private int Revoke(ProjectTrust trust, ParseResult parseResult, string? directory)
    {
        // A folder that no longer exists can still be removed from the list by the path it was trusted under.
        if (directory is not null && !Directory.Exists(directory))
        {
            if (trust.Revoke(directory))
            {
                Context.Console.WriteLine($"no longer trusted: {ProjectTrust.NormalizeRoot(directory)}");
                return ExitCodes.Success;
            }

            throw new AgentHostException(ErrorKind.NotFound, $"'{directory}' does not exist and is not in the trust list. See 'agent trust --list'.");
        }

        var configuration = ConfigurationFor(parseResult, directory);
        var root = ProjectTrust.NormalizeRoot(configuration.ProjectRoot);
        Context.Console.WriteLine(trust.Revoke(root) ? $"no longer trusted: {root}" : $"not in the trust list: {root}");
        if (PermissionPolicy.FromConfiguration(configuration, trust).Project is { Trusted: true, TrustedBy: { } by })
        {
            Context.Console.WriteLine($"  still trusted by {PermissionPolicy.TrustedProjectsKey} ({by}); remove it there.");
        }

        return ExitCodes.Success;
    }

    private int List(ProjectTrust trust, ConfigurationSnapshot configuration, bool json)
    {
        var rows = trust.List()
            .Select(project => (project.Path, TrustedAt: (DateTimeOffset?)project.TrustedAt, Source: trust.FilePath))
            .Concat(PermissionPolicy.ConfiguredTrustedProjects(configuration)
                .Select(entry => (Path: ProjectTrust.NormalizeRoot(entry.Value.Trim()), TrustedAt: (DateTimeOffset?)null, Source: $"{PermissionPolicy.TrustedProjectsKey} ({entry.Source})")))
            .ToList();
        if (json)
        {
            var items = rows.Select(row => new { path = row.Path, trusted_at = row.TrustedAt, source = row.Source });
            Context.Console.WriteDataLine(JsonSerializer.Serialize(items, JsonOptions));
            return ExitCodes.Success;
        }

        if (rows.Count == 0)
        {
            Context.Console.WriteLine("No project is trusted. Run 'agent trust' in a project to let its .agent/config.yaml widen permissions.");
            return ExitCodes.Success;
        }

        var width = rows.Max(row => row.Path.Length);
        foreach (var row in rows)
        {
            var when = row.TrustedAt is { } at
                ? "trusted " + at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"
                : row.Source;
            Context.Console.WriteLine($"{row.Path.PadRight(width)}  {when}");
        }

        return ExitCodes.Success;
    }

    /// <summary>The configuration as seen from a folder (the current one by default), with this run's -c flags.</summary>
    private ConfigurationSnapshot ConfigurationFor(ParseResult parseResult, string? directory)
    {
        if (directory is null)
        {
            return Context.Configuration(parseResult);
        }

        if (!Directory.Exists(directory))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"'{directory}' does not exist. Pass the folder of an existing project.");
        }

        return Context.ProjectRoots(parseResult).ResolveConfiguration(directory);
    }
}
