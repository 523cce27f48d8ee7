namespace AgentHost.Sdk.Capabilities;

/// <summary>Something a plugin contributes to the host, identified by kind and name.</summary>
/// <remarks>
/// Names are unique per plugin and kind. When two plugins contribute the same kind and name, both stay reachable
/// under the qualified name <c>plugin-id/name</c>; the plain name goes to the plugin whose id sorts first (ordinal),
/// and the host logs a warning. Instances are immutable once added.
/// </remarks>
public abstract class Capability
{
    /// <summary>Initialises the capability.</summary>
    /// <param name="name">The capability name: letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, at most 128 characters.</param>
    protected Capability(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException(
                $"Capability name '{name}' is invalid: use letters, digits, '_', '-' or '.', at most 128 characters.",
                nameof(name));
        }

        Name = name;
    }

    /// <summary>The capability name.</summary>
    public string Name { get; }

    /// <summary>The kind of capability.</summary>
    public abstract CapabilityKind Kind { get; }

    /// <summary>A one-line human description, shown by <c>agent plugin info</c>.</summary>
    public string? Description { get; init; }

    /// <summary>Returns whether <paramref name="name"/> is a valid capability name.</summary>
    /// <param name="name">The candidate name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}:{Name}";
}
