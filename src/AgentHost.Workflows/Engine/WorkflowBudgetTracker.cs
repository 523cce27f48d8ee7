using System.Diagnostics;
using System.Globalization;
using AgentHost.Hosting.Text;
using AgentHost.Sessions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <summary>
/// A run's running totals (model steps, cost, active wall time) against its limits. Time spent waiting for a person
/// is not counted (<see cref="PauseClock"/>). Thread-safe: parallel branches add to it at once.
/// </summary>
internal sealed class WorkflowBudgetTracker
{
    private readonly Lock _sync = new();
    private readonly long _activeBefore;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _runId;
    private int _steps;
    private decimal _cost;
    private int _paused;

    public WorkflowBudgetTracker(string runId, WorkflowBudget limits, WorkflowRunCounters stored)
    {
        _runId = runId;
        Limits = limits;
        _steps = stored.ModelSteps;
        _cost = stored.Cost;
        _activeBefore = stored.ActiveMilliseconds;
    }

    /// <summary>The limits in force (the workflow's, with the command line's overrides).</summary>
    public WorkflowBudget Limits { get; }

    /// <summary>The totals now.</summary>
    public WorkflowRunCounters Counters
    {
        get
        {
            lock (_sync)
            {
                return new WorkflowRunCounters(_steps, _cost, _activeBefore + _clock.ElapsedMilliseconds);
            }
        }
    }

    /// <summary>How many model steps are left, or <see langword="null"/> without a step limit.</summary>
    public int? StepsLeft
    {
        get
        {
            lock (_sync)
            {
                return Limits.MaxSteps is { } max ? Math.Max(0, max - _steps) : null;
            }
        }
    }

    /// <summary>How many US dollars are left of <c>max_cost</c> (at least a hundredth of a cent, so that a cap is never "none"), or <see langword="null"/> without a cost limit.</summary>
    public decimal? CostLeft
    {
        get
        {
            lock (_sync)
            {
                return Limits.MaxCost is { } max ? Math.Max(0.0001m, max - _cost) : null;
            }
        }
    }

    /// <summary>How much active time is left, or <see langword="null"/> without a time limit.</summary>
    public TimeSpan? TimeLeft =>
        Limits.MaxTime is { } max ? TimeSpan.FromMilliseconds(Math.Max(0, max.TotalMilliseconds - Counters.ActiveMilliseconds)) : null;

    /// <summary>The stop reason of a node cut short by the time limit.</summary>
    /// <param name="where">The node, as messages name it.</param>
    /// <returns>The exception that stops the run.</returns>
    public WorkflowBudgetException TimeRanOut(string where)
    {
        var max = Limits.MaxTime ?? TimeSpan.Zero;
        return new WorkflowBudgetException(
            $"budget max_time {DurationText.Format(max)} reached while {where} ran (it runs again from its start on resume). Raise it with 'agent workflow resume {_runId} --max-time {DurationText.Format(max * 2)}'.");
    }

    /// <summary>
    /// Takes one model step from the run's budget, before the step is asked of the model: the one counter every agent
    /// and decision turn of the run shares, parallel branches included, so together they never go past
    /// <c>max_steps</c>.
    /// </summary>
    /// <returns>Whether the step may be taken (false: the limit is reached, and the turn stops).</returns>
    public bool TryTakeStep()
    {
        lock (_sync)
        {
            if (Limits.MaxSteps is { } max && _steps >= max)
            {
                return false;
            }

            _steps++;
            return true;
        }
    }

    /// <summary>Whether the step limit is reached (no step is left).</summary>
    public bool StepsExhausted => StepsLeft is 0;

    /// <summary>Adds a model turn's cost (its steps were taken with <see cref="TryTakeStep"/>).</summary>
    public void AddCost(decimal? cost)
    {
        lock (_sync)
        {
            _cost += cost ?? 0m;
        }
    }

    /// <summary>Stops counting time until the returned scope is disposed (a person is being asked).</summary>
    public IDisposable PauseClock()
    {
        lock (_sync)
        {
            if (_paused++ == 0)
            {
                _clock.Stop();
            }
        }

        return new Resume(this);
    }

    /// <summary>Throws when a limit is passed; before a model node, also when nothing is left of it.</summary>
    /// <param name="beforeModelNode">Whether an agent or decision node is about to run.</param>
    /// <exception cref="WorkflowBudgetException">A limit is reached.</exception>
    public void Check(bool beforeModelNode = false)
    {
        var now = Counters;
        if (Limits.MaxSteps is { } maxSteps && (now.ModelSteps > maxSteps || (beforeModelNode && now.ModelSteps >= maxSteps)))
        {
            throw new WorkflowBudgetException(
                $"budget max_steps {maxSteps} reached ({now.ModelSteps} model steps used). Raise it with 'agent workflow resume {_runId} --max-steps {Math.Max(maxSteps * 2, now.ModelSteps + 10)}'.");
        }

        if (Limits.MaxCost is { } maxCost && (now.Cost > maxCost || (beforeModelNode && now.Cost >= maxCost)))
        {
            throw new WorkflowBudgetException(
                string.Create(CultureInfo.InvariantCulture, $"budget max_cost ${maxCost:0.00##} reached (${now.Cost:0.00##} spent). Raise it with 'agent workflow resume {_runId} --max-cost {Math.Max(maxCost * 2, now.Cost + 1):0.00}'."));
        }

        if (Limits.MaxTime is { } maxTime && now.ActiveMilliseconds > maxTime.TotalMilliseconds)
        {
            throw new WorkflowBudgetException(
                $"budget max_time {DurationText.Format(maxTime)} reached ({DurationText.Format(TimeSpan.FromMilliseconds(now.ActiveMilliseconds))} of active time). Raise it with 'agent workflow resume {_runId} --max-time {DurationText.Format(maxTime * 2)}'.");
        }
    }

    private void Continue()
    {
        lock (_sync)
        {
            if (--_paused == 0)
            {
                _clock.Start();
            }
        }
    }

    private sealed class Resume(WorkflowBudgetTracker tracker) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                tracker.Continue();
            }
        }
    }
}
