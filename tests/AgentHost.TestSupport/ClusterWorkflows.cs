namespace AgentHost.Tests.Support;

/// <summary>The workflow the cluster's tests move between nodes (docs/cluster.md "Workflow runs"), in-process and as processes.</summary>
public static class ClusterWorkflows
{
    /// <summary>The file <see cref="WriteSteps"/> writes, relative to the workspace (what a start request names).</summary>
    public const string StepsFile = "steps.yaml";

    /// <summary>
    /// Three agent nodes, one after another: with a scripted model that thinks before each answer, a node is in flight
    /// whenever the run's node goes, and each completed node has its checkpoint (one model step each).
    /// </summary>
    public const string Steps = """
        name: steps
        nodes:
          - id: one
            kind: agent
            prompt: "first"
          - id: two
            kind: agent
            prompt: "second"
          - id: three
            kind: agent
            prompt: "third"
        """;

    /// <summary>Writes <see cref="Steps"/> into the workspace as <see cref="StepsFile"/>.</summary>
    public static void WriteSteps(string workspace) => File.WriteAllText(System.IO.Path.Combine(workspace, StepsFile), Steps);
}
