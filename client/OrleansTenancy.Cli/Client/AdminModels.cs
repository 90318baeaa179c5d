namespace OrleansTenancy.Cli.Client;

/// <summary>Body of <c>GET /healthz</c>.</summary>
/// <param name="Status">"ok" while the silo serves requests.</param>
/// <param name="Tenants">Number of tenants loaded.</param>
/// <param name="Problems">Number of problems found while loading the tenants folder.</param>
public sealed record HealthReport(string Status, int Tenants, int Problems);

/// <summary>Budget limits with the field names of <c>budgets.yaml</c>; a <see langword="null"/> member is not set at that level.</summary>
public sealed record BudgetLimits
{
    /// <summary>Calendar-day cost cap in USD.</summary>
    public decimal? DailyCapUsd { get; init; }

    /// <summary>Calendar-month cost cap in USD.</summary>
    public decimal? MonthlyCapUsd { get; init; }

    /// <summary>Calendar-day token cap.</summary>
    public long? DailyTokens { get; init; }

    /// <summary>Calendar-month token cap.</summary>
    public long? MonthlyTokens { get; init; }

    /// <summary>Calendar-day cap on executions.</summary>
    public long? DailyExecutions { get; init; }

    /// <summary>Calendar-month cap on executions.</summary>
    public long? MonthlyExecutions { get; init; }

    /// <summary>Largest worst-case cost in USD one request may reserve.</summary>
    public decimal? MaxPerRequest { get; init; }

    /// <summary>"none", "soft" or "hard".</summary>
    public string? Enforcement { get; init; }

    /// <summary>Soft-alert thresholds in percent of a limit.</summary>
    public IReadOnlyList<decimal>? AlertThresholds { get; init; }

    /// <summary>Whether unset limits fall back to the global defaults.</summary>
    public bool? InheritGlobal { get; init; }
}

/// <summary>Body of <c>GET /admin/tenants</c> and <c>POST /admin/tenants/reload</c>.</summary>
/// <param name="Tenants">The tenants that loaded.</param>
/// <param name="Errors">Every problem found while loading (errors and warnings).</param>
public sealed record TenantsReport(IReadOnlyList<TenantSummary> Tenants, IReadOnlyList<LoadProblem> Errors);

/// <summary>One tenant as the silo's registry holds it.</summary>
/// <param name="Slug">The tenant id used in every route.</param>
/// <param name="DisplayName">The human name.</param>
/// <param name="Status">"active", "suspended", …</param>
/// <param name="Timezone">The time zone budget periods are aligned to.</param>
/// <param name="Limits">The effective tenant-wide limits.</param>
/// <param name="Workspaces">The tenant's workspaces.</param>
/// <param name="Source">"yaml" (the tenants folder) or "runtime" (registered with <c>tenancy tenants add</c>).</param>
public sealed record TenantSummary(string Slug, string DisplayName, string Status, string Timezone, BudgetLimits Limits, IReadOnlyList<WorkspaceSummary> Workspaces, string? Source = null);

/// <summary>Body of <c>POST /admin/tenants</c> and <c>PUT /admin/tenants/{id}</c>.</summary>
/// <param name="Id">The tenant slug (left out of a replace, where the route names it).</param>
/// <param name="Name">The human name; the id when left out.</param>
/// <param name="Workspaces">Workspace keys; <c>main</c> when left out.</param>
/// <param name="Limits">The tenant's own limits, with enforcement and inherit_global.</param>
public sealed record RuntimeTenantRequest(string? Id, string? Name, IReadOnlyList<string>? Workspaces, BudgetLimits? Limits);

