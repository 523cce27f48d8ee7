using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Common.Processes;

/// <summary>
/// The Seatbelt (SBPL) profile <see cref="SandboxExec"/> runs a program with: the same layout bubblewrap mounts
/// (<see cref="BubblewrapMounts"/>), written as rules. In a Seatbelt profile the last rule that matches an operation
/// decides, so the rules go from the general to the particular: everything allowed, every write denied, a few devices
/// allowed; then one rule per place, shallowest first, so that the deepest place decides as it does with bubblewrap's
/// mounts — a writable folder (read and write allowed), a read-only place (read allowed, write denied), a place kept
/// absent (write denied: Seatbelt refuses to make a path that does not exist, which no mount can), a hidden place (read
/// and write denied). A place re-allowed inside a hidden folder (the session's root under a hidden root or data
/// folder, installed plugins) also gets its folders' metadata, as bubblewrap makes them in the empty folder, so that
/// <c>realpath</c> and <c>getcwd</c> work. Last, the folders holding a kept or hidden place inside a writable folder
/// cannot be renamed or removed (<c>file-write-unlink</c>): Seatbelt's rules follow names, so moving <c>.git</c> aside,
/// changing its <c>config</c> and moving it back would otherwise pass (a mount point cannot be moved). The profile
/// holds no path: each is a parameter (<c>-D W0=/path</c>, read with <c>(param "W0")</c>).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class SeatbeltProfile
{
    /// <summary>Devices a command may always write (output thrown away, its terminal, its own descriptors).</summary>
    private static readonly string[] WritableDevices = ["/dev/null", "/dev/zero", "/dev/tty", "/dev/dtracehelper", "/dev/fd"];

    private enum Kind
    {
        Writable,
        ReadOnly,
        Absent,
        Hidden,
    }

    private sealed record Place(string Path, Kind Kind);

    /// <summary>The profile's text and its parameters, in order.</summary>
    /// <param name="sandbox">The sandbox.</param>
    /// <param name="hostSockets">The host's sockets to hide besides <see cref="ProcessSandbox.HiddenPaths"/>.</param>
    /// <param name="real">How a path is resolved (every symbolic link followed: <c>/tmp</c> is <c>/private/tmp</c>).</param>
    /// <returns>The text and the parameters.</returns>
    public static (string Profile, IReadOnlyList<KeyValuePair<string, string>> Parameters) Build(
        ProcessSandbox sandbox, IEnumerable<string> hostSockets, Func<string, string> real)
    {
        List<Place> places =
        [
            .. sandbox.WritablePaths.Append(sandbox.TempDirectory).OfType<string>().Select(path => new Place(real(path), Kind.Writable)),
            .. sandbox.ReadOnlyPaths.Select(path => new Place(real(path), Kind.ReadOnly)),
            .. sandbox.AbsentPaths.Select(AbsentPlaces.Trim).Select(path => new Place(real(path), Kind.Absent)),
            .. sandbox.HiddenPaths.Concat(hostSockets).Select(path => new Place(real(path), Kind.Hidden)),
        ];
        var ordered = places.Distinct().OrderBy(place => SandboxPathOrder.Depth(place.Path)).ThenBy(place => place.Kind).ToList();
        var hidden = ordered.Where(place => place.Kind == Kind.Hidden).Select(place => place.Path).ToList();
        var writable = ordered.Where(place => place.Kind == Kind.Writable).Select(place => place.Path).ToList();

        var writer = new Writer();
        writer.Line("(version 1)");
        writer.Line("(allow default)");
        writer.Line("(deny file-write*)");
        writer.Line("(allow file-write*" + string.Concat(WritableDevices.Select(device => $" (subpath \"{device}\")")) + ")");
        foreach (var place in ordered)
        {
            switch (place.Kind)
            {
                case Kind.Writable:
                    writer.Rule("allow file-read* file-write*", "W", [place.Path]);
                    break;
                case Kind.ReadOnly:
                    writer.Rule("allow file-read*", "R", [place.Path]);
                    writer.Rule("deny file-write*", "R", [place.Path]);
                    break;
                case Kind.Absent:
                    writer.Rule("deny file-write*", "A", [place.Path]);
                    break;
                default:
                    writer.Rule("deny file-read* file-write*", "H", [place.Path]);
                    break;
            }

            if ((place.Kind is Kind.Writable or Kind.ReadOnly) && hidden.Where(folder => SandboxPathOrder.IsStrictlyInside(place.Path, folder)).MinBy(SandboxPathOrder.Depth) is { } outer)
            {
                writer.Rule("allow file-read-metadata", "M", [.. SandboxPathOrder.AncestorsUpTo(place.Path, outer)], literal: true);
            }
        }

        var held = ordered.Where(place => place.Kind != Kind.Writable)
            .SelectMany(place => writable.Where(folder => SandboxPathOrder.IsStrictlyInside(place.Path, folder))
                .SelectMany(folder => SandboxPathOrder.AncestorsUpTo(place.Path, folder)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (held.Count > 0)
        {
            writer.Rule("deny file-write-unlink", "U", held, literal: true);
        }

        if (!sandbox.AllowNetwork)
        {
            writer.Line("(deny network*)");
        }

        return (writer.Text, writer.Parameters);
    }

    /// <summary>The profile's text and its parameters, each path given once per kind of rule.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder text = new();
        private readonly List<KeyValuePair<string, string>> parameters = [];
        private readonly Dictionary<(string Prefix, string Path), string> keys = [];

        public string Text => text.ToString();

        public IReadOnlyList<KeyValuePair<string, string>> Parameters => parameters;

        public void Line(string line) => text.Append(line).Append('\n');

        /// <summary>One rule over <paramref name="paths"/>, each a parameter named <paramref name="prefix"/> and a number.</summary>
        public void Rule(string action, string prefix, List<string> paths, bool literal = false)
        {
            if (paths.Count == 0)
            {
                return;
            }

            var filter = literal ? "literal" : "subpath";
            var filters = paths.Select(path => $"({filter} (param \"{Key(prefix, path)}\"))").ToList();
            Line(filters.Count == 1 ? $"({action} {filters[0]})" : $"({action} (require-any {string.Join(' ', filters)}))");
        }

        private string Key(string prefix, string path)
        {
            if (!keys.TryGetValue((prefix, path), out var key))
            {
                key = prefix + keys.Keys.Count(existing => existing.Prefix == prefix).ToString(CultureInfo.InvariantCulture);
                keys[(prefix, path)] = key;
                parameters.Add(new(key, path));
            }

            return key;
        }
    }
}
