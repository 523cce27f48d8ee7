using AgentHost.Hosting;

namespace AgentHost.Server;

/// <summary>The one check of a list endpoint's <c>limit=</c> query parameter (sessions, their history, workflow runs).</summary>
internal static class PageLimit
{
    /// <summary>The largest page a list endpoint returns.</summary>
    public const int Max = 200;

    /// <summary>The page size a request asked for, <paramref name="defaultSize"/> without one.</summary>
    /// <exception cref="AgentHostException">Outside 1 to <see cref="Max"/> (<see cref="ErrorKind.Usage"/>: a 400).</exception>
    public static int Of(int? limit, int defaultSize) => limit switch
    {
        null => defaultSize,
        >= 1 and <= Max => limit.Value,
        _ => throw new AgentHostException(ErrorKind.Usage, $"limit: {limit} is out of range; give 1 to {Max}."),
    };
}
