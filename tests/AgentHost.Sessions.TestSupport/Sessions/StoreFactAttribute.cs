using AgentHost.Tests.Support;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AgentHost.Tests.Sessions;

/// <summary>
/// A fact of the store contract (<see cref="SessionStoreContract"/>): it runs for every implementation's test class, and
/// is skipped, with the reason, for a class marked <see cref="RequiresPostgresAttribute"/> on a machine without
/// PostgreSQL (an attribute on the base class's methods cannot know the class it runs for; the discoverer can).
/// </summary>
[XunitTestCaseDiscoverer("AgentHost.Tests.Sessions.StoreFactDiscoverer", "AgentHost.Sessions.TestSupport")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
}

/// <summary>Marks a contract test class whose store needs a PostgreSQL server (<see cref="PostgresServer"/>).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class RequiresPostgresAttribute : Attribute
{
}

/// <summary>Discovers <see cref="StoreFactAttribute"/> facts: skipped with <see cref="PostgresServer.SkipReason"/> where their class needs PostgreSQL and it is absent.</summary>
public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var type = (testMethod.TestClass.Class as IReflectionTypeInfo)?.Type;
        var reason = type is not null && Attribute.IsDefined(type, typeof(RequiresPostgresAttribute)) ? PostgresServer.SkipReason : null;
        return reason is null
            ? base.Discover(discoveryOptions, testMethod, factAttribute)
            : [new XunitSkippedDataRowTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason)];
    }
}
