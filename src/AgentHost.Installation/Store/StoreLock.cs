using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
namespace AgentHost.Installation.Store;

/// <summary>An exclusive, process-wide lock on the plugin store, held while a command changes plugins.</summary>
/// <remarks>It keeps two concurrent commands from cleaning each other's staging folders or losing lockfile writes.</remarks>
internal sealed class StoreLock : IDisposable
{
    private readonly FileStream _stream;

    private StoreLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock, failing at once when another command holds it.</summary>
    /// <exception cref="AgentHostException">Another command holds the lock.</exception>
    public static StoreLock Acquire(PluginStore store)
    {
        Directory.CreateDirectory(store.Paths.PluginsDirectory);
        var path = Path.Combine(store.Paths.PluginsDirectory, ".lock");
        try
        {
            return new StoreLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException ex)
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"another 'agent plugin' command is changing plugins right now (it holds {path}); wait for it to finish, then retry.",
                ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
