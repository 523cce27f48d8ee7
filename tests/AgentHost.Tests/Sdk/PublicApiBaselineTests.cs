using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sdk;

/// <summary>
/// The SDK's public surface is declared in <c>PublicAPI.Shipped.txt</c>/<c>PublicAPI.Unshipped.txt</c>: removing or adding a
/// public member without declaring it fails the build. Proved on a copy of the SDK project built the way the repository builds it.
/// </summary>
public sealed partial class PublicApiBaselineTests
{
    [Fact]
    public void TheBaseline_DeclaresNullability_AndNothingIsUnshippedInTheFirstRelease()
    {
        var sdk = Path.Combine(RepositoryRoot(), "src", "AgentHost.Sdk");

        var shipped = File.ReadAllLines(Path.Combine(sdk, "PublicAPI.Shipped.txt"));
        var unshipped = File.ReadAllLines(Path.Combine(sdk, "PublicAPI.Unshipped.txt"));

        Assert.Equal("#nullable enable", shipped[0]);
        Assert.Equal(["#nullable enable"], unshipped.Where(l => l.Length > 0));
        Assert.Contains("AgentHost.Sdk.Tools.AgentToolAttribute", shipped);
        Assert.Contains("static AgentHost.Sdk.Tools.ToolResult.Failure(string! message) -> AgentHost.Sdk.Tools.ToolResult!", shipped);
    }

    [Fact]
    [Trait("Speed", "Slow")]
    public async Task RemovingAPublicMember_FailsWithRS0017_AddingAnUndeclaredOne_RS0016_AndANullabilityChange_Both_NamingEach()
    {
        using var temp = new TempDirectory();
        var project = CopySdkProject(temp.Path);
        var sdkInfo = Path.Combine(project, "SdkInfo.cs");
        var source = File.ReadAllText(sdkInfo);
        const string Removed = "    public static Version Version { get; } = new(VersionText);";
        Assert.Contains(Removed, source, StringComparison.Ordinal);
        source = source.Replace(Removed, "    /// <summary>Added without declaring it.</summary>\n    public static string Codename() => \"unnamed\";", StringComparison.Ordinal);
        File.WriteAllText(sdkInfo, source);
        var toolResult = Path.Combine(project, "Tools", "ToolResult.cs");
        File.WriteAllText(toolResult, File.ReadAllText(toolResult).Replace("public static ToolResult Failure(string message)", "public static ToolResult Failure(string? message)", StringComparison.Ordinal));

        var (exitCode, output) = await BuildAsync(Path.Combine(project, "AgentHost.Sdk.csproj"));

        Assert.NotEqual(0, exitCode);
        Assert.Matches(@"error RS0017: Symbol 'static AgentHost\.Sdk\.SdkInfo\.Version\.get -> System\.Version!' is part of the declared API", output);
        Assert.Matches(@"error RS0016: Symbol 'static AgentHost\.Sdk\.SdkInfo\.Codename\(\) -> string!' is not part of the declared public API", output);
        Assert.Contains("error RS0017: Symbol 'static AgentHost.Sdk.Tools.ToolResult.Failure(string! message) -> AgentHost.Sdk.Tools.ToolResult!'", output, StringComparison.Ordinal);
        Assert.Contains("error RS0016: Symbol 'static AgentHost.Sdk.Tools.ToolResult.Failure(string? message) -> AgentHost.Sdk.Tools.ToolResult!'", output, StringComparison.Ordinal);
        Assert.Equal(["RS0016", "RS0017"], ErrorCode().Matches(output).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
    }

    /// <summary>Copies the SDK project and the repository's build settings (props, central versions, pinned SDK, banned symbols) into <paramref name="root"/>.</summary>
    private static string CopySdkProject(string root)
    {
        var repository = RepositoryRoot();
        Directory.CreateDirectory(Path.Combine(root, "eng"));
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", "eng/BannedSymbols.txt" })
        {
            File.Copy(Path.Combine(repository, file), Path.Combine(root, file));
        }

        var source = Path.Combine(repository, "src", "AgentHost.Sdk");
        var target = Path.Combine(root, "src", "AgentHost.Sdk");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj")
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(target, relative))!);
            File.Copy(file, Path.Combine(target, relative));
        }

        return target;
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(project)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "build", project, "--disable-build-servers", "-nologo", "-p:UseSharedCompilation=false" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet build of the SDK copy did not finish within 5 minutes");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Host.sln) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"error ([A-Z]+[0-9]+):")]
    private static partial Regex ErrorCode();
}
