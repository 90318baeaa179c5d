namespace OrleansTenancy.GrainInterfaces;

/// <summary>An entry to add to a workspace memory namespace.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.MemoryAddRequest")]
public sealed record MemoryAddRequest
{
    /// <summary>The full namespace, <c>&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;</c> (see <c>TenantContext.MemNs</c>).</summary>
    [Id(0)]
    public required string Namespace { get; init; }

    /// <summary>The text to remember; must not be empty.</summary>
    [Id(1)]
    public required string Text { get; init; }

    /// <summary>Optional metadata; keys are unique regardless of case.</summary>
    [Id(2)]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The entry id; an existing id in the namespace is replaced. When absent, the grain generates one.</summary>
    [Id(3)]
    public string? Id { get; init; }
}

/// <summary>A retrieval from one workspace memory namespace.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.MemoryQuery")]
public sealed record MemoryQuery
{
    /// <summary>The default <see cref="Limit"/>.</summary>
    public const int DefaultLimit = 10;

    /// <summary>The largest accepted <see cref="Limit"/>.</summary>
    public const int MaxLimit = 100;

    /// <summary>The full namespace, <c>&lt;tenant&gt;:&lt;workspace&gt;:&lt;name&gt;</c>.</summary>
    [Id(0)]
    public required string Namespace { get; init; }

    /// <summary>When set, only entries whose text contains it (ignoring case).</summary>
    [Id(1)]
    public string? Contains { get; init; }

    /// <summary>When set, only entries having every pair; keys and values compare ignoring case.</summary>
    [Id(2)]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The most entries returned: 1 to <see cref="MaxLimit"/>; defaults to <see cref="DefaultLimit"/>.</summary>
    [Id(3)]
    public int Limit { get; init; } = DefaultLimit;
}

/// <summary>A stored memory entry.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.MemoryEntry")]
public sealed record MemoryEntry
{
    /// <summary>The namespace the entry lives in.</summary>
    [Id(0)]
    public required string Namespace { get; init; }

    /// <summary>The entry id, unique within its namespace.</summary>
    [Id(1)]
    public required string Id { get; init; }

    /// <summary>The remembered text.</summary>
    [Id(2)]
    public required string Text { get; init; }

    /// <summary>The metadata (possibly empty).</summary>
    [Id(3)]
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>When the entry was first added.</summary>
    [Id(4)]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the entry was last added or replaced.</summary>
    [Id(5)]
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A namespace of a workspace with its size.</summary>
/// <param name="Namespace">The full namespace.</param>
/// <param name="EntryCount">How many entries it holds.</param>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.MemoryNamespaceInfo")]
public sealed record MemoryNamespaceInfo(string Namespace, int EntryCount);

/// <summary>A response kept in a workspace's response cache.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.CachedResponse")]
public sealed record CachedResponse
{
    /// <summary>The response body as the caller will replay it (for example the upstream JSON).</summary>
    [Id(0)]
    public required string Payload { get; init; }

    /// <summary>The model that produced the response.</summary>
    [Id(1)]
    public required string Model { get; init; }

    /// <summary>The upstream provider that served it, when known.</summary>
    [Id(2)]
    public string? Provider { get; init; }

    /// <summary>Prompt tokens of the original call.</summary>
    [Id(3)]
    public long PromptTokens { get; init; }

    /// <summary>Completion tokens of the original call.</summary>
    [Id(4)]
    public long CompletionTokens { get; init; }

    /// <summary>What the original call cost, USD.</summary>
    [Id(5)]
    public decimal CostUsd { get; init; }

    /// <summary>When the response was cached; set by the workspace grain's clock, any value passed in is replaced.</summary>
    [Id(6)]
    public DateTimeOffset CreatedAt { get; init; }
}
