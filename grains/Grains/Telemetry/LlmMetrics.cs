using System.Diagnostics;
using System.Diagnostics.Metrics;
using OrleansTenancy.Tenancy;

namespace OrleansTenancy.Grains.Telemetry;

/// <summary>
/// The LLM gateway's metrics, every one labelled with the effective tenant and workspace.
/// </summary>
/// <remarks>
/// <para>
/// Each recording method takes a <see cref="TenantContext"/> as a required argument and never reads an
/// ambient one: a call that has no context (a strict-mode failure) has nothing to pass and so records
/// nothing, and a non-strict fallback passes <see cref="TenantContext.Default"/>, which labels the series
/// <c>tenant="default",workspace="main"</c>.
/// </para>
/// <para>
/// Money is recorded as <see cref="double"/>: these series feed dashboards and alerts. The exact amounts
/// live in the budget ledger, which keeps <see cref="decimal"/>.
/// </para>
/// <para>
/// Instrument names are already in Prometheus form (counters end in <c>_total</c>, units are part of the
/// name) so an exporter renders them verbatim; OTLP backends see the same names.
/// </para>
/// </remarks>
public sealed class LlmMetrics : IDisposable
{
    /// <summary>The name of the meter that carries every LLM metric.</summary>
    public const string MeterName = "OrleansTenancy.Llm";

    /// <summary>The <c>workspace</c> label of a budget series that is tenant-wide rather than a workspace's sub-cap.</summary>
    public const string TenantWide = "*";

    /// <summary>
    /// Latency bucket boundaries in seconds: fine steps for cache hits and short completions, coarse ones
    /// up to a minute for long generations.
    /// </summary>
    public static IReadOnlyList<double> LatencyBucketBoundaries { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

    private readonly bool _ownsMeter;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _modelSelections;
    private readonly Counter<double> _estimatedCostUsd;
    private readonly Counter<double> _costUsd;
    private readonly Counter<long> _tokens;
    private readonly Histogram<double> _latencySeconds;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _budgetRejections;
    private readonly Gauge<double> _budgetRemainingUsd;
    private readonly Gauge<double> _budgetLimitUsd;
    private readonly Counter<long> _budgetAlerts;

    /// <summary>
    /// Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's, so its lifetime
    /// is the container's), or on a meter this instance owns and disposes when no factory is given.
    /// </summary>
    /// <param name="meterFactory">The host's meter factory, or <see langword="null"/> for a standalone meter.</param>
    public LlmMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);

        _fallbacks = Meter.CreateCounter<long>("tenancy_fallback_total",
            description: "Calls that ran without a tenant context and fell back to default:main (non-strict mode).");
        _requests = Meter.CreateCounter<long>("llm_requests_total",
            description: "LLM requests by outcome status.");
        _modelSelections = Meter.CreateCounter<long>("llm_model_selected_total",
            description: "Model routing decisions by task, model and provider.");
        _estimatedCostUsd = Meter.CreateCounter<double>("llm_estimated_cost_usd_total",
            description: "Worst-case cost reserved before LLM requests, in USD.");
        _costUsd = Meter.CreateCounter<double>("llm_cost_usd_total",
            description: "Settled cost of LLM requests, in USD.");
        _tokens = Meter.CreateCounter<long>("llm_tokens_total",
            description: "Tokens used by LLM requests, by direction (prompt or completion).");
        _latencySeconds = Meter.CreateHistogram("llm_latency_seconds", "s",
            "Latency of LLM requests, from dispatch to the last byte.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBucketBoundaries });
        _cacheHits = Meter.CreateCounter<long>("llm_cache_hits_total",
            description: "LLM requests answered from the response cache.");
        _cacheMisses = Meter.CreateCounter<long>("llm_cache_misses_total",
            description: "LLM requests that missed the response cache.");
        _budgetRejections = Meter.CreateCounter<long>("llm_budget_rejections_total",
            description: "LLM requests rejected by the tenant budget, by reason.");
        _budgetRemainingUsd = Meter.CreateGauge<double>("tenant_budget_remaining_usd", "USD",
            "Budget left in a budget period, in USD: tenant-wide (workspace=\"*\") or under a workspace's sub-cap.");
        _budgetLimitUsd = Meter.CreateGauge<double>("tenant_budget_limit_usd", "USD",
            "A cost limit for a budget period, in USD, tenant-wide or a workspace's sub-cap; with tenant_budget_remaining_usd it gives the share used.");
        _budgetAlerts = Meter.CreateCounter<long>("tenant_budget_alerts_total",
            description: "Budget alert thresholds crossed, once per threshold, limit and period.");
    }

