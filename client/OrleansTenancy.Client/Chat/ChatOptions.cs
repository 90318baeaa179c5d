namespace OrleansTenancy.Client;

/// <summary>Optional settings of one chat call; every one left unset takes the tenant's routing policy.</summary>
public sealed record ChatOptions
{
    /// <summary>The model; unset (or <c>auto</c>) uses the task's model, else the tenant's default.</summary>
    public string? Model { get; init; }

    /// <summary>Models to try in order when the first fails upstream; each is checked against the budget before it runs.</summary>
    public IReadOnlyList<string>? Fallbacks { get; init; }

    /// <summary>The task, which selects the tenant's task → model mapping when <see cref="Model"/> is unset.</summary>
    public string? Task { get; init; }

    /// <summary>The calling agent, recorded in the usage ledger.</summary>
    public string? Agent { get; init; }

    /// <summary>The largest completion in tokens; capped by the tenant's policy and the model's maximum.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>The sampling temperature.</summary>
    public double? Temperature { get; init; }

    /// <summary>
    /// The request id the call is reserved, settled and recorded under. Unset: a new one per call. A request id that
    /// has already completed is refused (<c>request_id_reused</c>), so a call can never be charged twice under it.
    /// </summary>
    public string? RequestId { get; init; }
}
