using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using AgentHost.Tests.Processes;

namespace AgentHost.Tests.Support;

/// <summary>
/// A real PostgreSQL server for the tests: Debian's programs (<c>initdb</c>, <c>pg_ctl</c>, <c>postgres</c> from
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, the newest there, else from PATH) on a temporary data folder, listening on a
/// free 127.0.0.1 port only. One server per test process (<see cref="SharedAsync"/>), a fresh database per test class
/// (<see cref="CreateDatabaseAsync"/>), stopped by its PID when the process exits. PostgreSQL refuses to run as root: as
/// root, the server runs as the <c>postgres</c> system user (created when missing), which owns the data folder.
/// </summary>
/// <remarks>Tests that need it skip with <see cref="SkipReason"/> where the programs are absent (see <see cref="PostgresFactAttribute"/>).</remarks>
public sealed class PostgresServer
{
    private const int SigInt = 2;
    private static readonly string[] ServerPrograms = ["initdb", "pg_ctl", "postgres", "createdb"];
    private static readonly Lazy<string?> Bin = new(FindBin);
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);
    private static int _databases;

    private readonly TempDirectory _folder;

    private PostgresServer(TempDirectory folder, int port, int pid)
    {
        _folder = folder;
        Port = port;
        Pid = pid;
    }

    /// <summary>Why PostgreSQL tests cannot run here, or <see langword="null"/> when they can.</summary>
    public static string? SkipReason => Bin.Value is null
        ? "needs PostgreSQL's server programs (initdb, pg_ctl, postgres, createdb: Debian package 'postgresql', in /usr/lib/postgresql/<version>/bin or on PATH), which this machine does not have"
        : null;

    /// <summary>The port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The postmaster's process id.</summary>
    public int Pid { get; }

    /// <summary>The server of this test process, started on first use.</summary>
    public static Task<PostgresServer> SharedAsync() => Shared.Value;

    /// <summary>Creates a fresh, empty database and returns its <c>postgres://</c> URI (user <c>postgres</c>, trusted on 127.0.0.1).</summary>
    /// <param name="hint">Part of the name (e.g. the test class), for reading the server's log.</param>
    public async Task<string> CreateDatabaseAsync(string hint = "test")
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{new string([.. hint.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30)])}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        await RunAsync(Program("createdb"), ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", name]);
        return string.Create(CultureInfo.InvariantCulture, $"postgres://postgres@127.0.0.1:{Port}/{name}");
    }

    /// <summary>Stops the server by its PID (SIGINT: fast shutdown), then removes its folder.</summary>
    public void Stop()
    {
        if (Kill(Pid, SigInt) == 0)
        {
            _ = ProcessWatch.EndsWithinAsync(Pid, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        }

        _folder.Dispose();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var bin = Bin.Value ?? throw new InvalidOperationException(SkipReason);
        var folder = new TempDirectory();
        var data = folder.Combine("data");
        var asRoot = IsRoot();
        if (asRoot)
        {
            await EnsurePostgresUserAsync();
            await RunAsync("/usr/bin/chown", ["-R", "postgres:", folder.Path]);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], asRoot);
        for (var attempt = 0; ; attempt++)
        {
            var port = Ports.Free();
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
            try
            {
                await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-o", options, "-l", folder.Combine("server.log"), "-w", "-t", "60", "start"], asRoot);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                continue; // the port was taken meanwhile
            }

            var pid = int.Parse(File.ReadLines(Path.Combine(data, "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            var server = new PostgresServer(folder, port, pid);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
            return server;
        }
    }

    private static string Program(string name) => Path.Combine(Bin.Value!, name);

    private static string? FindBin()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return null;
        }

        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => (Version: int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1, Bin: Path.Combine(dir, "bin")))
                .Where(c => c.Version > 0 && HasPrograms(c.Bin))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Bin)
                .FirstOrDefault()
            : null;
        return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Where(Path.IsPathFullyQualified)
            .FirstOrDefault(HasPrograms);
    }

    private static bool HasPrograms(string folder) =>
        ServerPrograms.All(p => File.Exists(Path.Combine(folder, p)));

    private static bool IsRoot() =>
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal)) is { } line
        && line.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) == "0";

    private static async Task EnsurePostgresUserAsync()
    {
        if (File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            return;
        }

        await RunAsync("/usr/sbin/useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
    }

    /// <summary>Runs a program to its end (as <c>postgres</c> through <c>runuser</c> when <paramref name="asPostgres"/>); throws with its output when it fails.</summary>
    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
    {
        var start = new ProcessStartInfo(asPostgres ? "/usr/sbin/runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>A fact that needs a PostgreSQL server (<see cref="PostgresServer"/>); skipped, with the reason, where PostgreSQL is not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = PostgresServer.SkipReason;
}
