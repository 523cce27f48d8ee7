using AgentHost.Hosting;
namespace AgentHost.Cli;

/// <summary>The process exit codes of <c>agent</c>; documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int Configuration = 3;
    public const int Provider = 4;
    public const int Denied = 5;
    public const int StepLimit = 6;
    public const int Plugin = 7;
    public const int NotFound = 8;
    public const int InUse = 9;
    public const int Storage = 10;
    public const int Waiting = 11;
    public const int Refused = 12;
    public const int Cancelled = 130;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.Usage => Usage,
        ErrorKind.Configuration => Configuration,
        ErrorKind.NotFound => NotFound,
        ErrorKind.Plugin => Plugin,
        ErrorKind.Provider => Provider,
        ErrorKind.Denied => Denied,
        ErrorKind.InUse => InUse,
        ErrorKind.Storage => Storage,
        _ => Failure,
    };
}
