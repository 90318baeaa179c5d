namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// What services outside the silo use on one tenant's behalf (key: the tenant slug): its description, budget, usage
/// and workspace memory. Chat calls go through <see cref="IChatCallGrain"/> (or <see cref="IRouterGrain"/>).
/// </summary>
/// <remarks>
/// <para>
/// The contract of cluster clients, kept apart from the grains that do the work so that those can change without
/// breaking a deployed client: every method names its tenant by the grain key and its workspace explicitly, and
/// each one first checks both against the silo's tenant registry, so a mistyped id is refused with
/// <see cref="UnknownTenantException"/> before any budget or memory grain of it is touched.
/// </para>
/// <para>
/// A stateless worker: it runs on the silo whose gateway received the call, which also answers usage queries from its
/// usage ledger (clients never reach the ledger's database).
/// </para>
/// </remarks>
[Alias("OrleansTenancy.ITenantServiceGrain")]
public interface ITenantServiceGrain : IGrainWithStringKey
{
    /// <summary>The tenant's name, status, time zone and workspaces.</summary>
    /// <exception cref="UnknownTenantException">The tenant is not in the registry.</exception>
    [Alias("Describe")]
    Task<TenantDescription> DescribeAsync();

    /// <summary>The limits from the tenant's files, the runtime override and every limit with its usage.</summary>
    /// <exception cref="UnknownTenantException">The tenant is not in the registry.</exception>
    [Alias("GetBudget")]
    Task<TenantBudget> GetBudgetAsync();

    /// <summary>
    /// Sets (or, with <see langword="null"/>, clears) the runtime override of the tenant's limits. It is persisted, and
    /// its set fields win over the tenant's files. Setting the same override again changes nothing more.
    /// </summary>
    /// <exception cref="UnknownTenantException">The tenant is not in the registry.</exception>
    /// <exception cref="ArgumentException">A limit is out of range; the message names it.</exception>
    [Alias("SetBudgetOverride")]
    Task<TenantBudget> SetBudgetOverrideAsync(BudgetLimits? limits);

    /// <summary>
    /// The tenant's usage over a period from the usage ledger, including every call that returned before this one.
    /// </summary>
    /// <exception cref="UnknownTenantException">The tenant is not in the registry.</exception>
    /// <exception cref="ArgumentException">The query is invalid (a range without both dates, or ending before it starts).</exception>
    [Alias("GetUsage")]
    Task<UsageReport> GetUsageAsync(UsageQuery query);

    /// <summary>One page of the tenant's executions, newest first (keyset paging: new rows never shift pages).</summary>
    /// <exception cref="UnknownTenantException">The tenant, or the workspace filter, is not in the registry.</exception>
    /// <exception cref="ArgumentException">The page size is out of range or the cursor is not one this method returned.</exception>
    [Alias("ListExecutions")]
    Task<ExecutionPage> ListExecutionsAsync(ExecutionQuery query);

    /// <summary>Adds an entry to one of the workspace's memory namespaces, or replaces the entry with the same id.</summary>
    /// <exception cref="UnknownTenantException">The tenant or workspace is not in the registry.</exception>
    /// <exception cref="NamespaceAccessDeniedException">The namespace is not one of this workspace's.</exception>
    [Alias("AddMemory")]
    Task<MemoryEntry> AddMemoryAsync(string workspace, MemoryAddRequest request);

    /// <summary>Entries of one of the workspace's namespaces matching the query, newest first.</summary>
    /// <exception cref="UnknownTenantException">The tenant or workspace is not in the registry.</exception>
    /// <exception cref="NamespaceAccessDeniedException">The namespace is not one of this workspace's.</exception>
    [Alias("RetrieveMemory")]
    Task<IReadOnlyList<MemoryEntry>> RetrieveMemoryAsync(string workspace, MemoryQuery query);

    /// <summary>Deletes one entry; <see langword="false"/> when the namespace holds no entry with that id.</summary>
    /// <exception cref="UnknownTenantException">The tenant or workspace is not in the registry.</exception>
    [Alias("DeleteMemory")]
    Task<bool> DeleteMemoryAsync(string workspace, string memoryNamespace, string id);

    /// <summary>Deletes a whole namespace of the workspace; returns how many entries it held.</summary>
    /// <exception cref="UnknownTenantException">The tenant or workspace is not in the registry.</exception>
    [Alias("DeleteMemoryNamespace")]
    Task<int> DeleteMemoryNamespaceAsync(string workspace, string memoryNamespace);

    /// <summary>The workspace's namespaces that hold entries, with their entry counts, ordered by name.</summary>
    /// <exception cref="UnknownTenantException">The tenant or workspace is not in the registry.</exception>
    [Alias("ListMemoryNamespaces")]
    Task<IReadOnlyList<MemoryNamespaceInfo>> ListMemoryNamespacesAsync(string workspace);
}

/// <summary>A tenant as the registry holds it.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.TenantDescription")]
public sealed record TenantDescription
{
    /// <summary>The tenant slug.</summary>
    [Id(0)]
    public required string Tenant { get; init; }

    /// <summary>Its human name.</summary>
    [Id(1)]
    public required string Name { get; init; }

    /// <summary>Whether it is served (<see langword="false"/>: suspended, every chat call is refused).</summary>
    [Id(2)]
    public bool Active { get; init; }

    /// <summary>The time zone id its days and months are aligned to.</summary>
    [Id(3)]
    public required string TimeZoneId { get; init; }

    /// <summary>Its workspace keys, ordered.</summary>
    [Id(4)]
    public IReadOnlyList<string> Workspaces { get; init; } = [];
}

/// <summary>A tenant's budget: where its limits come from and how much of each is used.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.TenantBudget")]
public sealed record TenantBudget
{
    /// <summary>The tenant slug.</summary>
    [Id(0)]
    public required string Tenant { get; init; }

    /// <summary>The limits of the tenant's files merged with the global defaults.</summary>
    [Id(1)]
    public required BudgetLimits ConfiguredLimits { get; init; }

    /// <summary>The runtime override, if one is set (its set fields win).</summary>
    [Id(2)]
    public BudgetLimits? Override { get; init; }

    /// <summary>Every effective limit with spent, reserved, remaining and reset time.</summary>
    [Id(3)]
    public required BudgetStatus Status { get; init; }
}
