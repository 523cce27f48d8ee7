using AgentHost.Tests.Support;

// The slow test classes start first (docs/testing.md, "How CI runs").
[assembly: TestCollectionOrderer(SlowCollectionsFirst.TypeName, SlowCollectionsFirst.AssemblyName)]
