using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// One LLM tenant as the application sees it: its id and name, its usage by period, its executions and its budget.
/// Get it with <see cref="ILlmTenants.For(object)"/> for a domain object, or for a plain <see cref="LlmTenantId"/>.
/// Every call goes through the cluster client (<see cref="Client"/>), so it reads what the cluster enforces.
/// </summary>
/// <remarks>
/// Periods are those of the tenant's calendar (its time zone): <see cref="UsageQuery.Today"/>,
/// <see cref="UsageQuery.Yesterday"/>, <see cref="UsageQuery.ThisWeek"/>, <see cref="UsageQuery.ThisMonth"/> and
/// <see cref="UsageQuery.Range"/>. An id the cluster does not know throws <see cref="UnknownTenantException"/>;
/// <see cref="ILlmTenants.EnsureLlmTenantAsync"/> creates it.
/// </remarks>
public sealed class LlmTenant
{
    internal LlmTenant(TenantClient client, LlmTenantOptions options, object? record, string name)
    {
        Client = client;
        Options = options;
        Record = record;
        Name = name;
    }

    /// <summary>The tenant id.</summary>
    public string Id => Client.Id;

    /// <summary>The display name (see <see cref="LlmTenantOptions"/> for where it comes from).</summary>
    public string Name { get; }

    /// <summary>The domain object this tenant is, or <see langword="null"/> for a plain <see cref="LlmTenantId"/>.</summary>
    public object? Record { get; }

    /// <summary>How the tenant is declared.</summary>
    public LlmTenantOptions Options { get; }

    /// <summary>The cluster client of this tenant, for what this type does not wrap.</summary>
    public TenantClient Client { get; }

    /// <summary>The tenant and workspace its calls run in when none is named: <see cref="LlmTenantOptions.DefaultWorkspace"/>.</summary>
    public TenantContext DefaultContext => new(Id, Options.DefaultWorkspace);

    /// <summary>Chat calls and memory of one workspace (default: <see cref="LlmTenantOptions.DefaultWorkspace"/>).</summary>
    public WorkspaceClient Workspace(string? workspace = null) => Client.Workspace(workspace ?? Options.DefaultWorkspace);

    /// <summary>Settled cost in USD over <paramref name="period"/>.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<decimal> GetCostAsync(UsageQuery period, CancellationToken cancellationToken = default) =>
        (await Totals(period, cancellationToken)).CostUsd;

    /// <summary>Settled cost in USD today.</summary>
    public Task<decimal> GetCostTodayAsync(CancellationToken cancellationToken = default) => GetCostAsync(UsageQuery.Today, cancellationToken);

    /// <summary>Settled cost in USD this month.</summary>
    public Task<decimal> GetCostThisMonthAsync(CancellationToken cancellationToken = default) => GetCostAsync(UsageQuery.ThisMonth, cancellationToken);

    /// <summary>Prompt plus completion tokens over <paramref name="period"/>.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<long> GetTokensAsync(UsageQuery period, CancellationToken cancellationToken = default) =>
        (await Totals(period, cancellationToken)).Tokens;

    /// <summary>Prompt plus completion tokens today.</summary>
    public Task<long> GetTokensTodayAsync(CancellationToken cancellationToken = default) => GetTokensAsync(UsageQuery.Today, cancellationToken);

    /// <summary>Prompt plus completion tokens this month.</summary>
    public Task<long> GetTokensThisMonthAsync(CancellationToken cancellationToken = default) => GetTokensAsync(UsageQuery.ThisMonth, cancellationToken);

    /// <summary>Executions (calls that ran and were settled, as budgets count them) over <paramref name="period"/>.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<long> GetExecutionCountAsync(UsageQuery period, CancellationToken cancellationToken = default) =>
        (await Totals(period, cancellationToken)).Executions;

    /// <summary>Executions today.</summary>
    public Task<long> GetExecutionCountTodayAsync(CancellationToken cancellationToken = default) => GetExecutionCountAsync(UsageQuery.Today, cancellationToken);

    /// <summary>Executions this month.</summary>
    public Task<long> GetExecutionCountThisMonthAsync(CancellationToken cancellationToken = default) => GetExecutionCountAsync(UsageQuery.ThisMonth, cancellationToken);

    /// <summary>Cost, tokens and executions over <paramref name="period"/> (default this month), with the whole report.</summary>
    /// <exception cref="UnknownTenantException">The cluster does not know the tenant.</exception>
    public async Task<LlmUsageSummary> GetUsageSummaryAsync(UsageQuery? period = null, CancellationToken cancellationToken = default)
    {
        var report = await Client.GetUsageAsync(period ?? UsageQuery.ThisMonth, cancellationToken);
        return new LlmUsageSummary(report.Totals.CostUsd, report.Totals.Tokens, report.Totals.Executions, report.Window, report);
    }

