using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Plugins.Settings;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Hosting.Tests.Plugins;

public sealed class ManifestReaderTests
{
    private const string File = "/plugins/acme/plugin.yaml";

    [Fact]
    public void Read_FullManifest_MapsEveryField()
    {
        var manifest = ManifestReader.Read(File, """
            id: acme.jira-tools
            version: 1.4.0-beta.2
            description: Jira tools.
            authors: [Ann, Bob]
            license: MIT
            sdk: ">=1.0 <2.0"
            entry:
              assembly: lib/Acme.dll
              type: Acme.Plugin
            uses: [network, processes]
            skills: [skills, more-skills/]
            hooks: hooks/hooks.json
            commands: [commands/]
            lsp:
              - name: tf
                command: terraform-ls
                args: [serve]
                extensions: [.tf]
                language_ids: { .tf: terraform }
                root_markers: [.terraform]
                initialization_options: { a: { b: 1 } }
                start_timeout: 2.5
                install: brew install terraform-ls
            mcp:
              - name: jira
                command: npx
                args: [-y, jira-mcp]
                env: { TOKEN: x }
              - name: remote
                url: https://mcp.example.com/mcp
                headers: { X-Team: core }
            """);

        Assert.Equal("acme.jira-tools", manifest.Id);
        Assert.Equal("1.4.0-beta.2", manifest.Version.ToNormalizedString());
        Assert.Equal(["Ann", "Bob"], manifest.Authors);
        Assert.True(manifest.Sdk.Contains(new Version(1, 9, 0)));
        Assert.False(manifest.Sdk.Contains(new Version(2, 0, 0)));
        Assert.Equal("lib/Acme.dll", manifest.EntryAssembly);
        Assert.Equal("Acme.Plugin", manifest.EntryType);
        Assert.Equal([HostCapability.Network, HostCapability.Processes], manifest.Uses);
        Assert.Equal(["skills", "more-skills"], manifest.SkillDirectories);
        Assert.Equal(["hooks/hooks.json"], manifest.HookFiles);
        Assert.Equal(["commands"], manifest.CommandDirectories);
        Assert.Equal(PluginFormat.AgentHost, manifest.Format);
        Assert.Empty(manifest.NotMapped);
        var lsp = Assert.Single(manifest.LspServers);
        Assert.Equal(["serve"], lsp.Args);
        Assert.Equal("terraform", lsp.LanguageIds[".tf"]);
        Assert.Equal("{\"a\":{\"b\":\"1\"}}", lsp.InitializationOptionsJson);
        Assert.Equal(TimeSpan.FromSeconds(2.5), lsp.StartTimeout);
        Assert.Equal(McpTransport.Stdio, manifest.McpServers[0].Transport);
        Assert.Equal("x", manifest.McpServers[0].Environment["TOKEN"]);
        Assert.Equal(new Uri("https://mcp.example.com/mcp"), manifest.McpServers[1].Url);
    }

