using System.Reflection;

namespace AgentHost.Tests.Support;

/// <summary>Locates the fixture plugins built by the test build (artifacts/fixtures/&lt;project&gt;/).</summary>
public static class Fixtures
{
    public static string Directory { get; } =
        typeof(Fixtures).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FixturesDirectory").Value!;

    public static string PathOf(string project)
    {
        var path = System.IO.Path.Combine(Directory, project);
        return System.IO.Directory.Exists(path)
            ? path
            : throw new InvalidOperationException($"Fixture plugin {project} was not built at {path}; build the solution first.");
    }

    /// <summary>Copies a fixture plugin into <paramref name="destination"/> so a test can change it freely.</summary>
    public static string CopyTo(string project, string destination)
    {
        var source = PathOf(project);
        foreach (var file in System.IO.Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(destination, System.IO.Path.GetRelativePath(source, file));
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return destination;
    }
}
