using System.Reflection;
using System.Runtime.Intrinsics.X86;

namespace AgentHost.Agent.Diagnostics;

/// <summary>
/// The doctor's check of the release build's precompiled (ReadyToRun) code against this CPU: x64 builds are compiled
/// for x86-64-v3 (the CLI project's <c>AgentInstructionSet</c>), whose code the runtime does not use on a CPU without
/// AVX2; agent then JIT-compiles everything and starts about half a second later. The build records its instruction
/// set as assembly metadata of the executable's assembly.
/// </summary>
public static class PrecompiledCodeCheck
{
    /// <summary>The <see cref="AssemblyMetadataAttribute"/> key the release build sets (AgentHost.Cli.csproj).</summary>
    public const string MetadataKey = "AgentHost.ReadyToRunInstructionSet";

    /// <summary>The check for this process: the entry assembly's recorded instruction set against this CPU.</summary>
    /// <returns>The doctor line.</returns>
    public static DoctorCheck Run()
    {
        var recorded = Assembly.GetEntryAssembly()?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == MetadataKey)?.Value;
        return Judge(recorded, Avx2.IsSupported, Avx512F.IsSupported);
    }

    /// <summary>The verdict for a build compiled for <paramref name="instructionSet"/> on a CPU with the given support.</summary>
    /// <param name="instructionSet">The recorded crossgen2 instruction set, or null for a build that records none.</param>
    /// <param name="avx2">Whether the CPU (as the runtime sees it) supports AVX2.</param>
    /// <param name="avx512">Whether it supports AVX-512F.</param>
    /// <returns>The doctor line.</returns>
    public static DoctorCheck Judge(string? instructionSet, bool avx2, bool avx512)
    {
        const string Name = "precompiled code";
        if (string.IsNullOrEmpty(instructionSet))
        {
            return new DoctorCheck(DoctorStatus.Skip, Name, "this build records no instruction set (not a ReadyToRun release build, or the runtime's baseline)");
        }

        bool? supported = instructionSet switch
        {
            "x86-64-v3" => avx2,
            "x86-64-v4" => avx2 && avx512,
            _ => null,
        };
        return supported switch
        {
            true => new DoctorCheck(DoctorStatus.Ok, Name, $"compiled for {instructionSet}, which this CPU supports"),
            false => new DoctorCheck(
                DoctorStatus.Warn,
                Name,
                $"compiled for {instructionSet}, which this CPU (or its emulator) lacks: the runtime JIT-compiles everything instead, so every start is about 0.5 s slower",
                "Use a build published with -p:AgentInstructionSet=default (see README, \"Publish per runtime\")."),
            null => new DoctorCheck(DoctorStatus.Ok, Name, $"compiled for {instructionSet} (not checked against this CPU)"),
        };
    }
}
