using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.GitTools;

/// <summary>
/// The git plugin loaded from the bundled catalog, and a real repository in a temp folder ("ws", the project root).
/// git never reads the machine's system or global configuration here, and commits get a fixed identity.
/// </summary>
public sealed class GitPluginFixture : IAsyncDisposable
{
    static GitPluginFixture()
    {
        // Process-wide, once: the plugin's git inherits this process's environment, and no test must depend on the
        // machine's ~/.gitconfig (hooksPath, gpgsign, autocrlf…). A missing global file is read as empty.
        Environment.SetEnvironmentVariable("GIT_CONFIG_NOSYSTEM", "1");
        Environment.SetEnvironmentVariable("GIT_CONFIG_GLOBAL", Path.Combine(Path.GetTempPath(), "agenthost-tests", "no-global-gitconfig"));
        Environment.SetEnvironmentVariable("GIT_AUTHOR_NAME", "Test Author");
        Environment.SetEnvironmentVariable("GIT_AUTHOR_EMAIL", "author@example.com");
        Environment.SetEnvironmentVariable("GIT_COMMITTER_NAME", "Test Committer");
        Environment.SetEnvironmentVariable("GIT_COMMITTER_EMAIL", "committer@example.com");
    }

    private GitPluginFixture(PluginHarness harness, TempDirectory temp)
    {
        Harness = harness;
        Temp = temp;
    }

    public PluginHarness Harness { get; }

    public TempDirectory Temp { get; }

    public string Root => Temp.Combine("ws");

    /// <summary>Loads the plugin and creates "ws" (a repository on branch main unless <paramref name="init"/> is false).</summary>
    public static Task<GitPluginFixture> LoadAsync(bool init = true, params (string Key, string Value)[] settings) =>
        LoadAsync(init, _ => settings);

    /// <summary>Loads the plugin with settings that may name paths inside the project root (passed to <paramref name="settings"/>).</summary>
    public static async Task<GitPluginFixture> LoadAsync(bool init, Func<string, (string Key, string Value)[]> settings)
    {
        var fixture = await TryLoadAsync(settings);
        Assert.True(fixture.Result.Status == PluginLoadStatus.Loaded, fixture.Result.Error);
        if (init)
        {
            fixture.Fixture.Git("init", "-q", "-b", "main");
            fixture.Fixture.Git("config", "core.autocrlf", "false");
        }

        return fixture.Fixture;
    }

    public static Task<(GitPluginFixture Fixture, PluginLoadResult Result)> TryLoadAsync(params (string Key, string Value)[] settings) =>
        TryLoadAsync(_ => settings);

    private static async Task<(GitPluginFixture Fixture, PluginLoadResult Result)> TryLoadAsync(Func<string, (string Key, string Value)[]> settings)
    {
        var harness = new PluginHarness();
        var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("ws"));
        var result = await harness.LoadAsync(Catalog.PathOf("git"), settings(temp.Combine("ws")).ToDictionary(s => s.Key, s => s.Value));
        return (new GitPluginFixture(harness, temp), result);
    }

    /// <summary>A paths argument (a list: the function converts it to its array parameter like JSON from the host).</summary>
    public static List<string> Paths(params string[] paths) => [.. paths];

    public ToolCapability Tool(string name) => (ToolCapability)Harness.Registry.Find(CapabilityKind.Tool, name)!.Capability;

    public AIFunctionArguments Arguments(IEnumerable<(string Key, object? Value)> args, string? model = null)
    {
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = Root } };
        if (model is not null)
        {
            arguments.Context[ToolContext.ModelIdKey] = model;
        }

        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        return arguments;
    }

    public Task<string> InvokeAsync(string tool, params (string Key, object? Value)[] args) => InvokeAsync(tool, default, args);

    public async Task<string> InvokeAsync(string tool, CancellationToken cancellationToken, params (string Key, object? Value)[] args)
    {
        var result = await Tool(tool).Function.InvokeAsync(Arguments(args), cancellationToken);
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    /// <summary>Invokes a tool that must fail, and returns the failure's message (what the model reads).</summary>
    public async Task<string> FailAsync(string tool, params (string Key, object? Value)[] args)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InvokeAsync(tool, args));
        while (error is TargetInvocationException or AggregateException && error.InnerException is not null)
        {
            error = error.InnerException;
        }

        Assert.Equal("ToolException", error.GetType().Name);
        return error.Message;
    }

    /// <summary>The call's description as the pipeline makes it: the asynchronous describer when the tool has one.</summary>
    public async Task<ToolCallDescription> DescribeAsync(string tool, string? model = null, params (string Key, object? Value)[] args)
    {
        var metadata = Tool(tool).Metadata;
        return metadata.DescribeCallAsync is { } describe
            ? await describe(Arguments(args, model), CancellationToken.None)
            : metadata.DescribeCall!(Arguments(args, model));
    }

    public string Write(string relativePath, string content)
    {
        var full = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, new UTF8Encoding(false));
        return full;
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    /// <summary>Writes, stages and commits one file; returns the new commit's id.</summary>
    public string Commit(string relativePath, string content, string message)
    {
        Write(relativePath, content);
        Git("add", "--", relativePath);
        Git("commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    /// <summary>Installs a hook script (sh) in the repository.</summary>
    public string Hook(string name, string body)
    {
        var path = Path.Combine(Root, ".git", "hooks", name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>Runs the real git in "ws" (or <paramref name="directory"/>) and returns its output; fails the test when git fails.</summary>
    public string Git(params string[] args) => GitIn(Root, args);

    public static string GitIn(string directory, params string[] args)
    {
        var (code, output, error) = RunGit(directory, args);
        Assert.True(code == 0, $"git {string.Join(' ', args)} failed ({code}): {error}");
        return output;
    }

    public static (int Code, string Output, string Error) RunGit(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var arg in (string[])["-c", "core.quotepath=off", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public async ValueTask DisposeAsync()
    {
        await Harness.DisposeAsync();
        Temp.Dispose();
    }
}
