using System.Runtime.CompilerServices;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// One tenant's budget, usage and description, and its workspaces. Every call checks the tenant against the cluster's
/// registry first: an id the cluster does not know throws <see cref="UnknownTenantException"/> naming it.
/// </summary>
/// <remarks>
/// These calls are idempotent, so a call whose gateway or silo died on the way is tried again through another
/// (<see cref="TenancyClientOptions.RetryAttempts"/>). A cancellation token stops the waiting and the retries; a call
/// already delivered still runs.
/// </remarks>
public sealed class TenantClient
{
    private readonly TenancyClient _client;

    internal TenantClient(TenancyClient client, string tenant)
    {
        _client = client;
        Id = tenant;
    }

    /// <summary>The tenant slug.</summary>
    public string Id { get; }

    private ITenantServiceGrain Service => _client.Cluster.GetGrain<ITenantServiceGrain>(Id);

    /// <summary>Calls on behalf of one of the tenant's workspaces.</summary>
    /// <exception cref="ArgumentException"><paramref name="workspace"/> is empty.</exception>
    public WorkspaceClient Workspace(string workspace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workspace);
        return new WorkspaceClient(_client, this, workspace);
    }

    /// <summary>The tenant's name, status, time zone and workspaces.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public Task<TenantDescription> DescribeAsync(CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("DescribeTenant", () => Service.DescribeAsync(), cancellationToken);

    /// <summary>The limits from the tenant's files, the runtime override, and every limit with its usage.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public Task<TenantBudget> GetBudgetAsync(CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("GetBudget", () => Service.GetBudgetAsync(), cancellationToken);

    /// <summary>Every effective limit with spent, reserved, remaining, percent used, reset time and forecast.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<BudgetStatus> GetBudgetStatusAsync(CancellationToken cancellationToken = default) =>
        (await GetBudgetAsync(cancellationToken)).Status;

    /// <summary>The runtime override of the tenant's limits, or <see langword="null"/> when none is set.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<BudgetLimits?> GetBudgetOverrideAsync(CancellationToken cancellationToken = default) =>
        (await GetBudgetAsync(cancellationToken)).Override;

    /// <summary>
    /// Sets a runtime override of the tenant's limits (persisted, seen by every silo at once); its set fields win over
    /// the tenant's files, unset ones keep theirs.
    /// </summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    /// <exception cref="ArgumentException">A limit is out of range; the message names it.</exception>
    public Task<TenantBudget> SetBudgetOverrideAsync(BudgetLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return _client.Calls.RunAsync("SetBudgetOverride", () => Service.SetBudgetOverrideAsync(limits), cancellationToken);
    }

    /// <summary>Removes the runtime override; the tenant's files apply again.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public Task<TenantBudget> ClearBudgetOverrideAsync(CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("ClearBudgetOverride", () => Service.SetBudgetOverrideAsync(null), cancellationToken);

    /// <summary>
    /// The tenant's usage from the usage ledger over a period of its calendar (default today), with breakdowns by
    /// model, workspace and day. Every call that returned before this one is in it.
    /// </summary>
    /// <param name="period">For example <see cref="UsageQuery.ThisMonth"/> or <see cref="UsageQuery.Range"/>; default today.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public Task<UsageReport> GetUsageAsync(UsageQuery? period = null, CancellationToken cancellationToken = default) =>
        _client.Calls.RunAsync("GetUsage", () => Service.GetUsageAsync(period ?? UsageQuery.Today), cancellationToken);

    /// <summary>One page of the tenant's executions, newest first.</summary>
    /// <param name="pageSize">1 to <see cref="ExecutionQuery.MaxPageSize"/>.</param>
    /// <param name="cursor">The previous page's <see cref="ExecutionPage.NextCursor"/>; none for the first page.</param>
    /// <param name="workspace">Only this workspace's executions, when set.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    /// <exception cref="ArgumentException">The page size is out of range or the cursor is not one the cluster returned.</exception>
    public Task<ExecutionPage> ListExecutionsAsync(
        int pageSize = ExecutionQuery.DefaultPageSize, string? cursor = null, string? workspace = null, CancellationToken cancellationToken = default)
    {
        var query = new ExecutionQuery { PageSize = pageSize, Cursor = cursor, Workspace = workspace };
        return _client.Calls.RunAsync("ListExecutions", () => Service.ListExecutionsAsync(query), cancellationToken);
    }

    /// <summary>Every execution of the tenant (or of one workspace), newest first, fetched a page at a time.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant or the workspace.</exception>
    public async IAsyncEnumerable<ExecutionRecord> GetExecutionsAsync(
        string? workspace = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListExecutionsAsync(ExecutionQuery.MaxPageSize, cursor, workspace, cancellationToken);
            foreach (var execution in page.Items)
            {
                yield return execution;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}
