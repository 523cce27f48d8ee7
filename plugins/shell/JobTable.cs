using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Shell;

/// <summary>
/// The background jobs of one plugin instance: started by <c>shell(run_in_background: true)</c>, listed with
/// <c>job_list</c>, read with <c>job_output</c>, stopped with <c>job_kill</c>, and all killed when the plugin stops.
/// </summary>
/// <remarks>Thread-safe. At most <see cref="ShellSettings.MaxJobs"/> run at once; the last 20 finished jobs are kept for reading.</remarks>
internal sealed class JobTable(ShellSettings settings, TimeProvider time) : IDisposable
{
    private const int KeptFinishedJobs = 20;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private int _nextId;
    private bool _disposed;

    public string Start(ShellProgram program, string command, string directory, string relativeDirectory, TimeSpan? timeout, AgentHost.Sdk.Tools.ProcessSandbox? sandbox = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        Job job;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var running = _jobs.Values.Where(j => !j.Finished).ToList();
            if (running.Count >= settings.MaxJobs)
            {
                throw new ToolException(settings.MaxJobs == 0
                    ? $"background jobs are disabled (setting {ShellSettings.Prefix}max_jobs is 0); run the command in the foreground."
                    : $"{running.Count} background jobs are already running, the limit (setting {ShellSettings.Prefix}max_jobs is {settings.MaxJobs}); "
                      + $"stop one with job_kill or wait for one to finish. Running: {string.Join("; ", running.Select(j => $"{j.Id}: {Preview(j.Command)}"))}");
            }

            var id = "job-" + (++_nextId).ToString(CultureInfo.InvariantCulture);
            job = new Job(id, command, new JobLog(settings.MaxOutputCharacters * 4), time.GetTimestamp());
            job.Process = ShellProcess.Start(program, command, directory, job.Log.Append, job.Log.Append, sandbox, environment);
            _jobs[id] = job;
            Trim();
        }

        _ = WatchAsync(job, timeout);
        return $"started {job.Id} (pid {job.Process.Id}) in {relativeDirectory}: {Preview(command)}\n"
            + $"Read its output with job_output(job_id: \"{job.Id}\"); stop it with job_kill(job_id: \"{job.Id}\")."
            + (timeout is { } limit ? $" It is killed after {ShellTool.Seconds(limit)}." : string.Empty)
            + (job.Process.Sandbox is { } contained ? $"\nsandbox: {ShellTool.SandboxLine(contained)}" : string.Empty);
    }

    public string Output(string jobId, long? since)
    {
        var job = Find(jobId);
        var from = since ?? Interlocked.Read(ref job.ReadPosition);
        if (from < 0)
        {
            throw new ToolException($"since must be 0 or more (a position from an earlier job_output); omit it to get the output not read yet.");
        }

        var status = Status(job);
        var (text, end, dropped) = job.Log.Read(from);
        Interlocked.Exchange(ref job.ReadPosition, end);
        var builder = new StringBuilder().Append(job.Id).Append(": ").Append(status).Append('\n');
        if (dropped > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[… {dropped} earlier characters are no longer kept …]\n");
        }

        builder.Append(text.Length == 0 ? "(no new output)" : OutputBuffer.HeadAndTail(text, settings.MaxOutputCharacters).TrimEnd('\n')).Append('\n');
        builder.Append(CultureInfo.InvariantCulture, $"[output position {end}; the next job_output continues from here]");
        return builder.ToString();
    }

    /// <summary>The jobs kept, oldest first: id, status and command, one a line (<c>job_list</c>).</summary>
    public string List()
    {
        List<Job> jobs;
        lock (_lock)
        {
            jobs = [.. _jobs.Values.OrderBy(j => j.Started)];
        }

        if (jobs.Count == 0)
        {
            return "no background jobs (shell with run_in_background: true starts one).";
        }

        var running = jobs.Count(j => !j.Finished);
        var builder = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{running} running, {jobs.Count - running} finished (the last {KeptFinishedJobs} finished jobs are kept):\n");
        foreach (var job in jobs)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{job.Id}  {Status(job)}  {Preview(job.Command)}\n");
        }

        return builder.ToString().TrimEnd('\n');
    }

    public string Kill(string jobId)
    {
        var job = Find(jobId);
        if (job.Finished)
        {
            if (job.Process!.OutputClosed.IsCompleted)
            {
                return $"{job.Id} had already finished: {Status(job)}";
            }

            // The shell exited but processes it started still write to the job's output.
            job.Process.KillRemaining();
            return $"{job.Id} had already finished ({Status(job)}); the processes it left running were killed.";
        }

        job.Process!.Kill();
        return $"{job.Id} killed with its child processes; job_output shows its last output.";
    }

    public void Dispose()
    {
        List<Job> jobs;
        lock (_lock)
        {
            _disposed = true;
            jobs = [.. _jobs.Values];
        }

        foreach (var job in jobs)
        {
            if (!job.Finished)
            {
                job.Process!.Kill();
            }
            else if (!job.Process!.OutputClosed.IsCompleted)
            {
                job.Process.KillRemaining();
            }
        }
    }

    private async Task WatchAsync(Job job, TimeSpan? timeout)
    {
        var process = job.Process!;
        using var timeoutSource = timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        try
        {
            job.ExitCode = await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            job.TimedOut = true;
            process.Kill();
            job.ExitCode = await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // The process was disposed (the job was dropped); nothing is left to watch.
            job.ExitCode = -1;
        }

        job.Duration = time.GetElapsedTime(job.Started);
        job.Finished = true;
    }

    private Job Find(string jobId)
    {
        lock (_lock)
        {
            return _jobs.TryGetValue(jobId?.Trim() ?? string.Empty, out var job) ? job
                : throw new ToolException(_jobs.Count == 0
                    ? $"no job '{jobId}'; no background jobs were started (use shell with run_in_background: true)."
                    : $"no job '{jobId}'; known jobs: {string.Join(", ", _jobs.Keys)}.");
        }
    }

    private string Status(Job job)
    {
        if (!job.Finished)
        {
            return $"running (pid {job.Process!.Id}, {ShellTool.Seconds(time.GetElapsedTime(job.Started))})";
        }

        var how = job.TimedOut ? " (killed: timeout)" : job.Process!.Killed ? " (killed by job_kill)" : string.Empty;
        return $"exited with code {job.ExitCode}{how} after {ShellTool.Seconds(job.Duration)}";
    }

    /// <summary>Drops the oldest finished jobs beyond the kept number.</summary>
    private void Trim()
    {
        foreach (var old in _jobs.Values.Where(j => j.Finished).OrderBy(j => j.Started).SkipLast(KeptFinishedJobs).ToList())
        {
            _jobs.Remove(old.Id);
            old.Process!.Dispose();
        }
    }

    private static string Preview(string command)
    {
        var line = command.ReplaceLineEndings(" ");
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    private sealed class Job(string id, string command, JobLog log, long started)
    {
        public string Id { get; } = id;

        public string Command { get; } = command;

        public JobLog Log { get; } = log;

        public long Started { get; } = started;

        public ShellProcess? Process { get; set; }

        public long ReadPosition;

        public volatile bool Finished;

        public int ExitCode { get; set; }

        public bool TimedOut { get; set; }

        public TimeSpan Duration { get; set; }
    }
}
