using System.Globalization;
using System.Text;
using AgentHost.Hosting;

namespace AgentHost.Sessions;

/// <summary>
/// The rules of session names (<see cref="SessionInfo.Name"/>): what <c>agent run --new-session NAME</c> and the HTTP
/// API's create request accept, so that a name is safe to print, to type and to pass as an argument, and is never taken
/// for a session id.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class SessionNames
{
    /// <summary>The most characters a name may have.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// Checks a name: not empty, at most <see cref="MaxLength"/> characters, only printable characters (letters, marks,
    /// digits, punctuation, symbols and spaces: no control, format or line-separator characters), not starting with
    /// <c>-</c> (it would read as an option), and not a session id (26 characters of the id alphabet).
    /// </summary>
    /// <param name="name">What the user gave; spaces around it are dropped.</param>
    /// <returns>The name as stored.</returns>
    /// <exception cref="AgentHostException">The name breaks a rule (<see cref="ErrorKind.Usage"/>); the message says which and what to do.</exception>
    public static string Check(string? name)
    {
        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw Invalid("a session name cannot be empty; give one such as 'payment-retries'.");
        }

        for (var i = 0; i < trimmed.Length; i++)
        {
            if (!IsPrintable(trimmed, i))
            {
                // The character is described, never echoed: it may be an escape sequence's start.
                throw Invalid(string.Create(
                    CultureInfo.InvariantCulture,
                    $"a session name may hold only printable characters (letters, digits, punctuation, symbols, spaces); character {i + 1} is U+{(int)trimmed[i]:X4}. Choose a name such as 'payment-retries'."));
            }
        }

        if (trimmed.Length > MaxLength)
        {
            throw Invalid(string.Create(CultureInfo.InvariantCulture, $"the session name '{trimmed[..20]}…' has {trimmed.Length} characters; a name may have at most {MaxLength}."));
        }

        if (trimmed[0] == '-')
        {
            throw Invalid($"the session name '{trimmed}' starts with '-', which reads as an option; start it with a letter or digit.");
        }

        if (SessionIds.IsValid(SessionIds.Normalize(trimmed)))
        {
            throw Invalid($"the session name '{trimmed}' looks like a session id (26 characters of the id alphabet); choose a name that is not an id, such as 'payment-retries'.");
        }

        return trimmed;
    }

    /// <summary>The error of a name another session of the same owner has: it names that session and what to do.</summary>
    /// <param name="name">The name asked for.</param>
    /// <param name="existing">The session that has it.</param>
    /// <returns>The error (<see cref="ErrorKind.Usage"/>).</returns>
    public static AgentHostException Taken(string name, SessionInfo existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return new(
            ErrorKind.Usage,
            string.Create(
                CultureInfo.InvariantCulture,
                $"a session named '{name}' exists already: {existing.Id} (last active {existing.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC). Resume it with '--session {name}', or choose another name."));
    }

    /// <summary>Whether the character at <paramref name="index"/> may be part of a name (a surrogate only as part of a pair).</summary>
    private static bool IsPrintable(string text, int index)
    {
        if (char.IsLowSurrogate(text[index]))
        {
            return index > 0 && char.IsSurrogatePair(text[index - 1], text[index]);
        }

        if (char.IsHighSurrogate(text[index]))
        {
            return char.IsSurrogatePair(text, index)
                && Rune.GetUnicodeCategory(Rune.GetRuneAt(text, index)) is not (UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Format);
        }

        return CharUnicodeInfo.GetUnicodeCategory(text[index]) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
            UnicodeCategory.SpaceSeparator => text[index] == ' ',
            _ => true,
        };
    }

    private static AgentHostException Invalid(string message) => new(ErrorKind.Usage, message);
}
