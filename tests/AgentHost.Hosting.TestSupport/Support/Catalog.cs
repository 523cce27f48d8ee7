namespace AgentHost.Tests.Support;

/// <summary>The bundled catalog shipped next to the agent (copied into the test output by the build).</summary>
public static class Catalog
{
    public static string PathOf(string folder)
    {
        var path = System.IO.Path.Combine(AppContext.BaseDirectory, "catalog", folder);
        return Directory.Exists(path) ? path : throw new InvalidOperationException($"catalog plugin {folder} is missing at {path}; build the solution first.");
    }
}
