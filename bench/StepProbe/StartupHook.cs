using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Runtime;
using System.Text;

/// <summary>
/// DOTNET_STARTUP_HOOKS entry point. Listens to the AgentHost activity source (agent.run, agent.step, agent.tool and,
/// when the build has it, agent.tool.execute) and the agenthost.model.duration histogram, and at exit appends one
/// line per step to $STEP_PROBE_OUT: step wall, model time, tool pipeline time, tool execution time, JIT'd methods
/// and JIT time during the step. With STEP_PROBE_METHODS=1 it also lists the methods JIT'd during each step.
/// </summary>
#pragma warning disable CA1050, CA1812
internal static class StartupHook
{
    private static readonly ConcurrentQueue<string> Lines = new();
    private static readonly ConcurrentDictionary<int, double> ModelMs = new();
    private static readonly ConcurrentDictionary<int, double> ToolMs = new();
    private static readonly ConcurrentDictionary<int, double> ExecMs = new();
    private static readonly ConcurrentDictionary<int, (long Methods, double JitMs)> StepStartJit = new();
    private static readonly ConcurrentDictionary<int, ConcurrentQueue<string>> StepMethods = new();
    private static volatile int _currentStep;
    private static ActivityListener? _listener;
    private static MeterListener? _meters;
    private static JitListener? _jit;

    public static void Initialize()
    {
        var output = Environment.GetEnvironmentVariable("STEP_PROBE_OUT");
        if (string.IsNullOrEmpty(output))
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("STEP_PROBE_METHODS") == "1")
        {
            _jit = new JitListener();
        }

        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("AgentHost", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (activity.OperationName == "agent.run")
                {
                    _currentStep = 0;
                }
                else if (activity.OperationName == "agent.step")
                {
                    // Tags are set after the start callback: steps run one after another, so count them.
                    var step = ++_currentStep;
                    StepStartJit[step] = (JitInfo.GetCompiledMethodCount(false), JitInfo.GetCompilationTime(false).TotalMilliseconds);
                }
            },
            ActivityStopped = activity =>
            {
                var step = StepOf(activity);
                switch (activity.OperationName)
                {
                    case "agent.step":
                        var start = StepStartJit.GetValueOrDefault(step);
                        var methods = JitInfo.GetCompiledMethodCount(false) - start.Methods;
                        var jitMs = JitInfo.GetCompilationTime(false).TotalMilliseconds - start.JitMs;
                        Lines.Enqueue(string.Create(
                            CultureInfo.InvariantCulture,
                            $"step\t{step}\t{activity.Duration.TotalMilliseconds:F3}\t{ModelMs.GetValueOrDefault(step):F3}\t{ToolMs.GetValueOrDefault(step):F3}\t{ExecMs.GetValueOrDefault(step):F3}\t{methods}\t{jitMs:F3}"));
                        if (_jit is not null && StepMethods.TryGetValue(step, out var names))
                        {
                            foreach (var name in names)
                            {
                                Lines.Enqueue($"jit\t{step}\t{name}");
                            }
                        }

                        break;
                    case "agent.tool":
                        ToolMs.AddOrUpdate(step, activity.Duration.TotalMilliseconds, (_, v) => v + activity.Duration.TotalMilliseconds);
                        break;
                    case "agent.tool.execute":
                        ExecMs.AddOrUpdate(step, activity.Duration.TotalMilliseconds, (_, v) => v + activity.Duration.TotalMilliseconds);
                        break;
                    default:
                        Lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"act\t{step}\t{activity.OperationName}\t{activity.Duration.TotalMilliseconds:F3}"));
                        break;
                    case "agent.run":
                        Lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"run\t0\t{activity.Duration.TotalMilliseconds:F3}"));
                        break;
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);

        _meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "AgentHost" && instrument.Name == "agenthost.model.duration")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meters.SetMeasurementEventCallback<double>((_, seconds, _, _) =>
        {
            var step = Activity.Current is { } current ? StepOf(current) : _currentStep;
            ModelMs.AddOrUpdate(step, seconds * 1000, (_, v) => v + (seconds * 1000));
        });
        _meters.Start();

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Lines.Enqueue(string.Create(CultureInfo.InvariantCulture, $"exit\t0\t{(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:F1}\t{JitInfo.GetCompiledMethodCount(false)}\t{JitInfo.GetCompilationTime(false).TotalMilliseconds:F1}"));
            var text = new StringBuilder();
            var pid = Environment.ProcessId;
            foreach (var line in Lines)
            {
                text.Append(pid).Append('\t').Append(line).Append('\n');
            }

            File.AppendAllText(output, text.ToString());
        };
    }

    private static int StepOf(Activity? activity)
    {
        for (var a = activity; a is not null; a = a.Parent)
        {
            if (a.OperationName == "agent.step" && a.GetTagItem("agenthost.step") is int step)
            {
                return step;
            }
        }

        return _currentStep;
    }

    /// <summary>The runtime's JIT events: the names of the methods compiled while a step runs.</summary>
    private sealed class JitListener : EventListener
    {
        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x10); // JIT keyword
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.PayloadNames is null || !e.PayloadNames.Contains("MethodName") || e.EventName?.StartsWith("MethodLoad", StringComparison.Ordinal) != true)
            {
                return;
            }

            var step = _currentStep;
            var name = $"{e.Payload?[e.PayloadNames!.IndexOf("MethodNamespace")]}::{e.Payload?[e.PayloadNames!.IndexOf("MethodName")]}";
            StepMethods.GetOrAdd(step, _ => new ConcurrentQueue<string>()).Enqueue(name);
        }
    }
}
