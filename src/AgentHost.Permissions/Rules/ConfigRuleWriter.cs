using System.Globalization;
using System.Text;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Permissions.Rules;

/// <summary>The outcome of <see cref="ConfigRuleWriter.AddRule"/>.</summary>
/// <param name="Added">Whether the file changed; <see langword="false"/> when the list already held the rule.</param>
/// <param name="Path">The full path of the config file.</param>
/// <param name="Line">The 1-based line of the rule in the file.</param>
public sealed record AddRuleResult(bool Added, string Path, int Line);

/// <summary>
/// Adds a permission rule to <c>permissions.allow</c>, <c>ask</c> or <c>deny</c> of a YAML config file (the project's
/// <c>.agent/config.yaml</c> or the global <c>config.yaml</c>), e.g. when the user answers a prompt with "always".
/// </summary>
/// <remarks>
/// The rule is inserted as text: comments, key order, formatting, line endings (LF or CRLF) and a UTF-8 BOM are kept
/// byte for byte. The new text is re-parsed before it is written and must read back with every other value unchanged;
/// a file that cannot be edited safely (flow-style <c>permissions</c>, not a mapping, invalid YAML…) is left untouched
/// and an <see cref="AgentHostException"/> tells the user what to add by hand. The file is replaced atomically
/// (temp file in the same directory, then a move), keeping its Unix permissions; a symbolic link is followed.
/// Static and stateless, so thread-safe; concurrent writers to the same file are not serialized (the last one wins).
/// A <c>$</c> in the rule is written as <c>$$</c>, because config values expand <c>$VAR</c>.
/// </remarks>
public static class ConfigRuleWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Adds a rule to a list of the config file, creating the file and its directory when missing.</summary>
    /// <param name="configPath">The config file.</param>
    /// <param name="list">The list to add to.</param>
    /// <param name="rule">The rule, e.g. <c>shell(npm run test*)</c>; it must be valid (see <see cref="PermissionRuleParser"/>).</param>
    /// <returns>Whether the rule was added, the file and the rule's line.</returns>
    /// <exception cref="ArgumentException">The rule is not valid.</exception>
    /// <exception cref="AgentHostException">The file cannot be read, edited safely or written (<see cref="ErrorKind.Configuration"/>); it is unchanged.</exception>
    public static AddRuleResult AddRule(string configPath, RuleList list, string rule)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configPath);
        ArgumentNullException.ThrowIfNull(rule);
        if (!Enum.IsDefined(list))
        {
            throw new ArgumentOutOfRangeException(nameof(list), list, "Use RuleList.Allow, Ask or Deny.");
        }

        if (!PermissionRuleParser.TryParse(list, rule, out var parsed, out var error))
        {
            throw new ArgumentException($"'{rule}' is not a valid permission rule: {error}", nameof(rule));
        }

        var path = Path.GetFullPath(configPath);
        var stored = parsed!.Text.Replace("$", "$$", StringComparison.Ordinal);
        var edit = new Edit(path, parsed.ListName, stored, Quote(stored));
        var target = FinalTarget(path);
        var (text, bom) = Read(target, edit);
        var newline = DetectNewline(text);
        var plan = YamlRuleInsertion.Plan(text, edit.List, stored, edit.Quoted, newline);
        if (plan.Problem is { } problem)
        {
            throw edit.Failure(problem);
        }

        if (plan.ExistingLine is { } existing)
        {
            return new AddRuleResult(false, path, existing);
        }

        var line = Verify(text, plan.Text!, edit);
        Write(target, bom, plan.Text!, edit);
        return new AddRuleResult(true, path, line);
    }

    /// <summary>Quotes text as a YAML double-quoted scalar.</summary>
    internal static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => builder.Append(@"\\"),
                '"' => builder.Append("\\\""),
                '\t' => builder.Append(@"\t"),
                '\n' => builder.Append(@"\n"),
                '\r' => builder.Append(@"\r"),
                _ when char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }

    private static string FinalTarget(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.LinkTarget is null ? path : info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    private static (string Text, bool Bom) Read(string path, Edit edit)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path))
            {
                return (string.Empty, false);
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw edit.Failure($"it cannot be read ({ex.Message})", ex);
        }

        var bom = bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble);
        try
        {
            return (StrictUtf8.GetString(bytes.AsSpan(bom ? 3 : 0)), bom);
        }
        catch (DecoderFallbackException ex)
        {
            throw edit.Failure("it is not UTF-8 text", ex);
        }
    }

    private static string DetectNewline(string text)
    {
        var i = text.AsSpan().IndexOfAny('\r', '\n');
        return i < 0 || text[i] == '\n' ? "\n" : i + 1 < text.Length && text[i + 1] == '\n' ? "\r\n" : "\r";
    }

    /// <summary>Checks that the new text reads back with the rule appended and everything else unchanged; returns the rule's line.</summary>
    private static int Verify(string oldText, string newText, Edit edit)
    {
        YamlNode? before, after;
        try
        {
            before = Root(oldText);
            after = Root(newText);
        }
        catch (YamlException ex)
        {
            throw edit.Failure("the edited file would not be valid YAML", ex);
        }

        var oldPermissions = Child(before, "permissions");
        var newPermissions = Child(after, "permissions");
        var oldItems = Child(oldPermissions, edit.List) as YamlSequenceNode;
        var newItems = Child(newPermissions, edit.List) as YamlSequenceNode;
        var oldCount = oldItems?.Children.Count ?? 0;
        var loaded = YamlConfigLoader.Parse(oldText, edit.Path, ConfigLayer.Project);
        var reloaded = YamlConfigLoader.Parse(newText, edit.Path, ConfigLayer.Project);
        var key = string.Create(CultureInfo.InvariantCulture, $"permissions.{edit.List}.{oldCount}");
        var ok = after is YamlMappingNode
            && SameExcept(before, after, "permissions")
            && SameExcept(oldPermissions, newPermissions, edit.List)
            && newItems is not null
            && newItems.Children.Count == oldCount + 1
            && newItems.Children[^1] is YamlScalarNode { Value: var value } && value == edit.Stored
            && (oldItems is null || oldItems.Children.Zip(newItems.Children).All(pair => Same(pair.First, pair.Second, 0)))
            && reloaded.Problems.Count <= loaded.Problems.Count
            && reloaded.Entries.Any(entry => ConfigKeys.Comparer.Equals(entry.Key, key) && entry.Value == edit.Stored);
        return ok ? (int)newItems!.Children[^1].Start.Line : throw edit.Failure("the edited file would not read back with only the rule added");
    }

    private static YamlNode? Root(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null;
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping ? mapping.Children.FirstOrDefault(pair => IsKey(pair.Key, key)).Value : null;

    private static bool IsKey(YamlNode node, string key) =>
        node is YamlScalarNode { Value: { } name } && string.Equals(name.Trim(), key, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether two mappings (or absent/null values) hold the same entries, ignoring <paramref name="key"/>.</summary>
    private static bool SameExcept(YamlNode? before, YamlNode? after, string key)
    {
        static List<KeyValuePair<YamlNode, YamlNode>> Others(YamlNode? node, string key) =>
            node is YamlMappingNode mapping ? [.. mapping.Children.Where(pair => !IsKey(pair.Key, key))] : [];

        var (left, right) = (Others(before, key), Others(after, key));
        return left.Count == right.Count
            && left.Zip(right).All(pair => Same(pair.First.Key, pair.Second.Key, 0) && Same(pair.First.Value, pair.Second.Value, 0));
    }

    private static bool Same(YamlNode left, YamlNode right, int depth) => depth < 64 && (left, right) switch
    {
        (YamlScalarNode a, YamlScalarNode b) => a.Value == b.Value && a.Tag == b.Tag && a.Style == b.Style,
        (YamlSequenceNode a, YamlSequenceNode b) => a.Children.Count == b.Children.Count
            && a.Children.Zip(b.Children).All(pair => Same(pair.First, pair.Second, depth + 1)),
        (YamlMappingNode a, YamlMappingNode b) => a.Children.Count == b.Children.Count
            && a.Children.Zip(b.Children).All(pair => Same(pair.First.Key, pair.Second.Key, depth + 1) && Same(pair.First.Value, pair.Second.Value, depth + 1)),
        _ => false,
    };

    private static void Write(string path, bool bom, string text, Edit edit)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            byte[] bytes = [.. bom ? Encoding.UTF8.Preamble : [], .. StrictUtf8.GetBytes(text)];
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows() && File.Exists(path))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(path));
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or EncoderFallbackException)
        {
            TryDelete(temp);
            throw edit.Failure($"it cannot be written ({ex.Message})", ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The temp file stays behind; the config file itself is unchanged.
        }
    }

    /// <summary>What is being added where, for messages.</summary>
    private sealed record Edit(string Path, string List, string Stored, string Quoted)
    {
        public AgentHostException Failure(string reason, Exception? inner = null) => new(
            ErrorKind.Configuration,
            $"Cannot add the permission rule to {Path} automatically: {reason}. Add {Quoted} to permissions.{List} in {Path} by hand.",
            inner);
    }
}
