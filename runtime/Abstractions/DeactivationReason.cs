namespace OrleansTenancy.Runtime;

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReasonCode
{
    /// <summary>No reason given.</summary>
    None,

    /// <summary>The silo is shutting down.</summary>
    ShuttingDown,

    /// <summary>The activation was idle longer than the collection age.</summary>
    ActivationIdle,

    /// <summary>The grain asked for it (<c>DeactivateOnIdle</c>).</summary>
    ApplicationRequested,

    /// <summary>A call failed in a way that makes the in-memory state untrustworthy (for example an ETag conflict).</summary>
    ApplicationError,

    /// <summary>Activation failed (constructor, state read or <c>OnActivateAsync</c> threw).</summary>
    ActivationFailed,

    /// <summary>Cluster membership changed and another silo now owns the grain.</summary>
    PlacementChanged,
}

/// <summary>Why an activation is being deactivated, with a human-readable description.</summary>
/// <param name="ReasonCode">The category.</param>
/// <param name="Description">What happened, for logs.</param>
/// <param name="Exception">The exception that caused it, if any.</param>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description, Exception? Exception = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{ReasonCode}: {Description}";
}