    /// <summary>The meter the instruments live on (lets tests and listeners select exactly this instance).</summary>
    public Meter Meter { get; }

    /// <summary>Counts one call that fell back to the default context; pass <see cref="TenantContext.Default"/>.</summary>
    /// <param name="context">The effective (fallback) context.</param>
    /// <param name="component">The component that fell back, e.g. <c>openrouter_service</c> or <c>memory_service</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="context"/> is <c>default</c> (no tenant or workspace).</exception>
    public void RecordFallback(TenantContext context, string component)
    {
        var tags = ContextTags(context);
        tags.Add("component", component);
        _fallbacks.Add(1, tags);
    }

    /// <summary>Counts one routing decision, once its call has ended.</summary>
    /// <param name="context">The effective context of the call.</param>
    /// <param name="task">The task that was routed (e.g. <c>chat</c>, <c>summarize</c>).</param>
    /// <param name="model">The model chosen.</param>
    /// <param name="provider">The provider that served the call, as upstream reported it (<c>none</c> when none did).</param>
    public void RecordModelSelected(TenantContext context, string task, string model, string provider)
    {
        var tags = ContextTags(context);
        tags.Add("task", task);
        tags.Add("model", model);
        tags.Add("provider", provider);
        _modelSelections.Add(1, tags);
    }

