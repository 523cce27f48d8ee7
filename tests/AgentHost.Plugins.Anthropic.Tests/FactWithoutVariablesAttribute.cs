namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>A fact that is skipped, with the reason, when one of these variables is set in the test process's environment (it would supply what the test leaves out).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class FactWithoutVariablesAttribute : FactAttribute
{
    public FactWithoutVariablesAttribute(params string[] variables)
    {
        if (variables.FirstOrDefault(v => Environment.GetEnvironmentVariable(v) is { Length: > 0 }) is { } set)
        {
            Skip = $"{set} is set in this environment and would supply the value the test leaves out";
        }
    }
}