/// <summary>A runtime tenant as the silo answers it.</summary>
/// <param name="Id">The tenant slug.</param>
/// <param name="Name">The human name.</param>
/// <param name="Workspaces">Its workspace keys.</param>
/// <param name="Limits">Its own limits, when it has any.</param>
/// <param name="Source">"runtime".</param>
/// <param name="CreatedAt">When it was registered.</param>
/// <param name="UpdatedAt">When it was last replaced.</param>
public sealed record RuntimeTenant(string Id, string Name, IReadOnlyList<string> Workspaces, BudgetLimits? Limits, string Source, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The answer of <c>tenancy tenants remove</c> (the silo answers 204 without a body).</summary>
/// <param name="Id">The tenant removed.</param>
/// <param name="Removed">Always <see langword="true"/>: a tenant that was not there is a 404.</param>
public sealed record RemovedTenant(string Id, bool Removed);

/// <summary>One workspace with its guilds and effective limits.</summary>
/// <param name="Key">The workspace key.</param>
/// <param name="DisplayName">The human name.</param>
/// <param name="Guilds">Discord guild ids bound to the workspace.</param>
/// <param name="Limits">The effective workspace limits.</param>
/// <param name="AllowedModels">Models the workspace may call; empty when any model is allowed.</param>
public sealed record WorkspaceSummary(string Key, string DisplayName, IReadOnlyList<string> Guilds, BudgetLimits Limits, IReadOnlyList<string>? AllowedModels);

/// <summary>A problem found while loading the tenants folder.</summary>
/// <param name="File">The file it is in.</param>
/// <param name="Line">1-based line (0 when not known).</param>
/// <param name="Column">1-based column (0 when not known).</param>
/// <param name="Severity">"error" or "warning".</param>
/// <param name="Message">What is wrong and what to do.</param>
/// <param name="Tenant">The tenant the file belongs to, when known.</param>
public sealed record LoadProblem(string File, int Line, int Column, string Severity, string Message, string? Tenant);

/// <summary>Body of the budget endpoints.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="ConfiguredLimits">The limits from the tenant's files and the global defaults.</param>
/// <param name="Override">The runtime override, if any (its fields win).</param>
/// <param name="Status">Each effective limit with its usage.</param>
public sealed record BudgetReport(string Tenant, BudgetLimits ConfiguredLimits, BudgetLimits? Override, BudgetStatus Status);

/// <summary>A tenant's budget at one instant.</summary>
/// <param name="AsOf">The instant the figures are for.</param>
/// <param name="TimeZoneId">The tenant's time zone.</param>
/// <param name="Enforcement">The effective enforcement.</param>
/// <param name="MaxPerRequestUsd">The per-request cap in USD, when set.</param>
/// <param name="OpenReservations">Number of open reservations.</param>
/// <param name="Limits">Every configured period limit with its usage.</param>
public sealed record BudgetStatus(DateTimeOffset AsOf, string TimeZoneId, string Enforcement, decimal? MaxPerRequestUsd, int OpenReservations, IReadOnlyList<LimitStatus> Limits);

/// <summary>One period limit with its usage.</summary>
/// <param name="Workspace">The workspace of a sub-cap, or <see langword="null"/> for a tenant-wide limit.</param>
/// <param name="Metric">"cost_usd", "tokens", "executions" or "max_per_request".</param>
/// <param name="Period">"day", "month" or "request".</param>
/// <param name="Limit">The configured limit.</param>
/// <param name="Spent">Settled usage in the current period.</param>
/// <param name="Reserved">Usage held by open reservations.</param>
/// <param name="Remaining">What is left.</param>
/// <param name="PercentUsed">(Spent + Reserved) / Limit × 100.</param>
/// <param name="PeriodStart">When the current period started.</param>
/// <param name="ResetsAt">When the current period resets.</param>
/// <param name="ForecastAtPeriodEnd">Settled usage projected to the period end.</param>
public sealed record LimitStatus(
    string? Workspace, string Metric, string Period, decimal Limit, decimal Spent, decimal Reserved, decimal Remaining,
    decimal PercentUsed, DateTimeOffset PeriodStart, DateTimeOffset ResetsAt, decimal ForecastAtPeriodEnd);

/// <summary>Sums over a set of requests.</summary>
/// <param name="Requests">All requests, denied ones included.</param>
/// <param name="Executions">Requests that ran and were settled.</param>
/// <param name="TokensIn">Prompt tokens.</param>
/// <param name="TokensOut">Completion tokens.</param>
/// <param name="CostUsd">Settled cost.</param>
/// <param name="EstimatedCostUsd">Reserved (estimated) cost.</param>
/// <param name="CachedRequests">Requests answered from the cache.</param>
public sealed record UsageTotals(long Requests, long Executions, long TokensIn, long TokensOut, decimal CostUsd, decimal EstimatedCostUsd, long CachedRequests);

/// <summary>Usage of one model or workspace.</summary>
/// <param name="Key">The model id or workspace key.</param>
/// <param name="Totals">Its sums.</param>
public sealed record UsageBreakdown(string Key, UsageTotals Totals);

/// <summary>Usage of one local day.</summary>
/// <param name="Date">The date in the tenant's time zone.</param>
/// <param name="Totals">Its sums.</param>
public sealed record DailyUsage(DateOnly Date, UsageTotals Totals);

/// <summary>The dates a usage period resolved to.</summary>
/// <param name="Kind">"today", "yesterday", "this_week", "this_month" or "range".</param>
/// <param name="TimeZone">The tenant's time zone.</param>
/// <param name="FirstDate">The first local date.</param>
/// <param name="LastDate">The last local date (included).</param>
public sealed record UsageWindow(string Kind, string TimeZone, DateOnly FirstDate, DateOnly LastDate);

/// <summary>Body of <c>GET /admin/tenants/{tenant}/usage</c>.</summary>
/// <param name="Tenant">The tenant slug.</param>
/// <param name="Window">The period.</param>
/// <param name="Totals">Sums over the period.</param>
/// <param name="ByModel">Per model, largest cost first.</param>
/// <param name="ByWorkspace">Per workspace, largest cost first.</param>
/// <param name="ByDay">Every day of the period in order.</param>
public sealed record UsageReport(string Tenant, UsageWindow Window, UsageTotals Totals, IReadOnlyList<UsageBreakdown> ByModel, IReadOnlyList<UsageBreakdown> ByWorkspace, IReadOnlyList<DailyUsage> ByDay);

/// <summary>One request outcome from the usage ledger.</summary>
/// <param name="RequestId">The request id.</param>
/// <param name="Workspace">The workspace.</param>
/// <param name="Model">The model.</param>
/// <param name="Status">"ok", "error", "cancelled", "incomplete", or a refusal: "denied" (budget), "forbidden" (policy), "rate_limited".</param>
/// <param name="TokensIn">Prompt tokens.</param>
/// <param name="TokensOut">Completion tokens.</param>
/// <param name="CostUsd">Settled cost.</param>
/// <param name="LatencyMs">End-to-end latency.</param>
/// <param name="Cached">Whether it was answered from the cache.</param>
/// <param name="CreatedAt">When the request was made.</param>
/// <param name="Reason">Why a refusal was refused (the limit or the refusal's code); <see langword="null"/> for requests that ran.</param>
public sealed record ExecutionRecord(string RequestId, string Workspace, string Model, string Status, long TokensIn, long TokensOut, decimal CostUsd, long LatencyMs, bool Cached, DateTimeOffset CreatedAt, string? Reason = null);

/// <summary>One page of executions, newest first.</summary>
/// <param name="Items">The rows.</param>
/// <param name="NextCursor">Pass to the next call to continue; <see langword="null"/> on the last page.</param>
public sealed record ExecutionPage(IReadOnlyList<ExecutionRecord> Items, string? NextCursor);

/// <summary>What a reconcile found.</summary>
/// <param name="Counters">One line per counter.</param>
public sealed record ReconcileReport(IReadOnlyList<ReconciledCounter> Counters);

/// <summary>One reconciled counter.</summary>
/// <param name="Workspace">The workspace, or <see langword="null"/> for the tenant-wide counter.</param>
/// <param name="Period">"day" or "month".</param>
/// <param name="PeriodKey">yyyyMMdd or yyyyMM.</param>
/// <param name="CostBefore">Spent USD before.</param>
/// <param name="CostAfter">Spent USD according to the ledger.</param>
/// <param name="TokensBefore">Tokens before.</param>
/// <param name="TokensAfter">Tokens according to the ledger.</param>
/// <param name="ExecutionsBefore">Executions before.</param>
/// <param name="ExecutionsAfter">Executions according to the ledger.</param>
public sealed record ReconciledCounter(string? Workspace, string Period, int PeriodKey, decimal CostBefore, decimal CostAfter, long TokensBefore, long TokensAfter, long ExecutionsBefore, long ExecutionsAfter);

/// <summary>A typed response together with the JSON it was read from.</summary>
/// <typeparam name="T">The body type.</typeparam>
/// <param name="Value">The body.</param>
/// <param name="Json">The body as the silo sent it.</param>
public sealed record AdminResponse<T>(T Value, string Json);

/// <summary>Body of <c>GET /admin/cluster</c>.</summary>
/// <param name="Silos">Every silo membership knows, active ones first.</param>
/// <param name="RegistryHash">The tenant registry hash most active silos report; absent when there is no majority.</param>
/// <param name="RegistriesAgree">Whether every silo that answered serves the same tenants.</param>
public sealed record ClusterReport(IReadOnlyList<SiloReport> Silos, string? RegistryHash, bool RegistriesAgree);

/// <summary>One silo of <c>GET /admin/cluster</c>.</summary>
/// <param name="Address">Its Orleans address (<c>ip:port@generation</c>).</param>
/// <param name="Name">Its silo name.</param>
/// <param name="Host">The machine it runs on.</param>
/// <param name="Status">Its membership status: "active", "joining", "shutting_down", "dead", …</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="UptimeSeconds">Seconds since it started; absent for a dead silo.</param>
/// <param name="Activations">Grain activations it holds; absent when it did not answer.</param>
/// <param name="RegistryHash">The hash of the tenant registry it loaded; absent when it did not answer.</param>
/// <param name="Tenants">How many tenants it loaded; absent when it did not answer.</param>
/// <param name="RegistryDiffers">Whether its tenants differ from the majority's.</param>
/// <param name="Version">The product version it runs.</param>
/// <param name="HttpAddresses">Where it serves HTTP.</param>
/// <param name="IsThisSilo">Whether it is the silo that answered.</param>
/// <param name="Problem">Why an active silo's own report is missing.</param>
public sealed record SiloReport(
    string Address,
    string Name,
    string Host,
    string Status,
    DateTimeOffset StartedAt,
    long? UptimeSeconds,
    int? Activations,
    string? RegistryHash,
    int? Tenants,
    bool RegistryDiffers,
    string? Version,
    IReadOnlyList<string>? HttpAddresses,
    bool IsThisSilo,
    string? Problem);
