using AgentHost.Tests.Server;
using AgentHost.Tests.Support;
using AgentHost.Tests.Template;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AgentHost.Tests.Architecture;

public sealed class SlowCollectionsFirstTests
{
    private static readonly TestAssembly Assembly = new(new ReflectionAssemblyInfo(typeof(SlowCollectionsFirstTests).Assembly));

    [Fact]
    public void SlowCollectionNames_NameTheCollectionsOfSlowClassesAndOfClassesWithSlowTests_AsXunitNamesThem()
    {
        var names = SlowCollectionsFirst.SlowCollectionNames(typeof(SlowCollectionsFirstTests).Assembly);

        Assert.Contains("Test collection for " + typeof(ClusterTests).FullName, names);      // slow test methods
        Assert.Contains(TemplateEndToEnd.Name, names);                                         // a slow class in a named collection
        Assert.DoesNotContain("Test collection for " + typeof(SlowCollectionsFirstTests).FullName, names);
    }

    [Fact]
    public void OrderTestCollections_PutsTheSlowCollectionsFirst_AndKeepsXunitsOrderWithinEach()
    {
        var fast = Collection("Test collection for " + typeof(SlowCollectionsFirstTests).FullName);
        var slow = Collection("Test collection for " + typeof(ClusterTests).FullName);
        var named = Collection(TemplateEndToEnd.Name);
        ITestCollection[] input = [fast, slow, named];

        var ordered = new SlowCollectionsFirst().OrderTestCollections(input).ToList();

        Assert.Equal(3, ordered.Count);
        Assert.Same(fast, ordered[2]);
        Assert.Equal(new[] { slow, named }.OrderBy(c => c.UniqueID), ordered.Take(2));
    }

    [Fact]
    public void ThisAssembly_UsesTheOrderer()
    {
        var attribute = Assert.Single(typeof(SlowCollectionsFirstTests).Assembly.GetCustomAttributesData(), a => a.AttributeType == typeof(TestCollectionOrdererAttribute));

        Assert.Equal([SlowCollectionsFirst.TypeName, SlowCollectionsFirst.AssemblyName], attribute.ConstructorArguments.Select(a => a.Value));
    }

    private static TestCollection Collection(string name) => new TestCollection(Assembly, null, name);
}
