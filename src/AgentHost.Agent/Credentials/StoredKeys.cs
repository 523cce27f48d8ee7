using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Common.Processes;
using AgentHost.Hosting;

namespace AgentHost.Agent.Credentials;

/// <summary>Where a stored key is kept.</summary>
/// <param name="Provider">The provider name.</param>
/// <param name="Location">For messages: <c>the keychain (secret-tool)</c> or the credentials file's path.</param>
public sealed record StoredKeyLocation(string Provider, string Location);

/// <summary>
/// API keys stored by <c>agent auth login</c>: in the OS keychain where one is usable (macOS <c>security</c>, Linux
/// <c>secret-tool</c> with a session bus), else in <c>credentials.json</c> in the user config folder, readable by the
/// user only (0600). Never in <c>config.yaml</c>. <c>credentials.json</c> also records which providers have a key in the
/// keychain, so a run asks the keychain only for a provider that has one. <c>AGENT_KEY_STORE=file</c> forces the file.
/// </summary>
/// <remarks>Stateless; every call reads the file. Keys are never logged.</remarks>
public static partial class StoredKeys
{
    /// <summary>The credentials file's name in the user config folder.</summary>
    public const string FileName = "credentials.json";

    private const string Service = "agenthost";
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The credentials file of an environment.</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The path.</returns>
    public static string FilePath(HostEnvironment environment) => Path.Combine(AgentPaths.Resolve(environment).ConfigDirectory, FileName);

    /// <summary>Whether a provider name can be stored (lowercase letters, digits, <c>.</c>, <c>-</c>, <c>_</c>).</summary>
    /// <param name="provider">The name.</param>
    /// <returns>Whether it is valid.</returns>
    public static bool IsValidName(string provider) => ProviderName().IsMatch(provider);

    /// <summary>The stored key of a provider, or <see langword="null"/>.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The key.</returns>
    /// <exception cref="AgentHostException">The keychain holds no key although the file says it does.</exception>
    public static string? Find(string provider, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (Read(environment)?[provider] is not JsonObject entry)
        {
            return null;
        }

        if (entry["key"]?.GetValue<string>() is { Length: > 0 } key)
        {
            return key;
        }

        var keychain = entry["keychain"]?.GetValue<string>();
        var tool = keychain is null ? null : KeychainTool(environment, keychain);
        var found = tool is null ? null : RunTool(tool.Value.Path, LookupArguments(keychain!, provider), input: null, environment);
        return found is { ExitCode: 0 } && found.Output.Trim() is { Length: > 0 } text
            ? text
            : throw new AgentHostException(ErrorKind.Configuration, $"provider '{provider}': its key is recorded as stored in the keychain ({keychain}) but could not be read from it{(tool is null ? $" ({keychain} is not available here)" : string.Empty)}. Store it again with 'agent auth login {provider}'.");
    }

    /// <summary>Stores a key: in the keychain when usable (unless <c>AGENT_KEY_STORE=file</c>), else in the file.</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="key">The key.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>Where it went, and a note when the keychain was tried but failed.</returns>
    public static (StoredKeyLocation Where, string? Note) Store(string provider, string key, HostEnvironment environment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var entries = Read(environment) ?? [];
        string? note = null;
        if (PreferredKeychain(environment) is { } tool)
        {
            // The key goes to the tool on stdin, never on its command line (visible to other users in ps).
            var (arguments, input) = StoreCommand(tool.Name, provider, key);
            var result = input is null ? null : RunTool(tool.Path, arguments, input, environment);
            if (result is { ExitCode: 0 })
            {
                entries[provider] = new JsonObject { ["keychain"] = tool.Name };
                Write(environment, entries);
                return (new StoredKeyLocation(provider, $"the keychain ({tool.Name})"), null);
            }

            note = $"the keychain ({tool.Name}) did not take the key{(result is null ? " (it has characters the tool cannot be given safely)" : $" (exit {result.ExitCode})")}; it is stored in the file instead";
        }

        entries[provider] = new JsonObject { ["key"] = key };
        Write(environment, entries);
        return (new StoredKeyLocation(provider, FilePath(environment)), note);
    }

