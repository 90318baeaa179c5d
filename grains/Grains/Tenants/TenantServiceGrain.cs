using Orleans.Concurrency;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Ledger;
using OrleansTenancy.Tenancy.Memory;
using OrleansTenancy.Tenancy.Registry;
using Wire = OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Grains.Tenants;

/// <summary>
/// The cluster clients' entry for one tenant (see <see cref="Wire.ITenantServiceGrain"/>): checks the tenant and
/// workspace against this silo's registry, then asks the tenant's budget grain, the workspace grain or the usage ledger.
/// </summary>
/// <remarks>
/// A stateless worker, so it runs on the silo whose gateway received the call and holds nothing: usage queries read
/// this silo's ledger after the tenant grain has sent it every row of the calls that returned before them.
/// </remarks>
[StatelessWorker]
[GrainType("tenant-service")]
public sealed class TenantServiceGrain(ITenantRegistrySource registry, IUsageLedger ledger, TimeProvider time) : Grain, Wire.ITenantServiceGrain
{
    private string Tenant => this.GetPrimaryKeyString();

    private Wire.ITenantGrain Budget => GrainFactory.GetGrain<Wire.ITenantGrain>(Tenant);

    /// <inheritdoc />
    public Task<Wire.TenantDescription> DescribeAsync()
    {
        var tenant = Known();
        return Task.FromResult(new Wire.TenantDescription
        {
            Tenant = tenant.Slug,
            Name = tenant.DisplayName,
            Active = tenant.Status == TenantStatus.Active,
            TimeZoneId = tenant.TimeZone.Id,
            Workspaces = [.. tenant.Workspaces.Keys.Order(StringComparer.Ordinal)],
        });
    }

    /// <inheritdoc />
    public async Task<Wire.TenantBudget> GetBudgetAsync()
    {
        Known();
        var status = Budget.GetStatusAsync();
        var overrides = Budget.GetBudgetOverrideAsync();
        return BudgetOf(await overrides, await status);
    }

    /// <inheritdoc />
    public async Task<Wire.TenantBudget> SetBudgetOverrideAsync(Wire.BudgetLimits? limits)
    {
        Known();
        return BudgetOf(limits, await Budget.ConfigureBudgetAsync(limits));
    }

    /// <inheritdoc />
    public async Task<Wire.UsageReport> GetUsageAsync(Wire.UsageQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var tenant = Known();
        var period = query.ToLedger();

        // Read-your-writes: rows of calls that have returned are sent to the ledger before it is queried.
        await Budget.FlushUsageAsync();
        var report = await ledger.GetUsageAsync(Tenant, period, tenant.TimeZone, time.GetUtcNow());
        return report.ToWire();
    }

    /// <inheritdoc />
    public async Task<Wire.ExecutionPage> ListExecutionsAsync(Wire.ExecutionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        Known(query.Workspace);
        if (query.PageSize is < 1 or > Wire.ExecutionQuery.MaxPageSize)
        {
            throw new ArgumentException($"ExecutionQuery.PageSize must be between 1 and {Wire.ExecutionQuery.MaxPageSize}, not {query.PageSize}.", nameof(query));
        }

        await Budget.FlushUsageAsync();
        var page = await ledger.ListExecutionsAsync(Tenant, query.PageSize, query.Cursor, query.Workspace);
        return page.ToWire();
    }

    /// <inheritdoc />
    public Task<Wire.MemoryEntry> AddMemoryAsync(string workspace, Wire.MemoryAddRequest request) => Memory(workspace).AddMemoryAsync(request);

    /// <inheritdoc />
    public Task<IReadOnlyList<Wire.MemoryEntry>> RetrieveMemoryAsync(string workspace, Wire.MemoryQuery query) => Memory(workspace).RetrieveAsync(query);

    /// <inheritdoc />
    public Task<bool> DeleteMemoryAsync(string workspace, string memoryNamespace, string id) => Memory(workspace).DeleteAsync(memoryNamespace, id);

    /// <inheritdoc />
    public Task<int> DeleteMemoryNamespaceAsync(string workspace, string memoryNamespace) => Memory(workspace).DeleteNamespaceAsync(memoryNamespace);

    /// <inheritdoc />
    public Task<IReadOnlyList<Wire.MemoryNamespaceInfo>> ListMemoryNamespacesAsync(string workspace) => Memory(workspace).ListNamespacesAsync();

    /// <summary>The tenant's definition, after checking that the registry holds it (and <paramref name="workspace"/>, when given).</summary>
    /// <exception cref="Wire.UnknownTenantException">It does not.</exception>
    private TenantDefinition Known(string? workspace = null) => registry.Current.Require(Tenant, workspace);

    private Wire.IWorkspaceGrain Memory(string workspace)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        Known(workspace);
        return GrainFactory.GetGrain<Wire.IWorkspaceGrain>(WorkspaceGrainKey.Format(new Tenancy.TenantContext(Tenant, workspace)));
    }

    private Wire.TenantBudget BudgetOf(Wire.BudgetLimits? overrides, Wire.BudgetStatus status) => new()
    {
        Tenant = Tenant,
        ConfiguredLimits = registry.Current.GetEffectiveLimits(Tenant).ToWire(),
        Override = overrides,
        Status = status,
    };
}
