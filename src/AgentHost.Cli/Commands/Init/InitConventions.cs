using System.Text.RegularExpressions;

namespace AgentHost.Cli.Commands.Init;

/// <summary>Conventions <c>agent init</c> can infer from configuration files (editorconfig, MSBuild properties, SDK pins, linters).</summary>
internal static partial class InitConventions
{
    public static IReadOnlyList<string> Find(string root, IReadOnlyList<string> files)
    {
        var top = files.Where(f => !f.Contains('/', StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var conventions = new List<string>();
        if (top.Contains(".editorconfig"))
        {
            conventions.Add(EditorConfig(Read(root, ".editorconfig")));
        }

        var msbuild = files.Where(f => f == "Directory.Build.props")
            .Concat(files.Where(f => f.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)).Take(50))
            .Select(f => (File: f, Text: Read(root, f) ?? string.Empty))
            .ToList();
        if (msbuild.FirstOrDefault(m => Property(m.Text, "Nullable", "enable")) is { File: not null } nullable)
        {
            conventions.Add($"C# nullable reference types are enabled (`<Nullable>enable</Nullable>` in {nullable.File}): annotate nullability rather than silencing warnings with `!`.");
        }

        if (msbuild.FirstOrDefault(m => Property(m.Text, "TreatWarningsAsErrors", "true")) is { File: not null } warnings)
        {
            conventions.Add($"Compiler warnings are errors (`<TreatWarningsAsErrors>true</TreatWarningsAsErrors>` in {warnings.File}): the build must stay warning-free.");
        }

        if (top.Contains("Directory.Packages.props"))
        {
            conventions.Add("NuGet versions are managed centrally in Directory.Packages.props: add a `<PackageVersion>` there and a `<PackageReference>` without a version in the project.");
        }

        if (top.Contains("global.json") && SdkVersion().Match(Read(root, "global.json") ?? string.Empty) is { Success: true } sdk)
        {
            conventions.Add($"The .NET SDK is pinned by global.json (version {sdk.Groups[1].Value}).");
        }

        if (top.Contains("tsconfig.json") && StrictMode().IsMatch(Read(root, "tsconfig.json") ?? string.Empty))
        {
            conventions.Add("TypeScript strict mode is on (tsconfig.json).");
        }

        var linters = new (string[] Names, string Text)[]
        {
            ([".eslintrc", ".eslintrc.js", ".eslintrc.cjs", ".eslintrc.json", ".eslintrc.yml", "eslint.config.js", "eslint.config.mjs", "eslint.config.ts"], "ESLint"),
            ([".prettierrc", ".prettierrc.json", ".prettierrc.yml", ".prettierrc.js", "prettier.config.js"], "Prettier"),
            (["rustfmt.toml", ".rustfmt.toml"], "rustfmt"),
            ([".golangci.yml", ".golangci.yaml"], "golangci-lint"),
            ([".pre-commit-config.yaml"], "pre-commit hooks"),
        };
        foreach (var (names, text) in linters)
        {
            if (names.FirstOrDefault(top.Contains) is { } file)
            {
                conventions.Add($"{text} is configured ({file}); keep changes consistent with it.");
            }
        }

        return conventions;
    }

    /// <summary>The <c>[*]</c> section's settings of an editorconfig, as one line.</summary>
    private static string EditorConfig(string? text)
    {
        var settings = new List<string>();
        var inAll = false;
        foreach (var raw in (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('['))
            {
                inAll = line == "[*]";
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (inAll && equals > 0 && !line.StartsWith('#') && !line.StartsWith(';'))
            {
                settings.Add($"{line[..equals].Trim()} = {line[(equals + 1)..].Trim()}");
            }
        }

        return settings.Count == 0
            ? "Formatting follows .editorconfig."
            : $"Formatting follows .editorconfig ({string.Join(", ", settings.Take(8))}).";
    }

    private static bool Property(string text, string name, string value) =>
        Regex.IsMatch(text, $@"<{name}>\s*{value}\s*</{name}>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static string? Read(string root, string relative)
    {
        try
        {
            var path = Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
            return new FileInfo(path).Length > 1024 * 1024 ? null : File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex("\"version\"\\s*:\\s*\"([^\"]+)\"")]
    private static partial Regex SdkVersion();

    [GeneratedRegex("\"strict\"\\s*:\\s*true")]
    private static partial Regex StrictMode();
}
