using System.Reflection;
using Xunit.Abstractions;

namespace AgentHost.Tests.Support;

/// <summary>
/// Starts the test collections that hold slow tests (a class or a test method marked <c>[Trait("Speed", "Slow")]</c>)
/// before the others.
/// xunit's own order is by the collections' ids, which puts a minute-long class anywhere, the end included, where it
/// runs alone while the other test threads have nothing left; started first, it runs beside the many short ones.
/// An assembly opts in with
/// <c>[assembly: TestCollectionOrderer(SlowCollectionsFirst.TypeName, SlowCollectionsFirst.AssemblyName)]</c>.
/// </summary>
public sealed class SlowCollectionsFirst : ITestCollectionOrderer
{
    /// <summary>This type's full name, for <see cref="TestCollectionOrdererAttribute"/>.</summary>
    public const string TypeName = "AgentHost.Tests.Support.SlowCollectionsFirst";

    /// <summary>This type's assembly, for <see cref="TestCollectionOrdererAttribute"/>.</summary>
    public const string AssemblyName = "AgentHost.TestSupport";

    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections)
    {
        var collections = testCollections.ToList();
        if (collections.Count == 0 || collections[0].TestAssembly.Assembly is not IReflectionAssemblyInfo assembly)
        {
            return collections;
        }

        var slow = SlowCollectionNames(assembly.Assembly);
        return collections
            .OrderBy(collection => slow.Contains(collection.DisplayName) ? 0 : 1)
            .ThenBy(collection => collection.UniqueID);
    }

    /// <summary>The names of the collections that hold a slow class: its <c>[Collection]</c> name, else xunit's name for a class's own collection.</summary>
    public static HashSet<string> SlowCollectionNames(Assembly assembly)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes().Where(IsSlow))
        {
            var collection = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute));
            names.Add(collection?.ConstructorArguments[0].Value as string ?? "Test collection for " + type.FullName);
        }

        return names;
    }

    private static bool IsSlow(Type type) =>
        MarkedSlow(type) || type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Any(MarkedSlow);

    private static bool MarkedSlow(MemberInfo member) =>
        member.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments is [{ Value: "Speed" }, { Value: "Slow" }]);
}
