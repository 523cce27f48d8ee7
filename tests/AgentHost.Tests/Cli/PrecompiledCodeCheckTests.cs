using AgentHost.Agent.Diagnostics;

namespace AgentHost.Tests.Cli;

/// <summary>#25: <c>agent doctor</c> warns when the release build's precompiled code needs more than this CPU has.</summary>
public sealed class PrecompiledCodeCheckTests
{
    [Fact]
    public void X64V3Build_OnACpuWithoutAvx2_IsAWarning_WithTheBuildToUseInstead()
    {
        var check = PrecompiledCodeCheck.Judge("x86-64-v3", avx2: false, avx512: false);

        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains("x86-64-v3", check.Detail, StringComparison.Ordinal);
        Assert.Contains("-p:AgentInstructionSet=default", check.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x86-64-v3", true, false, DoctorStatus.Ok)]
    [InlineData("x86-64-v4", true, false, DoctorStatus.Warn)]
    [InlineData("x86-64-v4", true, true, DoctorStatus.Ok)]
    [InlineData("armv8.2-a", false, false, DoctorStatus.Ok)]
    [InlineData(null, false, false, DoctorStatus.Skip)]
    public void Verdict_FollowsTheRecordedInstructionSet_AndTheCpu(string? instructionSet, bool avx2, bool avx512, DoctorStatus expected) =>
        Assert.Equal(expected, PrecompiledCodeCheck.Judge(instructionSet, avx2, avx512).Status);

    [Fact]
    public void TheTestBuild_RecordsNoInstructionSet_SoTheCheckIsSkipped() =>
        Assert.Equal(DoctorStatus.Skip, PrecompiledCodeCheck.Run().Status);
}
