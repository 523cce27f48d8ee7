using System.Text.Json;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>
/// The assembly versions the host's dependency manifests record (<c>*.deps.json</c>: the application's and, for a
/// framework-dependent host, the frameworks'), read once per process: every runtime file's <c>assemblyVersion</c>, by
/// simple name. The host (hostpolicy) builds the process's trusted platform assemblies from the same files, so a
/// version found here is the version of the file the host loads by that name.
/// </summary>
/// <remarks>
/// This replaces reading each framework file's metadata (<see cref="System.Reflection.AssemblyName.GetAssemblyName"/>),
/// which loads System.Reflection.Metadata and maps the file, resident memory a run does not need
/// (docs/decisions/0020-session-opening-stage.md). A name missing here (a host started without a deps file, or a hand-edited one) is
/// read from its file as before.
/// </remarks>
internal static class DepsFileVersions
{
    private static readonly Lazy<Dictionary<string, Version>> FromHost = new(() => Read(HostDepsFiles()));

    /// <summary>The version the host's deps files record for <paramref name="simpleName"/>, or <see langword="null"/>.</summary>
    /// <param name="simpleName">The assembly's simple name.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    public static Version? Find(string simpleName) => FromHost.Value.GetValueOrDefault(simpleName);

    /// <summary>The deps files the host was started with (<c>APP_CONTEXT_DEPS_FILES</c>, which hostpolicy sets to a <c>;</c>-separated list on every OS).</summary>
    private static string[] HostDepsFiles() =>
        AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string files
            ? files.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    /// <summary>Every <c>"Name.dll": { "assemblyVersion": "…" }</c> entry of the files; the first file that names an assembly wins. An unreadable file is skipped.</summary>
    /// <param name="paths">The deps files.</param>
    /// <returns>Versions by simple name.</returns>
    internal static Dictionary<string, Version> Read(IEnumerable<string> paths)
    {
        var versions = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in paths)
        {
            try
            {
                ReadInto(File.ReadAllBytes(path), versions);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                // Not this file: the names it would have given are read from their assemblies instead.
            }
        }

        return versions;
    }

    private static void ReadInto(ReadOnlySpan<byte> json, Dictionary<string, Version> versions)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        string? file = null; // The ".dll" property whose object the reader is in.
        var fileDepth = -1;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.ValueTextEquals("assemblyVersion"u8) && file is not null && reader.CurrentDepth == fileDepth + 1:
                    if (reader.Read() && reader.TokenType == JsonTokenType.String && Version.TryParse(reader.GetString(), out var version))
                    {
                        versions.TryAdd(file, version);
                    }

                    break;
                case JsonTokenType.PropertyName:
                    var name = reader.GetString();
                    if (name is not null && name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                    {
                        file = Path.GetFileNameWithoutExtension(name);
                        fileDepth = reader.CurrentDepth;
                    }

                    break;
                case JsonTokenType.EndObject when reader.CurrentDepth == fileDepth:
                    file = null;
                    fileDepth = -1;
                    break;
            }
        }
    }
}