    /// <summary>Removes a provider's stored key (from the keychain too).</summary>
    /// <param name="provider">The provider name.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>Where it was, or <see langword="null"/> when none was stored.</returns>
    public static StoredKeyLocation? Remove(string provider, HostEnvironment environment)
    {
        var entries = Read(environment);
        if (entries?[provider] is not JsonObject entry)
        {
            return null;
        }

        var where = Describe(provider, entry, environment);
        if (entry["keychain"]?.GetValue<string>() is { } keychain && KeychainTool(environment, keychain) is { } tool)
        {
            RunTool(tool.Path, DeleteArguments(keychain, provider), input: null, environment);
        }

        entries.Remove(provider);
        Write(environment, entries);
        return where;
    }

    /// <summary>The providers with a stored key and where each is (never the key).</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The locations, by provider name.</returns>
    public static IReadOnlyList<StoredKeyLocation> List(HostEnvironment environment) =>
        Read(environment) is { } entries
            ? [.. entries.Where(e => e.Value is JsonObject).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => Describe(e.Key, (JsonObject)e.Value!, environment))]
            : [];

    private static StoredKeyLocation Describe(string provider, JsonObject entry, HostEnvironment environment) =>
        entry["keychain"]?.GetValue<string>() is { } keychain
            ? new StoredKeyLocation(provider, $"the keychain ({keychain})")
            : new StoredKeyLocation(provider, FilePath(environment));

    private static JsonObject? Read(HostEnvironment environment)
    {
        var path = FilePath(environment);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path))?["providers"] as JsonObject;
        }
        catch (JsonException ex)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{path} is not valid JSON ({ex.Message}). Delete it and store the keys again with 'agent auth login <provider>'.", ex);
        }
    }

    private static void Write(HostEnvironment environment, JsonObject entries)
    {
        var path = FilePath(environment);
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var text = new JsonObject { ["providers"] = entries.DeepClone() }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        if (!OperatingSystem.IsWindows())
        {
            // A leftover temp file from another umask keeps its mode; make sure it is the user's only.
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The keychain to store new keys in, when one is usable here.</summary>
    private static (string Name, string Path)? PreferredKeychain(HostEnvironment environment)
    {
        if (string.Equals(environment.Get("AGENT_KEY_STORE"), "file", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return environment.Platform == OSPlatform.OSX ? KeychainTool(environment, "security")
            : environment.Platform == OSPlatform.Linux ? KeychainTool(environment, "secret-tool")
            : null;
    }

    private static (string Name, string Path)? KeychainTool(HostEnvironment environment, string name)
    {
        // secret-tool talks to the Secret Service over the session bus; without one it cannot work.
        if (name == "secret-tool" && environment.Get("DBUS_SESSION_BUS_ADDRESS") is null)
        {
            return null;
        }

        return name is "secret-tool" or "security" && ExecutableLocator.Find(name, environment) is { } path ? (name, path) : null;
    }

    private static (string[] Arguments, string? Input) StoreCommand(string tool, string provider, string key) => tool switch
    {
        "secret-tool" => (["store", "--label", $"agent: {provider} API key", "service", Service, "provider", provider], key),

        // 'security -i' reads commands from stdin, which keeps the key off the command line; it cannot quote every character.
        _ => key.Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '\'')
            ? ([], null)
            : (["-i"], $"add-generic-password -U -s {Service} -a {provider} -w \"{key}\"\n"),
    };

    private static string[] LookupArguments(string tool, string provider) => tool == "secret-tool"
        ? ["lookup", "service", Service, "provider", provider]
        : ["find-generic-password", "-s", Service, "-a", provider, "-w"];

    private static string[] DeleteArguments(string tool, string provider) => tool == "secret-tool"
        ? ["clear", "service", Service, "provider", provider]
        : ["delete-generic-password", "-s", Service, "-a", provider];

    private static ProcessOutput? RunTool(string path, string[] arguments, string? input, HostEnvironment environment)
    {
        var spec = new ProcessSpec(path, arguments) { WorkingDirectory = environment.CurrentDirectory, Purpose = "the keychain tool for stored API keys" };
        try
        {
            return ProcessLauncher.Run(spec, ToolTimeout, input, maxOutputCharacters: 64_000);
        }
        catch (ProgramStartException)
        {
            return null;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex ProviderName();
}
