using AgentHost.Permissions;
using AgentHost.Permissions.Rules;

namespace AgentHost.Agent.Service;

/// <content>The session's policy (docs/permissions.md, "Session policies"): narrowed while the session is open.</content>
public sealed partial class AgentSession
{
    /// <summary>
    /// Adds a layer to the session's policy for every call decided from now on, in this turn and every later one, and
    /// for its <c>@file</c> references: the policy can only get narrower (a front end stored the narrower settings).
    /// </summary>
    /// <param name="layer">The layer (<see cref="Sessions.SessionPolicySettings.FromSettings"/> of the changed settings).</param>
    public void NarrowPolicy(SessionPolicy layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ThrowIfClosed();
        if (layer.IsEmpty)
        {
            return;
        }

        lock (_sync)
        {
            Volatile.Write(ref _policy, _policy.WithSession(layer));
        }

        RunContext?.Gate.Narrow(layer);
    }

    /// <summary>Adds to a just-built context's gate the layers added while it was being built (the build read the opening before them).</summary>
    private void CatchUpPolicy(SessionRunContext context)
    {
        IReadOnlyList<SessionPolicy> layers;
        lock (_sync)
        {
            layers = _policy.SessionLayers;
        }

        for (var i = context.Gate.Policy.SessionLayers.Count; i < layers.Count; i++)
        {
            context.Gate.Narrow(layers[i]);
        }
    }
}