    /// <summary>One page of the tenant's executions, newest first (see <see cref="TenantClient.ListExecutionsAsync"/>).</summary>
    public Task<ExecutionPage> ListExecutionsAsync(
        int pageSize = ExecutionQuery.DefaultPageSize, string? cursor = null, string? workspace = null, CancellationToken cancellationToken = default) =>
        Client.ListExecutionsAsync(pageSize, cursor, workspace, cancellationToken);

    /// <summary>Every execution of the tenant (or of one workspace), newest first, fetched a page at a time.</summary>
    public IAsyncEnumerable<ExecutionRecord> GetExecutionsAsync(string? workspace = null, CancellationToken cancellationToken = default) =>
        Client.GetExecutionsAsync(workspace, cancellationToken);

    /// <summary>The tenant's budget: its configured limits, the runtime override and every limit with its usage.</summary>
    public Task<TenantBudget> GetBudgetAsync(CancellationToken cancellationToken = default) => Client.GetBudgetAsync(cancellationToken);

    /// <summary>
    /// Changes the tenant's budget: <paramref name="configure"/> gets the current runtime override (empty when none is
    /// set) and returns the new one, which the cluster stores and every silo applies to the next call. Fields left
    /// unset keep the tenant's configured value.
    /// </summary>
    /// <example><code>await tenant.ConfigureBudgetAsync(b => b with { DailyCapUsd = 50m, Enforcement = Enforcement.Hard });</code></example>
    /// <exception cref="ArgumentException">A limit is out of range; the message names it.</exception>
    public async Task<TenantBudget> ConfigureBudgetAsync(Func<BudgetLimits, BudgetLimits> configure, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var current = await Client.GetBudgetOverrideAsync(cancellationToken);
        return await Client.SetBudgetOverrideAsync(configure(current ?? new BudgetLimits()), cancellationToken);
    }

    /// <summary>Every effective limit with spent, reserved, remaining, percent used and reset time.</summary>
    public Task<BudgetStatus> GetBudgetStatusAsync(CancellationToken cancellationToken = default) => Client.GetBudgetStatusAsync(cancellationToken);

    /// <summary>
    /// Whether no tenant-wide limit of <paramref name="period"/> (cost, tokens or executions) is used up; always
    /// <see langword="true"/> with budgets off (<see cref="Enforcement.None"/>). See <see cref="BudgetReading"/>.
    /// </summary>
    public async Task<bool> IsWithinBudgetAsync(BudgetPeriod period = BudgetPeriod.Day, CancellationToken cancellationToken = default) =>
        BudgetReading.IsWithin(await GetBudgetStatusAsync(cancellationToken), period);

    /// <summary>
    /// What is left of the tenant's cost limit of <paramref name="period"/> in USD, reservations of calls in flight
    /// deducted; <see langword="null"/> when no such limit applies (none set, or budgets off).
    /// </summary>
    public async Task<decimal?> GetRemainingBudgetAsync(BudgetPeriod period = BudgetPeriod.Day, CancellationToken cancellationToken = default) =>
        BudgetReading.RemainingCost(await GetBudgetStatusAsync(cancellationToken), period);

    /// <summary>
    /// Throws <see cref="BudgetExceededException"/>, naming the limit, when a tenant-wide limit is used up under hard
    /// enforcement, that is when the cluster would refuse the next call. Soft enforcement and budgets off never throw.
    /// </summary>
    /// <exception cref="BudgetExceededException">A limit is used up; <see cref="BudgetExceededException.Denial"/> holds its figures.</exception>
    public async Task CheckBudgetAsync(CancellationToken cancellationToken = default)
    {
        if (BudgetReading.Refusing(await GetBudgetStatusAsync(cancellationToken)) is { } limit)
        {
            throw BudgetReading.Exceeded(DefaultContext, limit);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Name})";

    private async Task<UsageTotals> Totals(UsageQuery period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(period);
        return (await Client.GetUsageAsync(period, cancellationToken)).Totals;
    }
}

/// <summary>A tenant's usage over a period.</summary>
/// <param name="CostUsd">Settled cost in USD.</param>
/// <param name="Tokens">Prompt plus completion tokens.</param>
/// <param name="Executions">Executions, as budgets count them.</param>
/// <param name="Period">The dates and instants the period resolved to.</param>
/// <param name="Report">The whole report, with breakdowns by model, workspace and day.</param>
public sealed record LlmUsageSummary(decimal CostUsd, long Tokens, long Executions, UsageWindow Period, UsageReport Report);
