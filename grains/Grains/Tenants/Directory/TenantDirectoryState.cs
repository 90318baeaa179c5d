using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>The persisted state of the <see cref="TenantDirectoryGrain"/>.</summary>
public sealed class TenantDirectoryState
{
    /// <summary>Grows on every change; stored with the tenants, so it never goes back across restarts.</summary>
    public long Version { get; set; }

    /// <summary>The runtime tenants by id.</summary>
    public Dictionary<string, StoredTenant> Tenants { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One runtime tenant as stored.</summary>
public sealed record StoredTenant
{
    /// <summary>The tenant slug.</summary>
    public required string Id { get; init; }

    /// <summary>Human name, or <see langword="null"/> for the id.</summary>
    public string? Name { get; init; }

    /// <summary>Workspace keys; empty for the default workspace.</summary>
    public IReadOnlyList<string> Workspaces { get; init; } = [];

    /// <summary>The tenant's own limits, if any.</summary>
    public BudgetLimits? Budget { get; init; }

    /// <summary>When it was registered.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last replaced.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
}
