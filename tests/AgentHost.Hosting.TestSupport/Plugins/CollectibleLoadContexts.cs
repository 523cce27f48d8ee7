namespace AgentHost.Tests.Plugins;

/// <summary>
/// The tests that load plugins into collectible contexts and unload them: only these may, since collectible loads and
/// unloads at volume corrupt the GC heap on .NET 10.0.12 (decision record
/// docs/decisions/0008-collectible-contexts-runtime-report.md). They run in this collection alone, after every parallel collection has finished, so that no other test
/// shares the heap with them while they unload and a crash there names them. xunit reads a collection's definition
/// from the test assembly only, so each test project that has such tests declares it
/// (<c>[CollectionDefinition(CollectibleLoadContexts.Name, DisableParallelization = true)]</c>).
/// </summary>
public static class CollectibleLoadContexts
{
    public const string Name = "Collectible load contexts";

    /// <summary>
    /// Full collections (with finalizers) until the context is gone, for at most 30 seconds. A count of collections is
    /// not enough: a continuation or timer callback queued on the thread pool before the unload still roots the
    /// plugin's objects until a pool thread runs it, which on a loaded 2-core machine took longer than 20 back-to-back
    /// collections (the test failed once in CI that way). The bound only ends a wait for a reference that never goes.
    /// </summary>
    public static void CollectUntilReleased(WeakReference context)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (context.IsAlive && DateTime.UtcNow < deadline)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (context.IsAlive)
            {
                Thread.Sleep(50);
            }
        }
    }
}
