namespace OrleansTenancy.Grains.Workspaces;

/// <summary>The persisted memory of one workspace (state name <c>memory</c>).</summary>
public sealed class WorkspaceMemoryState
{
    /// <summary>Entries by full namespace, oldest write first. A namespace without entries is removed.</summary>
    public Dictionary<string, List<StoredMemoryEntry>> Namespaces { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The last write sequence number handed out; it orders entries whose clock times are equal.</summary>
    public long Sequence { get; set; }
}

/// <summary>One persisted memory entry.</summary>
public sealed class StoredMemoryEntry
{
    /// <summary>The id, unique within its namespace.</summary>
    public string Id { get; set; } = "";

    /// <summary>The remembered text.</summary>
    public string Text { get; set; } = "";

    /// <summary>The metadata; keys are unique regardless of case.</summary>
    public Dictionary<string, string> Metadata { get; set; } = new(StringComparer.Ordinal);

    /// <summary>When the entry was first added.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the entry was last written.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The workspace's write sequence number of the last write.</summary>
    public long Sequence { get; set; }
}
