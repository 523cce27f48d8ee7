using System.Diagnostics;
using System.Text;

namespace AgentHost.Tests.Support;

/// <summary>
/// Drives the built <c>agent</c> in a real pseudo-terminal through tmux: start it in a detached session of a private
/// tmux server, type with <see cref="TypeAsync"/> and <see cref="KeysAsync"/>, and wait for text on the screen with
/// <see cref="WaitForAsync"/> (it polls <c>capture-pane</c>; no fixed sleeps). Linux/macOS with tmux installed.
/// </summary>
public sealed class TmuxSession : IAsyncDisposable
{
    /// <summary>The line the shell prints when agent exits, with its exit code.</summary>
    public const string ExitMarker = "[agent exited ";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    private readonly string _socket = "agent-test-" + Guid.NewGuid().ToString("N")[..12];
    private readonly Dictionary<string, string> _environment;

    private TmuxSession(Dictionary<string, string> environment) => _environment = environment;

    /// <summary>Whether tmux is installed here.</summary>
    public static bool IsAvailable { get; } = !OperatingSystem.IsWindows()
        && (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "tmux")));

    /// <summary>Starts <c>dotnet agent.dll <paramref name="args"/></c> in a 120×40 terminal in <paramref name="workingDirectory"/>.</summary>
    public static Task<TmuxSession> StartAsync(string workingDirectory, IDictionary<string, string> environment, params string[] args) =>
        StartAsync(120, 40, workingDirectory, environment, args);

    /// <summary>Starts <c>dotnet agent.dll <paramref name="args"/></c> in a <paramref name="columns"/>×<paramref name="rows"/> terminal.</summary>
    public static Task<TmuxSession> StartAsync(int columns, int rows, string workingDirectory, IDictionary<string, string> environment, params string[] args) =>
        StartAsync(new TmuxStart(workingDirectory, environment) { Columns = columns, Rows = rows }, args);

    /// <summary>
    /// Starts <c>dotnet agent.dll <paramref name="args"/></c> as <paramref name="start"/> says: the terminal's size, whether
    /// every byte agent writes to the terminal is recorded to a file (<see cref="TmuxStart.RecordTo"/>: tmux's
    /// <c>pipe-pane</c>, set up before agent starts), and whether agent is the terminal's own process
    /// (<see cref="TmuxStart.Direct"/>: no shell around it, so it is what a hang-up signals, and <see cref="ProcessIdAsync"/> is agent's).
    /// </summary>
    public static async Task<TmuxSession> StartAsync(TmuxStart start, params string[] args)
    {
        var variables = new Dictionary<string, string>(ProviderIsolation.Variables);
        foreach (var (key, value) in start.Environment)
        {
            variables[key] = value;
        }

        var session = new TmuxSession(variables);
        var agent = new StringBuilder("dotnet ").Append(Quote(AgentProcess.AgentDll));
        foreach (var arg in args)
        {
            agent.Append(' ').Append(Quote(arg));
        }

        var command = new StringBuilder();
        string? ready = null;
        if (start.RecordTo is not null)
        {
            // agent waits for the recording to be set up, so the file has its first byte too.
            ready = start.RecordTo + ".ready";
            command.Append("while [ ! -e ").Append(Quote(ready)).Append(" ]; do sleep 0.05; done; ");
        }

        // The shell stays after agent exits so the screen (and the exit code) can still be read; a direct start has no shell.
        command.Append(start.Direct ? "exec " : string.Empty).Append(agent);
        if (!start.Direct)
        {
            command.Append("; echo \"").Append(ExitMarker).Append("$?]\"; sleep 600");
        }

        await session.TmuxAsync("new-session", "-d", "-x", start.Columns.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", start.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", start.WorkingDirectory, command.ToString());
        if (start.RecordTo is not null)
        {
            await session.TmuxAsync("pipe-pane", "-O", "-t", "0", "cat >> " + Quote(start.RecordTo));
            await File.WriteAllTextAsync(ready!, string.Empty);
        }

        return session;
    }

    /// <summary>The process id of the terminal's own process (agent itself after a <see cref="TmuxStart.Direct"/> start).</summary>
    public async Task<int> ProcessIdAsync() =>
        int.Parse((await TmuxAsync("display-message", "-p", "-t", "0", "#{pane_pid}")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Closes the terminal as closing its window does: the tmux server goes, and agent's terminal hangs up (SIGHUP).</summary>
    public Task HangUpAsync() => TmuxAsync("kill-server");

    /// <summary>Types <paramref name="text"/> literally (no key names).</summary>
    public Task TypeAsync(string text) => TmuxAsync("send-keys", "-t", "0", "-l", text);

    /// <summary>Presses keys by tmux name: <c>Enter</c>, <c>C-c</c>, <c>C-d</c>, <c>Tab</c>, <c>BTab</c>, <c>Up</c>.</summary>
    public Task KeysAsync(params string[] keys) => TmuxAsync(["send-keys", "-t", "0", .. keys]);

    /// <summary>Pastes <paramref name="text"/> as a terminal paste does: all of it at once, line breaks as Enter.</summary>
    public async Task PasteAsync(string text)
    {
        await TmuxAsync("set-buffer", "-b", "paste", text);
        await TmuxAsync("paste-buffer", "-b", "paste", "-t", "0");
    }

    /// <summary>Sets a tmux server option (<c>extended-keys on</c>: the terminal reports Shift+Enter to programs that ask).</summary>
    public Task SetServerOptionAsync(string name, string value) => TmuxAsync("set-option", "-s", name, value);

    /// <summary>Types a line and presses Enter.</summary>
    public async Task LineAsync(string text)
    {
        await TypeAsync(text);
        await KeysAsync("Enter");
    }

    /// <summary>Resizes the terminal as dragging its window does (<c>resize-window</c>): agent gets a SIGWINCH.</summary>
    public Task ResizeAsync(int columns, int rows) =>
        TmuxAsync("resize-window", "-t", "0", "-x", columns.ToString(System.Globalization.CultureInfo.InvariantCulture), "-y", rows.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The screen and its scrollback as the terminal's rows: a line the terminal wrapped is two rows here (no <c>-J</c>).</summary>
    public Task<string> RowsAsync() => TmuxAsync("capture-pane", "-p", "-t", "0", "-S", "-2000");

    /// <summary>The screen and its scrollback, as text.</summary>
    public Task<string> ScreenAsync() => TmuxAsync("capture-pane", "-p", "-J", "-t", "0", "-S", "-2000");

    /// <summary>The whole scrollback and screen (<c>capture-pane -S -</c>); with <paramref name="escapes"/>, with the text's colours and styles as escape sequences (<c>-e</c>).</summary>
    public Task<string> HistoryAsync(bool escapes = false) =>
        escapes ? TmuxAsync("capture-pane", "-p", "-J", "-e", "-t", "0", "-S", "-") : TmuxAsync("capture-pane", "-p", "-J", "-t", "0", "-S", "-");

    /// <summary>Waits until the screen shows <paramref name="text"/> <paramref name="count"/> times; returns the screen.</summary>
    /// <exception cref="TimeoutException">It did not within the timeout; the message holds the screen.</exception>
    public Task<string> WaitForAsync(string text, int count = 1, TimeSpan? timeout = null) =>
        WaitUntilAsync(screen => Occurrences(screen, text) >= count, $"'{text}' ({count}×)", timeout);

    /// <summary>
    /// Waits until the screen shows every one of <paramref name="texts"/>; returns the screen. A test waits for what it
    /// asserts, never for a neighbouring line that may be drawn before it.
    /// </summary>
    /// <exception cref="TimeoutException">It did not within the timeout; the message names what was missing and holds the screen.</exception>
    public Task<string> WaitForAllAsync(params string[] texts) =>
        WaitUntilAsync(screen => texts.All(t => screen.Contains(t, StringComparison.Ordinal)), string.Join(", ", texts.Select(t => $"'{t}'")), null);

    /// <summary>Waits until the screen matches <paramref name="pattern"/>; returns the screen.</summary>
    /// <exception cref="TimeoutException">It did not within the timeout; the message holds the screen.</exception>
    public Task<string> WaitForMatchAsync(string pattern) =>
        WaitUntilAsync(screen => System.Text.RegularExpressions.Regex.IsMatch(screen, pattern), $"a match of /{pattern}/", null);

    private async Task<string> WaitUntilAsync(Func<string, bool> shows, string what, TimeSpan? timeout)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            var screen = await ScreenAsync();
            if (shows(screen))
            {
                return screen;
            }

            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"the terminal did not show {what} within {limit.TotalSeconds:0} s. Screen:\n{screen}");
            }

            await Task.Delay(100); // polling the pane, not synchronising on time
        }
    }

    /// <summary>Waits for agent to exit; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        var screen = await WaitForAsync(ExitMarker);
        var start = screen.LastIndexOf(ExitMarker, StringComparison.Ordinal) + ExitMarker.Length;
        return int.Parse(screen[start..screen.IndexOf(']', start)], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await TmuxAsync("kill-server");
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task<string> TmuxAsync(params string[] args)
    {
        var start = new ProcessStartInfo("tmux")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The private server starts with this environment, and so does agent inside it: a person at a terminal, no CI.
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        start.Environment.Remove("CI");
        start.Environment.Remove("TMUX");
        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {await error}");
    }
}

/// <summary>How <see cref="TmuxSession.StartAsync(TmuxStart, string[])"/> starts agent.</summary>
/// <param name="WorkingDirectory">Where agent runs.</param>
/// <param name="Environment">Its environment variables (on top of the provider isolation).</param>
public sealed record TmuxStart(string WorkingDirectory, IDictionary<string, string> Environment)
{
    /// <summary>The terminal's width.</summary>
    public int Columns { get; init; } = 120;

    /// <summary>The terminal's height.</summary>
    public int Rows { get; init; } = 40;

    /// <summary>A file that receives every byte agent writes to the terminal (escape sequences included); <see langword="null"/>: none.</summary>
    public string? RecordTo { get; init; }

    /// <summary>Whether agent is the terminal's own process (no shell around it, no exit marker).</summary>
    public bool Direct { get; init; }
}

/// <summary>A fact that drives agent through tmux; skipped, saying so, where tmux is not installed.</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!TmuxSession.IsAvailable)
        {
            Skip = "tmux is not installed (the chat's terminal tests drive agent through it; .ci/run installs it).";
        }
    }
}
