using System.Reflection;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;

namespace AgentHost.Hosting.Tests.Plugins;

public sealed class DepsFileVersionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("deps-versions-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Find_GivesTheHostsDepsFileVersion_TheVersionTheHostLoadsByThatName()
    {
        // System.Net.Http is not loaded by these tests before this line; its version comes from the deps files.
        var recorded = DepsFileVersions.Find("System.Net.Http");

        Assert.NotNull(recorded);
        Assert.Equal(Assembly.Load(new AssemblyName("System.Net.Http")).GetName().Version, recorded);
        Assert.Equal(typeof(object).Assembly.GetName().Version, DepsFileVersions.Find("System.Private.CoreLib"));
        Assert.Null(DepsFileVersions.Find("Not.An.Assembly.Of.This.Host"));
    }

    [Fact]
    public void Read_TakesEveryRuntimeFilesAssemblyVersion_FirstFileWins_AndSkipsWhatItCannotRead()
    {
        var app = Write("app.deps.json", """
            {
              "targets": {
                ".NETCoreApp,Version=v10.0/linux-x64": {
                  "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/10.0.12": {
                    "runtime": {
                      "System.Runtime.dll": { "assemblyVersion": "10.0.0.0", "fileVersion": "10.0.1226.42308" },
                      "Microsoft.VisualBasic.Core.dll": { "fileVersion": "15.0.1226.42308", "assemblyVersion": "15.0.0.0" }
                    },
                    "native": { "libSystem.Native.so": { "fileVersion": "0.0.0.0" } }
                  },
                  "OpenAI/2.15.0": {
                    "dependencies": { "System.ClientModel": "1.16.0" },
                    "runtime": { "lib/net8.0/OpenAI.dll": { "assemblyVersion": "2.15.0.0", "fileVersion": "2.15.0.0" } }
                  },
                  "NoVersion/1.0.0": { "runtime": { "lib/net8.0/NoVersion.dll": {} } }
                }
              },
              "libraries": { "OpenAI/2.15.0": { "type": "package", "sha512": "sha512-x" } }
            }
            """);
        var framework = Write("framework.deps.json", """
            { "targets": { "x": { "p": { "runtime": { "System.Runtime.dll": { "assemblyVersion": "9.0.0.0" }, "System.Linq.dll": { "assemblyVersion": "10.0.0.0" } } } } } }
            """);
        var broken = Write("broken.deps.json", """{ "targets": { "x": { "p": { "runtime": { "Broken.dll": { "assemblyVersion": """);

        var versions = DepsFileVersions.Read([app, Path.Combine(_folder, "missing.deps.json"), broken, framework]);

        Assert.Equal(new Version(10, 0, 0, 0), versions["System.Runtime"]); // the first file that names it
        Assert.Equal(new Version(15, 0, 0, 0), versions["microsoft.visualbasic.core"]);
        Assert.Equal(new Version(2, 15, 0, 0), versions["OpenAI"]);
        Assert.Equal(new Version(10, 0, 0, 0), versions["System.Linq"]);
        Assert.False(versions.ContainsKey("NoVersion"));
        Assert.False(versions.ContainsKey("libSystem.Native"));
        Assert.False(versions.ContainsKey("Broken"));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
