namespace OrleansTenancy.GrainInterfaces;

/// <summary>What the caller knows about an execution beyond its cost: it becomes the request's usage ledger row.</summary>
public sealed record ExecutionDetails
{
    /// <summary>The outcome: <c>ok</c>, <c>cancelled</c> or <c>error</c>.</summary>
    public string Status { get; init; } = "ok";

    /// <summary>The model that ran, when it differs from the reserved one (a fallback).</summary>
    public string? Model { get; init; }

    /// <summary>The upstream provider that served the call, when known.</summary>
    public string? Provider { get; init; }

    /// <summary>The agent that made the call, when known.</summary>
    public string? Agent { get; init; }

    /// <summary>The task the model was chosen for, when known.</summary>
    public string? Task { get; init; }

    /// <summary>End-to-end latency in milliseconds.</summary>
    public long LatencyMs { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    public bool Cached { get; init; }

    /// <summary>Details with only a status.</summary>
    public static ExecutionDetails WithStatus(string status) => new() { Status = status };
}