    [Theory]
    [InlineData("id: Acme Tools\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\n", "plugin.yaml:1:5: field 'id': 'Acme Tools' is not a valid plugin id")]
    [InlineData("id: acme\nversion: one\ndescription: d\nsdk: ^1.0\n", "plugin.yaml:2:10: field 'version': 'one' is not a semantic version")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: around 1\n", "plugin.yaml:4:6: field 'sdk': 'around' is not a version constraint")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\n", "field 'sdk': is required; add the SDK range")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nentry: ../evil.dll\n", "plugin.yaml:5:8: field 'entry': '../evil.dll' must be a relative path inside the plugin folder")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nuses: [teleport]\n", "plugin.yaml:5:8: field 'uses': 'teleport' is not a host capability; use processes, network or files")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nlicence: MIT\n", "plugin.yaml:5:1: field 'licence': unknown field")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nmcp:\n  - name: both\n    command: x\n    url: http://127.0.0.1/\n", "field 'mcp[0]': give exactly one of 'command' (stdio server) or 'url' (HTTP server)")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nlsp:\n  - name: tf\n    command: t\n    extensions: [tf]\n", "plugin.yaml:8:17: field 'lsp[0].extensions': 'tf' must start with a dot")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nhooks: /etc/hooks.json\n", "plugin.yaml:5:8: field 'hooks': '/etc/hooks.json' must be a relative file inside the plugin")]
    [InlineData("id: acme\n  version: 1.0.0\n", "plugin.yaml:2:10: invalid YAML")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nsettings:\n  url: { type: uri }\n", "plugin.yaml:6:16: field 'settings.url.type': 'uri' is not a setting type; write one of string, integer, number, boolean, list, map")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nsettings:\n  n: { type: integer, values: [a] }\n", "field 'settings.n.values': only a string setting has allowed values")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nsettings:\n  n: { type: integer, min: 5, max: 1 }\n", "field 'settings.n': min (5) is greater than max (1)")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nsettings:\n  n: { type: string, default: x }\n", "field 'settings.n': unknown field 'default'")]
    [InlineData("id: acme\nversion: 1.0.0\ndescription: d\nsdk: ^1.0\nsettings: [a]\n", "field 'settings': must be a mapping of setting names")]
    public void Read_InvalidManifest_NamesFileLineAndField(string yaml, string expected)
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.Read(File, yaml));

        Assert.Equal(ErrorKind.Plugin, error.Kind);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(File, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("activation: eager\n", false)]
    [InlineData("activation: lazy\n", true)]
    public void Read_Activation_IsEagerUnlessTheManifestAsksForLazy(string line, bool lazy)
    {
        var manifest = ManifestReader.Read(File, "id: acme\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\nentry: Acme.dll\n" + line);

        Assert.Equal(lazy, manifest.LazyActivation);
    }

    [Fact]
    public void Read_Settings_DeclaresEachSettingsTypeAndLimits_AndNoneWhenAbsent()
    {
        var manifest = ManifestReader.Read(File, "id: acme\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\nsettings:\n  url: string\n  mode: { type: string, values: [fast, safe], description: How. }\n  timeout_ms: { type: integer, min: 1, max: 60000 }\n  projects: { type: list }\n");
        var none = ManifestReader.Read(File, "id: acme\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\n");

        Assert.Null(none.Settings);
        var settings = Assert.IsAssignableFrom<IReadOnlyDictionary<string, PluginSettingDeclaration>>(manifest.Settings);
        Assert.Equal(["mode", "projects", "timeout_ms", "url"], settings.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(PluginSettingType.Text, settings["url"].Type);
        Assert.Equal(["fast", "safe"], settings["mode"].Values);
        Assert.Equal("How.", settings["mode"].Description);
        Assert.Equal((1d, 60000d), (settings["timeout_ms"].Minimum!.Value, settings["timeout_ms"].Maximum!.Value));
        Assert.Equal(PluginSettingType.List, settings["projects"].Type);
    }

    [Fact]
    public void Read_UnknownActivation_IsAnError()
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.Read(File, "id: acme\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\nactivation: later\n"));

        Assert.Contains("field 'activation': 'later' is not an activation; write eager (the default) or lazy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ReportsEveryProblemAtOnce()
    {
        var error = Assert.Throws<AgentHostException>(() => ManifestReader.Read(File, "id: BAD\nversion: x\n"));

        Assert.Contains("field 'id'", error.Message, StringComparison.Ordinal);
        Assert.Contains("field 'version'", error.Message, StringComparison.Ordinal);
        Assert.Contains("field 'description': is required", error.Message, StringComparison.Ordinal);
        Assert.Contains("field 'sdk': is required", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("^1.0", "1.0.0", true)]
    [InlineData("^1.2", "1.1.9", false)]
    [InlineData("^1.2", "2.0.0", false)]
    [InlineData("~1.2", "1.2.9", true)]
    [InlineData("~1.2", "1.3.0", false)]
    [InlineData("1.x", "1.99.0", true)]
    [InlineData("1.x", "2.0.0", false)]
    [InlineData(">=1.0 <2.0", "1.5.0", true)]
    [InlineData(">1.0", "1.0.0", false)]
    [InlineData("<=1.5", "1.5.0", true)]
    [InlineData("=1.0.0", "1.0.1", false)]
    [InlineData("1.0.0", "1.0.0", true)]
    public void SdkRange_Contains(string range, string version, bool expected)
    {
        Assert.True(SdkRange.TryParse(range, out var parsed, out var error), error);
        Assert.Equal(expected, parsed!.Contains(Version.Parse(version)));
    }
}
