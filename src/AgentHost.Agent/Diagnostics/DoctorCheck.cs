namespace AgentHost.Agent.Diagnostics;

/// <summary>The verdict of one doctor check.</summary>
public enum DoctorStatus
{
    /// <summary>Fine.</summary>
    Ok,

    /// <summary>Works, but something deserves attention.</summary>
    Warn,

    /// <summary>Broken; the fix says what to do.</summary>
    Fail,

    /// <summary>Not applicable here.</summary>
    Skip,
}

/// <summary>One line of <c>agent doctor</c>.</summary>
/// <param name="Status">The verdict.</param>
/// <param name="Name">What was checked.</param>
/// <param name="Detail">What was found.</param>
/// <param name="Fix">What to do when not OK.</param>
public sealed record DoctorCheck(DoctorStatus Status, string Name, string Detail, string? Fix = null);