    /// <summary>Records one finished LLM request: its count, latency, token usage and cost.</summary>
    /// <param name="context">The effective context of the call.</param>
    /// <param name="model">The model that served (or was asked to serve) the request.</param>
    /// <param name="status">The outcome, e.g. <c>ok</c>, <c>error</c>, <c>timeout</c>, <c>cancelled</c>.</param>
    /// <param name="latency">Time from dispatch to the end of the response.</param>
    /// <param name="promptTokens">Prompt tokens used; zero when unknown.</param>
    /// <param name="completionTokens">Completion tokens used; zero when unknown.</param>
    /// <param name="estimatedCostUsd">The worst-case cost that was reserved for the request.</param>
    /// <param name="costUsd">The settled cost.</param>
    /// <param name="provider">The upstream provider that served the request, when known; the cost series then carry it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A token count or cost is negative, or the latency is negative.</exception>
    public void RecordRequest(
        TenantContext context,
        string model,
        string status,
        TimeSpan latency,
        long promptTokens,
        long completionTokens,
        decimal estimatedCostUsd,
        decimal costUsd,
        string? provider = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(completionTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(estimatedCostUsd);
        ArgumentOutOfRangeException.ThrowIfNegative(costUsd);
        ArgumentOutOfRangeException.ThrowIfLessThan(latency, TimeSpan.Zero);

        var withStatus = ModelTags(context, model);
        withStatus.Add("status", status);
        _requests.Add(1, withStatus);
        _latencySeconds.Record(latency.TotalSeconds, withStatus);

        var prompt = ModelTags(context, model);
        prompt.Add("direction", "prompt");
        _tokens.Add(promptTokens, prompt);
        var completion = ModelTags(context, model);
        completion.Add("direction", "completion");
        _tokens.Add(completionTokens, completion);

        var costTags = ModelTags(context, model);
        if (!string.IsNullOrEmpty(provider))
            costTags.Add("provider", provider);
        _estimatedCostUsd.Add((double)estimatedCostUsd, costTags);
        _costUsd.Add((double)costUsd, costTags);
    }

    /// <summary>Counts one request answered from the response cache.</summary>
    /// <param name="context">The effective context of the call.</param>
    /// <param name="model">The model the cached response belongs to.</param>
    public void RecordCacheHit(TenantContext context, string model) => _cacheHits.Add(1, ModelTags(context, model));

    /// <summary>Counts one request that missed the response cache.</summary>
    /// <param name="context">The effective context of the call.</param>
    /// <param name="model">The model the request asked for.</param>
    public void RecordCacheMiss(TenantContext context, string model) => _cacheMisses.Add(1, ModelTags(context, model));

    /// <summary>Counts one request the budget rejected.</summary>
    /// <param name="context">The effective context of the call.</param>
    /// <param name="reason">The limit that refused, named as in <c>budgets.yaml</c> (<c>BudgetLimitNames</c>, e.g. <c>daily_cap_usd</c>, <c>max_per_request</c>), or <c>rate_limited</c>.</param>
    public void RecordBudgetRejection(TenantContext context, string reason)
    {
        var tags = ContextTags(context);
        tags.Add("reason", reason);
        _budgetRejections.Add(1, tags);
    }

    /// <summary>Publishes the budget left in a period (the latest value per tenant, workspace and period wins).</summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="workspace">The workspace of a sub-cap, or <see cref="TenantWide"/> for the tenant-wide limit.</param>
    /// <param name="period">The budget period: <c>day</c> or <c>month</c>.</param>
    /// <param name="remainingUsd">USD left, never negative.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public void SetBudgetRemaining(string tenant, string workspace, string period, decimal remainingUsd) =>
        _budgetRemainingUsd.Record((double)remainingUsd, BudgetTags(tenant, workspace, period));

    /// <summary>
    /// Publishes a cost limit in a period (the latest value per tenant, workspace and period wins). Its series carry
    /// the labels of <see cref="SetBudgetRemaining"/>, so that alerts divide one by the other series by series.
    /// </summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="workspace">The workspace of a sub-cap, or <see cref="TenantWide"/> for the tenant-wide limit.</param>
    /// <param name="period">The budget period: <c>day</c> or <c>month</c>.</param>
    /// <param name="limitUsd">The effective limit in USD.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public void SetBudgetLimit(string tenant, string workspace, string period, decimal limitUsd) =>
        _budgetLimitUsd.Record((double)limitUsd, BudgetTags(tenant, workspace, period));

    /// <summary>Counts one alert threshold crossed.</summary>
    /// <param name="tenant">The tenant slug.</param>
    /// <param name="workspace">The workspace of a sub-cap, or <see cref="TenantWide"/> for a tenant-wide limit.</param>
    /// <param name="limit">The limit's name (<c>daily_cap_usd</c>, …).</param>
    /// <param name="thresholdPercent">The threshold crossed, in percent.</param>
    /// <exception cref="ArgumentException">An argument is empty.</exception>
    public void RecordBudgetAlert(string tenant, string workspace, string limit, decimal thresholdPercent)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(workspace);
        ArgumentException.ThrowIfNullOrEmpty(limit);
        var tags = new TagList
        {
            { "tenant", tenant },
            { "workspace", workspace },
            { "limit", limit },
            { "threshold", thresholdPercent.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) },
        };
        _budgetAlerts.Add(1, tags);
    }

    /// <summary>Disposes the meter when this instance created it; a factory's meter is the factory's to dispose.</summary>
    public void Dispose()
    {
        if (_ownsMeter)
            Meter.Dispose();
    }

    private static TagList ContextTags(TenantContext context)
    {
        // default(TenantContext) is the one way to hold "no context"; labelling it would hide a tenancy bug.
        if (string.IsNullOrEmpty(context.Tenant) || string.IsNullOrEmpty(context.Workspace))
        {
            throw new ArgumentException(
                $"LLM metrics need an effective tenant context but got tenant '{context.Tenant}', workspace '{context.Workspace}'. " +
                "Pass the caller's context, or TenantContext.Default after a non-strict fallback.",
                nameof(context));
        }

        return new TagList
        {
            { "tenant", context.Tenant },
            { "workspace", context.Workspace },
        };
    }

    /// <summary>The labels of the budget gauges; one place, so the remaining budget and its limit always pair up.</summary>
    private static TagList BudgetTags(string tenant, string workspace, string period)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(workspace);
        ArgumentException.ThrowIfNullOrEmpty(period);
        return new TagList
        {
            { "tenant", tenant },
            { "workspace", workspace },
            { "period", period },
        };
    }

    private static TagList ModelTags(TenantContext context, string model)
    {
        var tags = ContextTags(context);
        tags.Add("model", model);
        return tags;
    }
}
