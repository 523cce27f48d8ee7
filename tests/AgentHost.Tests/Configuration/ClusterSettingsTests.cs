using AgentHost.Cli.Commands.Serve;
using AgentHost.Hosting;

namespace AgentHost.Tests.Configuration;

/// <summary>The settings of <c>agent serve --cluster</c> (docs/cluster.md), as the node reads and checks them before it starts.</summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void DrainTimeout_Is30SecondsByDefault_AndTheUsersSecondsWhenSet()
    {
        using var project = new ConfigProject();
        var unset = ClusterStart.Settings(project.Resolve()).DrainTimeout;
        project.WriteGlobal("server:\n  cluster:\n    drain_timeout: 2.5\n");
        var set = ClusterStart.Settings(project.Resolve()).DrainTimeout;

        Assert.Equal(TimeSpan.FromSeconds(30), unset);
        Assert.Equal(TimeSpan.FromSeconds(2.5), set);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-1")]
    [InlineData("3601")]
    public void DrainTimeout_NotSecondsFrom0To3600_IsAConfigurationError_NamingTheSettingAndTheRange(string value)
    {
        using var project = new ConfigProject();
        project.WriteGlobal($"server:\n  cluster:\n    drain_timeout: \"{value}\"\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith($"server.cluster.drain_timeout: '{value}' is not a number of seconds from 0 to 3600; give e.g. 30", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DrainTimeout_FromAProjectsFile_IsRefused_EvenInATrustedProject()
    {
        using var project = new ConfigProject();
        project.TrustRepo();
        project.WriteProject("server:\n  cluster:\n    drain_timeout: 1\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith("server.cluster.drain_timeout is set in ", error.Message, StringComparison.Ordinal);
        Assert.Contains("a project's configuration cannot place this server in a cluster", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkflowCheck_Is60SecondsByDefault_AndTheUsersSecondsWhenSet()
    {
        using var project = new ConfigProject();
        var unset = ClusterStart.Settings(project.Resolve()).WorkflowCheck;
        project.WriteGlobal("server:\n  cluster:\n    workflow_check: 2.5\n");
        var set = ClusterStart.Settings(project.Resolve()).WorkflowCheck;

        Assert.Equal(TimeSpan.FromSeconds(60), unset);
        Assert.Equal(TimeSpan.FromSeconds(2.5), set);
    }

    [Theory]
    [InlineData("often")]
    [InlineData("0.5")]
    [InlineData("86401")]
    public void WorkflowCheck_NotSecondsFrom1To86400_IsAConfigurationError_NamingTheSettingAndTheRange(string value)
    {
        using var project = new ConfigProject();
        project.WriteGlobal($"server:\n  cluster:\n    workflow_check: \"{value}\"\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith($"server.cluster.workflow_check: '{value}' is not a number of seconds from 1 to 86400; give e.g. 60", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WorkflowCheck_FromAProjectsFile_IsRefused()
    {
        using var project = new ConfigProject();
        project.TrustRepo();
        project.WriteProject("server:\n  cluster:\n    workflow_check: 5\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.StartsWith("server.cluster.workflow_check is set in ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeTimeout_Is2SecondsByDefault_AndTheUsersSecondsWhenSet()
    {
        using var project = new ConfigProject();
        var unset = ClusterStart.Settings(project.Resolve()).ProbeTimeout;
        project.WriteGlobal("server:\n  cluster:\n    probe_timeout: 5\n");
        var set = ClusterStart.Settings(project.Resolve()).ProbeTimeout;

        Assert.Equal(TimeSpan.FromSeconds(2), unset);
        Assert.Equal(TimeSpan.FromSeconds(5), set);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("0.1")]
    [InlineData("61")]
    public void ProbeTimeout_NotSecondsFromHalfTo60_IsAConfigurationError_NamingTheSettingAndTheRange(string value)
    {
        using var project = new ConfigProject();
        project.WriteGlobal($"server:\n  cluster:\n    probe_timeout: \"{value}\"\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith($"server.cluster.probe_timeout: '{value}' is not a number of seconds from 0.5 to 60; give e.g. 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tls_IsAutoWithTheStoresCertificate_ByDefault()
    {
        using var project = new ConfigProject();

        var (mode, certificate) = ClusterStart.Tls(project.Resolve(), project.Environment());

        Assert.Equal(AgentHost.Cluster.ClusterTlsMode.Auto, mode);
        Assert.Null(certificate);
    }

    [Fact]
    public void TlsCertificate_IsTheFileFromTheCurrentDirectory_WithThePasswordOfTheNamedVariable()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("server:\n  cluster:\n    tls:\n      certificate: certs/cluster.pfx\n      password_env: CLUSTER_PFX_PASSWORD\n");
        var variables = new Dictionary<string, string> { ["CLUSTER_PFX_PASSWORD"] = "s3cret" };

        var (mode, certificate) = ClusterStart.Tls(project.Resolve(variables), project.Environment(variables));

        Assert.Equal(AgentHost.Cluster.ClusterTlsMode.Auto, mode);
        Assert.Equal(Path.Combine(project.Repo, "certs", "cluster.pfx"), certificate!.Path);
        Assert.Equal("s3cret", certificate.Password);
        Assert.Equal(certificate.Path, certificate.ToString());
    }

    [Fact]
    public void TlsMode_Off_IsRead()
    {
        using var project = new ConfigProject();
        project.WriteGlobal("server:\n  cluster:\n    tls:\n      mode: off\n");

        Assert.Equal(AgentHost.Cluster.ClusterTlsMode.Off, ClusterStart.Tls(project.Resolve(), project.Environment()).Mode);
    }

    [Theory]
    [InlineData("server:\n  cluster:\n    tls:\n      mode: plain\n", "server.cluster.tls.mode: 'plain' is not a mode; give auto")]
    [InlineData("server:\n  cluster:\n    tls:\n      certificate: c.pfx\n      password_env: UNSET_PFX_PASSWORD\n", "server.cluster.tls.password_env names UNSET_PFX_PASSWORD, which is not set (or empty)")]
    [InlineData("server:\n  cluster:\n    tls:\n      password_env: UNSET_PFX_PASSWORD\n", "server.cluster.tls.password_env is set (UNSET_PFX_PASSWORD) but server.cluster.tls.certificate is not")]
    public void Tls_BadSettings_AreConfigurationErrors_NamingTheSetting(string yaml, string message)
    {
        using var project = new ConfigProject();
        project.WriteGlobal(yaml);

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Tls(project.Resolve(), project.Environment()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mode: \"off\"", "server.cluster.tls.mode")]
    [InlineData("certificate: /tmp/theirs.pfx", "server.cluster.tls.certificate")]
    public void Tls_FromAProjectsFile_IsRefused_EvenInATrustedProject(string setting, string key)
    {
        using var project = new ConfigProject();
        project.TrustRepo();
        project.WriteProject($"server:\n  cluster:\n    tls:\n      {setting}\n");

        var error = Assert.Throws<AgentHostException>(() => ClusterStart.Settings(project.Resolve()));

        Assert.Equal(ErrorKind.Configuration, error.Kind);
        Assert.StartsWith($"{key} is set in ", error.Message, StringComparison.Ordinal);
    }
}
