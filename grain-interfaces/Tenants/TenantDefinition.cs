namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// A tenant as it is registered at run time (<see cref="ITenantDirectoryGrain"/>, <c>POST /admin/tenants</c>): what a
/// YAML tenant folder says, reduced to what a service needs to declare for one of its own objects.
/// </summary>
/// <remarks>
/// Validation uses the rules of the YAML loader and of the budget PUT (one home for each rule): the id and each
/// workspace key is a slug, the limits are in range. A rule broken fails with an <see cref="ArgumentException"/> whose
/// message names each field broken (<c>id</c>, <c>workspaces[1]</c>, <c>limits</c>, …), starting with the first.
/// </remarks>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.TenantDefinition")]
public sealed record TenantDefinition
{
    /// <summary>The tenant id (a slug: lowercase letters, digits and dashes).</summary>
    [Id(0)]
    public required string Id { get; init; }

    /// <summary>Human name; the id when <see langword="null"/>.</summary>
    [Id(1)]
    public string? Name { get; init; }

    /// <summary>Workspace keys (slugs); empty means one workspace, <see cref="TenantDirectory.DefaultWorkspace"/>.</summary>
    [Id(2)]
    public IReadOnlyList<string> Workspaces { get; init; } = [];

    /// <summary>
    /// The tenant's budget: caps, tokens, executions, <c>max_per_request</c>, enforcement, <c>inherit_global</c> and alert
    /// thresholds. <see langword="null"/> means no limits of its own (the global defaults still apply).
    /// </summary>
    [Id(3)]
    public BudgetLimits? Budget { get; init; }
}

/// <summary>Where a tenant of the registry comes from.</summary>
[GenerateSerializer, Alias("OrleansTenancy.TenantSource")]
public enum TenantSource
{
    /// <summary>A folder of the YAML tenants folder (or the built-in <c>default</c> tenant).</summary>
    Yaml = 0,

    /// <summary>The tenant directory: registered at run time through the admin API or a cluster client.</summary>
    Runtime = 1,
}

/// <summary>A tenant the directory knows, with where it comes from.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.RegisteredTenant")]
public sealed record RegisteredTenant
{
    /// <summary>The tenant as registered (for a YAML tenant: its id, name, workspaces and budget from the files).</summary>
    [Id(0)]
    public required TenantDefinition Definition { get; init; }

    /// <summary>Where it comes from.</summary>
    [Id(1)]
    public TenantSource Source { get; init; }

    /// <summary>When it was registered (for a YAML tenant: when the directory first saw it, or the answer's time).</summary>
    [Id(2)]
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was last replaced; <see cref="CreatedAt"/> when never.</summary>
    [Id(3)]
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>The answer of <see cref="ITenantDirectoryGrain.EnsureAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.EnsuredTenant")]
public sealed record EnsuredTenant
{
    /// <summary>The tenant now registered under the id: the new one, or the existing one unchanged.</summary>
    [Id(0)]
    public required RegisteredTenant Tenant { get; init; }

    /// <summary>Whether this call created it (<see langword="false"/>: an existing tenant was linked).</summary>
    [Id(1)]
    public bool Created { get; init; }
}

/// <summary>The runtime tenants at one version of the directory.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.TenantDirectorySnapshot")]
public sealed record TenantDirectorySnapshot
{
    /// <summary>Grows by at least one on every change (register, update, remove); never goes back, also across restarts.</summary>
    [Id(0)]
    public long Version { get; init; }

    /// <summary>The runtime tenants, ordered by id.</summary>
    [Id(1)]
    public IReadOnlyList<RegisteredTenant> Tenants { get; init; } = [];
}

/// <summary>
/// A registration named an id already in use. <see cref="HolderSource"/> says where the tenant holding the id comes from; the message names
/// the id and the source.
/// </summary>
[GenerateSerializer, Alias("OrleansTenancy.TenantIdInUseException")]
public sealed class TenantIdInUseException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public TenantIdInUseException()
        : base("The tenant id is in use.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TenantIdInUseException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public TenantIdInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an id held by a tenant of <paramref name="source"/>.</summary>
    public TenantIdInUseException(string tenantId, TenantSource source, string message)
        : base(message)
    {
        TenantId = tenantId;
        HolderSource = source;
    }

    /// <summary>The id the registration named.</summary>
    [Id(0)]
    public string? TenantId { get; init; }

    /// <summary>Where the tenant holding the id comes from.</summary>
    [Id(1)]
    public TenantSource HolderSource { get; init; }
}
