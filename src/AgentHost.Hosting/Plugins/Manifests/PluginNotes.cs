using System.Collections;

namespace AgentHost.Hosting.Plugins.Manifests;

/// <summary>
/// The not-mapped lines of a Claude Code plugin (<see cref="PluginManifest.NotMapped"/>): lines found while reading the
/// plugin, and lines that need more reads (each command file's front matter, the sub-agent files) computed the first
/// time the list is looked at, in the order they would have been found. Only <c>agent plugin list</c>, <c>plugin info</c>,
/// <c>plugin install</c> and <c>doctor</c> show them, so a run reads no command file for them (issue #50).
/// </summary>
/// <remarks>Thread-safe once the reader has finished adding; the deferred lines are computed once.</remarks>
internal sealed class PluginNotes : IReadOnlyList<string>
{
    private readonly List<object> _parts = [];
    private readonly Lazy<List<string>> _lines;

    /// <summary>Creates an empty list.</summary>
    public PluginNotes() => _lines = new Lazy<List<string>>(Compute, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether the deferred lines have been computed (tests: a run's load does not).</summary>
    internal bool IsComputed => _lines.IsValueCreated;

    /// <inheritdoc/>
    public int Count => _lines.Value.Count;

    /// <inheritdoc/>
    public string this[int index] => _lines.Value[index];

    /// <summary>Adds a line found while reading.</summary>
    /// <param name="line">The line.</param>
    public void Add(string line) => Append(line);

    /// <summary>Adds lines computed the first time the list is looked at, in this place.</summary>
    /// <param name="lines">Computes the lines (reads that fail give none).</param>
    public void AddLater(Func<IEnumerable<string>> lines) => Append(lines);

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator() => _lines.Value.GetEnumerator();

    /// <inheritdoc/>
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Append(object part)
    {
        if (_lines.IsValueCreated)
        {
            throw new InvalidOperationException("the notes were already computed");
        }

        _parts.Add(part);
    }

    private List<string> Compute()
    {
        var lines = new List<string>();
        foreach (var part in _parts)
        {
            if (part is string line)
            {
                lines.Add(line);
            }
            else
            {
                lines.AddRange(((Func<IEnumerable<string>>)part)());
            }
        }

        return lines;
    }
}
