using System.CommandLine;
using AgentHost.Hosting;
using AgentHost.Sessions;

namespace AgentHost.Cli.Commands.Run;

/// <summary>
/// <c>agent run</c>'s model parameters for this run only — <c>--temperature</c>, <c>--top-p</c>,
/// <c>--max-output-tokens</c>, <c>--stop</c>, <c>--seed</c>, <c>--reasoning-effort</c> — above the session's settings and
/// the configuration, checked by the same validator as <c>agent session settings set</c> and the server.
/// </summary>
internal sealed class ModelParameterFlags
{
    private readonly (Option<string?> Option, string Key)[] _single =
    [
        (new("--temperature") { Description = "Sampling temperature for this run, 0 to 2 (over the session's and config's temperature)." }, ModelParameterValues.Temperature),
        (new("--top-p") { Description = "Nucleus sampling for this run, 0 to 1." }, ModelParameterValues.TopP),
        (new("--max-output-tokens") { Description = "The most tokens of each model answer in this run." }, ModelParameterValues.MaxOutputTokens),
        (new("--seed") { Description = "Sampling seed for this run (where the provider takes one)." }, ModelParameterValues.Seed),
        (new("--reasoning-effort") { Description = "How hard a reasoning model thinks in this run: none, low, medium, high or xhigh." }, ModelParameterValues.ReasoningEffort),
    ];

    private readonly Option<string[]> _stop = new("--stop") { Description = "A stop sequence for this run (repeatable, up to 4).", AllowMultipleArgumentsPerToken = false };

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var (option, _) in _single)
        {
            command.Options.Add(option);
        }

        command.Options.Add(_stop);
    }

    /// <summary>The values given, by setting key, in stored form; <see langword="null"/> when none is given.</summary>
    /// <exception cref="AgentHostException">A value that is not valid (<see cref="ErrorKind.Usage"/>), naming the flag and the fix.</exception>
    public IReadOnlyDictionary<string, string>? Read(ParseResult parseResult)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (option, key) in _single)
        {
            if (parseResult.GetValue(option) is { } text)
            {
                values[key] = Check(option.Name, key, text);
            }
        }

        if (parseResult.GetValue(_stop) is { Length: > 0 } stop)
        {
            values[ModelParameterValues.Stop] = Check(_stop.Name, ModelParameterValues.Stop, ModelParameterValues.FormatStop(stop));
        }

        return values.Count > 0 ? values : null;
    }

    private static string Check(string flag, string key, string text) =>
        ModelParameterValues.Normalize(key, text.Trim())
        ?? throw new AgentHostException(ErrorKind.Usage, $"{flag}: '{text}' is not valid; {ModelParameterValues.Expected(key)}.");
}
