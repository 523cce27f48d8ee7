using System.Globalization;
using System.Text.Json;

namespace AgentHost.Sessions;

/// <summary>
/// The model parameters a session setting, a configuration key (<c>session.*</c>) or a request may set — temperature,
/// top-p, max output tokens, stop sequences, seed and reasoning effort — and their provider-neutral checks. Each
/// provider maps them to its own fields and says when it cannot send one.
/// </summary>
/// <remarks>Stateless and thread-safe. Used by <see cref="SessionSettingValues"/>, the one validator of session settings.</remarks>
public static class ModelParameterValues
{
    /// <summary>The sampling temperature (a number from 0 to 2).</summary>
    public const string Temperature = "temperature";

    /// <summary>Nucleus sampling (a number from 0 to 1).</summary>
    public const string TopP = "top_p";

    /// <summary>The most tokens a model answer may have (a whole number from 1 to <see cref="MaxOutputTokensLimit"/>).</summary>
    public const string MaxOutputTokens = "max_output_tokens";

    /// <summary>Stop sequences: one sequence, or a JSON array of up to <see cref="MaxStopSequences"/>; stored as a JSON array.</summary>
    public const string Stop = "stop";

    /// <summary>The sampling seed (a whole number).</summary>
    public const string Seed = "seed";

    /// <summary>How hard a reasoning model thinks: <c>none</c>, <c>low</c>, <c>medium</c>, <c>high</c> or <c>xhigh</c>.</summary>
    public const string ReasoningEffort = "reasoning_effort";

    /// <summary>The largest <c>max_output_tokens</c>.</summary>
    public const int MaxOutputTokensLimit = 1_000_000;

    /// <summary>The most stop sequences (OpenAI's limit, the lowest of the providers).</summary>
    public const int MaxStopSequences = 4;

    /// <summary>The model parameter keys, in the order they are documented.</summary>
    public static IReadOnlyList<string> Keys { get; } = [Temperature, TopP, MaxOutputTokens, Stop, Seed, ReasoningEffort];

    /// <summary>The reasoning efforts, lowest first.</summary>
    public static IReadOnlyList<string> Efforts { get; } = ["none", "low", "medium", "high", "xhigh"];

    /// <summary>Whether <paramref name="normalizedKey"/> is a model parameter.</summary>
    /// <param name="normalizedKey">A key in the normal form of <see cref="SessionSettings.NormalizeKey"/>.</param>
    /// <returns>Whether it is one of <see cref="Keys"/>.</returns>
    public static bool IsModelParameter(string normalizedKey) => Keys.Contains(normalizedKey);

    /// <summary>Checks one model parameter's value and returns its stored form, or <see langword="null"/> when it is not valid.</summary>
    /// <param name="normalizedKey">One of <see cref="Keys"/>.</param>
    /// <param name="value">The value as typed (trimmed by the caller).</param>
    /// <returns>The stored form (numbers in invariant culture, an effort in lower case, stop sequences as a JSON array), or <see langword="null"/>.</returns>
    public static string? Normalize(string normalizedKey, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return normalizedKey switch
        {
            Temperature => Number(value, 0, 2),
            TopP => Number(value, 0, 1),
            MaxOutputTokens => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var tokens) && tokens is >= 1 and <= MaxOutputTokensLimit ? tokens.ToString(CultureInfo.InvariantCulture) : null,
            Seed => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seed) ? seed.ToString(CultureInfo.InvariantCulture) : null,
            ReasoningEffort => Efforts.FirstOrDefault(e => e.Equals(value, StringComparison.OrdinalIgnoreCase)),
            Stop => ParseStop(value) is { } stop ? StringJson.List(stop) : null,
            _ => null,
        };
    }

    /// <summary>What a valid value of <paramref name="normalizedKey"/> looks like, for error messages.</summary>
    /// <param name="normalizedKey">One of <see cref="Keys"/>.</param>
    /// <returns>The advice, e.g. <c>give a number from 0 to 2, e.g. 0.2</c>.</returns>
    public static string Expected(string normalizedKey) => normalizedKey switch
    {
        Temperature => "give a number from 0 to 2, e.g. 0.2",
        TopP => "give a number from 0 to 1, e.g. 0.9",
        MaxOutputTokens => $"give a whole number from 1 to {MaxOutputTokensLimit}, e.g. 4096",
        Seed => "give a whole number, e.g. 42",
        ReasoningEffort => $"give one of {string.Join(", ", Efforts)}",
        Stop => $"give one stop sequence, or a JSON array of 1 to {MaxStopSequences} non-empty sequences, e.g. [\"END\", \"###\"]",
        _ => "not a model parameter",
    };

    /// <summary>The stop sequences of a stored (or typed) <c>stop</c> value.</summary>
    /// <param name="value">One sequence, or a JSON array of sequences.</param>
    /// <returns>The sequences, or <see langword="null"/> when the value is not valid.</returns>
    public static IReadOnlyList<string>? ParseStop(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        List<string> sequences;
        if (value.TrimStart().StartsWith('['))
        {
            try
            {
                sequences = StringJson.ReadList(value);
            }
            catch (JsonException)
            {
                return null;
            }
        }
        else
        {
            sequences = [value];
        }

        return sequences is { Count: > 0 and <= MaxStopSequences } && sequences.All(s => s is { Length: > 0 and <= 200 }) ? sequences : null;
    }

    /// <summary>The stored form of <c>stop</c>: a JSON array of the sequences (checked by <see cref="Normalize"/> like any other value).</summary>
    /// <param name="sequences">The sequences, e.g. the values of a repeated <c>--stop</c> flag.</param>
    /// <returns>The JSON array.</returns>
    public static string FormatStop(IEnumerable<string> sequences) => StringJson.List(sequences);

    private static string? Number(string value, double min, double max) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number.ToString("R", CultureInfo.InvariantCulture)
            : null;
}
