namespace OrleansTenancy.GrainInterfaces;

/// <summary>What the caller knows about an execution beyond its cost: it becomes the request's usage ledger row.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ExecutionDetails")]
public sealed record ExecutionDetails
{
    /// <summary>The outcome: <c>ok</c>, <c>cancelled</c> or <c>error</c>.</summary>
    [Id(0)]
    public string Status { get; init; } = "ok";

    /// <summary>The model that ran, when it differs from the reserved one (a fallback).</summary>
    [Id(1)]
    public string? Model { get; init; }

    /// <summary>The upstream provider that served the call, when known.</summary>
    [Id(2)]
    public string? Provider { get; init; }

    /// <summary>The agent that made the call, when known.</summary>
    [Id(3)]
    public string? Agent { get; init; }

    /// <summary>The task the model was chosen for, when known.</summary>
    [Id(4)]
    public string? Task { get; init; }

    /// <summary>End-to-end latency in milliseconds.</summary>
    [Id(5)]
    public long LatencyMs { get; init; }

    /// <summary>Whether the answer came from the response cache.</summary>
    [Id(6)]
    public bool Cached { get; init; }

    /// <summary>Details with only a status.</summary>
    public static ExecutionDetails WithStatus(string status) => new() { Status = status };
}
