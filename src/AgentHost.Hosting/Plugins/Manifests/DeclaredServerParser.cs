using AgentHost.Sdk.Capabilities;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>Parses the declarative <c>lsp:</c> and <c>mcp:</c> sections of a manifest into SDK capabilities.</summary>
internal static class DeclaredServerParser
{
    public static List<LspServerCapability> ParseLsp(YamlMappingNode root, ParseContext ctx)
    {
        var result = new List<LspServerCapability>();
        foreach (var (map, prefix) in Entries(root, "lsp", ctx))
        {
            var name = ctx.RequiredScalar(map, "name", "name the server, e.g. name: yaml", prefix);
            var command = ctx.RequiredScalar(map, "command", "give the executable, e.g. command: yaml-language-server", prefix);
            var extensions = ctx.StringList(map, "extensions", prefix);
            foreach (var ext in extensions.Where(e => !e.StartsWith('.')))
            {
                ctx.Error(map.Children[new YamlScalarNode("extensions")], prefix + "extensions", $"'{ext}' must start with a dot, e.g. '.{ext}'");
            }

            if (name is null || command is null || !ValidName(map, name, prefix, ctx))
            {
                continue;
            }

            result.Add(new LspServerCapability(name, command)
            {
                Description = ctx.OptionalScalar(map, "description", prefix),
                Args = ctx.StringList(map, "args", prefix),
                Environment = ctx.StringMap(map, "env", prefix),
                FileExtensions = extensions,
                LanguageIds = ctx.StringMap(map, "language_ids", prefix),
                RootMarkers = ctx.StringList(map, "root_markers", prefix),
                InitializationOptionsJson = ManifestReader.ToJson(Child(map, "initialization_options")),
                SettingsJson = ManifestReader.ToJson(Child(map, "settings")),
                StartTimeout = ctx.Seconds(map, "start_timeout", prefix) ?? TimeSpan.FromSeconds(30),
                ShutdownTimeout = ctx.Seconds(map, "shutdown_timeout", prefix) ?? TimeSpan.FromSeconds(5),
                InstallHint = ctx.OptionalScalar(map, "install", prefix),
                Restart = ParseRestart(map, prefix, ctx),
                MaxRestarts = MaxRestarts(map, prefix, ctx),
            });
        }

        return result;
    }

    public static List<McpServerCapability> ParseMcp(YamlMappingNode root, ParseContext ctx)
    {
        var result = new List<McpServerCapability>();
        foreach (var (map, prefix) in Entries(root, "mcp", ctx))
        {
            var name = ctx.RequiredScalar(map, "name", "name the server, e.g. name: filesystem", prefix);
            var command = ctx.OptionalScalar(map, "command", prefix);
            var url = ctx.OptionalScalar(map, "url", prefix);
            if (name is null || !ValidName(map, name, prefix, ctx))
            {
                continue;
            }

            if ((command is null) == (url is null))
            {
                ctx.Error(map, prefix.TrimEnd('.'), "give exactly one of 'command' (stdio server) or 'url' (HTTP server)");
                continue;
            }

            Uri? uri = null;
            if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
            {
                ctx.Error(map.Children[new YamlScalarNode("url")], prefix + "url", $"'{url}' must be an absolute http(s) URL");
                continue;
            }

            result.Add(new McpServerCapability(name, command is null ? McpTransport.Http : McpTransport.Stdio)
            {
                Description = ctx.OptionalScalar(map, "description", prefix),
                Command = command,
                Args = ctx.StringList(map, "args", prefix),
                Environment = ctx.StringMap(map, "env", prefix),
                Url = uri,
                Headers = ctx.StringMap(map, "headers", prefix),
            });
        }

        return result;
    }

    private static LspRestartPolicy ParseRestart(YamlMappingNode map, string prefix, ParseContext ctx)
    {
        switch (ctx.OptionalScalar(map, "restart", prefix))
        {
            case null or "on-crash":
                return LspRestartPolicy.OnCrash;
            case "never":
                return LspRestartPolicy.Never;
            case var other:
                ctx.Error(map.Children[new YamlScalarNode("restart")], prefix + "restart", $"'{other}' is not a restart policy; use 'on-crash' (the default) or 'never'");
                return LspRestartPolicy.OnCrash;
        }
    }

    private static int MaxRestarts(YamlMappingNode map, string prefix, ParseContext ctx)
    {
        var text = ctx.OptionalScalar(map, "max_restarts", prefix);
        if (text is null)
        {
            return 3;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) && count <= 100)
        {
            return count;
        }

        ctx.Error(map.Children[new YamlScalarNode("max_restarts")], prefix + "max_restarts", $"'{text}' must be a whole number from 0 to 100");
        return 3;
    }

    private static bool ValidName(YamlMappingNode map, string name, string prefix, ParseContext ctx)
    {
        if (Capability.IsValidName(name))
        {
            return true;
        }

        ctx.Error(map.Children[new YamlScalarNode("name")], prefix + "name", $"'{name}' may contain only letters, digits, '_', '-' and '.'");
        return false;
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static IEnumerable<(YamlMappingNode Map, string Prefix)> Entries(YamlMappingNode root, string key, ParseContext ctx)
    {
        if (Child(root, key) is not { } node)
        {
            yield break;
        }

        if (node is not YamlSequenceNode sequence)
        {
            ctx.Error(node, key, "must be a list of server definitions ('- name: …')");
            yield break;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is YamlMappingNode map)
            {
                yield return (map, $"{key}[{i}].");
            }
            else
            {
                ctx.Error(sequence.Children[i], $"{key}[{i}]", "must be a mapping with 'name' and 'command'");
            }
        }
    }
}
