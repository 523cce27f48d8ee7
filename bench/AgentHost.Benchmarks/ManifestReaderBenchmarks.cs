using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using BenchmarkDotNet.Attributes;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="ManifestReader.Read"/> of a typical plugin.yaml (identity, entry, uses, skills, one LSP server),
/// against the bare YAML parse of the same text: the ratio is the cost of validation and model building.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ManifestReaderBenchmarks
{
    internal const string TypicalManifest = """
        id: acme.yaml-tools
        version: 1.4.2
        description: YAML language support, a schema tool and a skill folder.
        authors: [Acme Tools Team, Jane Doe]
        license: MIT
        homepage: https://example.invalid/acme/yaml-tools
        tags: [yaml, lsp, schemas]
        sdk: "^1.0"
        entry:
          assembly: Acme.YamlTools.dll
          type: Acme.YamlTools.YamlToolsPlugin
        uses: [files, processes]
        skills: [skills]
        lsp:
          - name: yaml
            command: yaml-language-server
            args: [--stdio]
            extensions: [.yaml, .yml]
            root_markers: [.git]
            start_timeout: 20
        """;

    private readonly string _path = Path.Combine(Path.GetTempPath(), "acme.yaml-tools", "plugin.yaml");

    [GlobalSetup]
    public void Setup()
    {
        // Fail fast (not with a misleading number) if the manifest stops being valid.
        var manifest = ManifestReader.Read(_path, TypicalManifest);
        if (manifest.Id != "acme.yaml-tools" || manifest.LspServers.Count != 1)
        {
            throw new InvalidOperationException("the typical manifest did not parse as expected");
        }
    }

    [Benchmark(Baseline = true, Description = "YamlStream.Load (parse only)")]
    public YamlStream YamlParseOnly()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(TypicalManifest));
        return stream;
    }

    [Benchmark(Description = "ManifestReader.Read")]
    public PluginManifest Read() => ManifestReader.Read(_path, TypicalManifest);
}
