using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Ledger;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Memory;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry;
using TenantContext = OrleansTenancy.Tenancy.TenantContext;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// The money path of one LLM call (see <see cref="ILlmRouter"/>).
/// </summary>
/// <remarks>
/// <para>
/// Invariant: no upstream call runs without a granted, durable reservation for the model it calls. Fallback models are
/// called one at a time by this router (never through OpenRouter's own <c>models</c> list), each after its own
/// reservation, so a pricier fallback is checked against the budget before it runs.
/// </para>
/// <para>
/// Every reservation ends in exactly one of: settle with the actual usage (success; a stream broken or cancelled after
/// output started settles what was consumed, at least the prompt), or release (upstream failed before any charge). If
/// this process dies in between, the reservation expires after its TTL; retries carry the same request id, so a
/// repeated settle changes nothing.
/// </para>
/// </remarks>
public sealed partial class LlmRouter : ILlmRouter
{
    /// <summary>The metrics/fallback component name of routing.</summary>
    public const string Component = "openrouter_service";

    /// <summary>The <c>provider</c> label of a model selection that no provider served (upstream failed before answering).</summary>
    public const string NoProvider = "none";

    private readonly IGrainFactory _grains;
    private readonly ITenantRegistrySource _registry;
    private readonly PriceCatalogHolder _prices;
    private readonly OpenRouterClient _upstream;
    private readonly TenancyOptions _tenancy;
    private readonly TenantRateLimiter _rates;
    private readonly BackgroundSettlements _settlements;
    private readonly LlmMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<LlmRouter> _logger;
    private readonly IUsageLedger? _ledger;
    private readonly bool _strict;

    /// <summary>Creates the router; with a <paramref name="ledger"/>, refusals of known tenants are recorded as executions.</summary>
    public LlmRouter(
        IGrainFactory grains,
        ITenantRegistrySource registry,
        PriceCatalogHolder prices,
        OpenRouterClient upstream,
        IOptions<TenancyOptions> tenancy,
        TenantRateLimiter rates,
        BackgroundSettlements settlements,
        LlmMetrics metrics,
        TimeProvider time,
        ILogger<LlmRouter> logger,
        IUsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(tenancy);
        _grains = grains;
        _registry = registry;
        _prices = prices;
        _upstream = upstream;
        _tenancy = tenancy.Value;
        _rates = rates;
        _settlements = settlements;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _ledger = ledger;
        _strict = _tenancy.ResolveStrict(Environment.GetEnvironmentVariable);
    }

    /// <inheritdoc />
    public Task<RouteResult> CompleteAsync(RouteRequest request, CancellationToken cancellationToken = default) =>
        RunAsync(request, onChunk: null, cancellationToken);

    /// <inheritdoc />
    public Task<RouteResult> StreamAsync(RouteRequest request, Func<ChatCompletionChunk, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onChunk);
        return RunAsync(request, onChunk, cancellationToken);
    }

    private async Task<RouteResult> RunAsync(RouteRequest request, Func<ChatCompletionChunk, CancellationToken, ValueTask>? onChunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await RouteAsync(request, onChunk, cancellationToken);
        }
        catch (RouteRefusedException refusal)
        {
            await RecordRefusalAsync(request, refusal);
            throw;
        }
    }

    private async Task<RouteResult> RouteAsync(RouteRequest request, Func<ChatCompletionChunk, CancellationToken, ValueTask>? onChunk, CancellationToken cancellationToken)
    {
        var plan = Plan(request);
        var first = plan.Attempts[0];
        if (_rates.TryAcquire(plan.Context.Tenant, plan.Policy.RequestsPerMinute, plan.Policy.TokensPerMinute, first.Estimate.TotalTokens) is { } wait)
        {
            _metrics.RecordBudgetRejection(plan.Context, "rate_limited");
            throw new RouteRefusedException(RouteRefusal.RateLimited, 429,
                $"Tenant '{plan.Context.Tenant}' reached its rate limit (requests_per_minute {plan.Policy.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}, tokens_per_minute {plan.Policy.TokensPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}); retry in {Math.Ceiling(wait.TotalSeconds)} s.")
            {
                Code = "rate_limited",
                RetryAfter = wait,
                Context = plan.Context,
            };
        }

        var tenant = _grains.GetGrain<ITenantGrain>(plan.Context.Tenant);
        IWorkspaceGrain? workspace = null;
        string? cacheKey = null;
        if (onChunk is null && plan.Policy.CacheTtl > TimeSpan.Zero)
        {
            workspace = _grains.GetGrain<IWorkspaceGrain>(WorkspaceGrainKey.Format(plan.Context));
            cacheKey = CacheKey(plan);
            if (await TryCachedAsync(tenant, plan, workspace, cacheKey) is { } hit)
            {
                return hit;
            }
        }

        for (var i = 0; ; i++)
        {
            var attempt = plan.Attempts[i];
            var requestId = i == 0 ? plan.RequestId : $"{plan.RequestId}~{i}";
            await ReserveAsync(tenant, plan, attempt, requestId);
            try
            {
                if (onChunk is not null)
                {
                    return await StreamCallAsync(tenant, plan, attempt, requestId, onChunk, cancellationToken);
                }

                var result = await CallAsync(tenant, plan, attempt, requestId, cancellationToken);
                if (workspace is not null && cacheKey is not null && i == 0)
                {
                    await StoreCachedAsync(workspace, cacheKey, result, plan.Policy.CacheTtl);
                }

                return result;
            }
            catch (RouteRefusedException refused) when (
                refused.InnerException is OpenRouterException error && !error.OutputStarted && i + 1 < plan.Attempts.Count && WorthAFallback(error))
            {
                LogFallingBack(plan.Context.ToString(), attempt.Model, plan.Attempts[i + 1].Model, error.Message);
            }
        }
    }

    private async Task ReserveAsync(ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId)
    {
        var decision = await tenant.ReserveAsync(new ReservationRequest
        {
            RequestId = requestId,
            Workspace = plan.Context.Workspace,
            Model = attempt.Model,
            EstimatedCostUsd = attempt.Estimate.CostUsd,
            EstimatedTokens = attempt.Estimate.TotalTokens,
        });
        foreach (var alert in decision.Alerts)
        {
            LogBudgetAlert(plan.Context.Tenant, alert.Workspace ?? "(tenant)", alert.Metric.ToString(), alert.Period.ToString(), alert.ThresholdPercent, alert.PercentUsed);
        }

        if (decision.Outcome == ReservationOutcome.Denied)
        {
            var denial = decision.Denial!;
            _metrics.RecordBudgetRejection(plan.Context, ReasonOf(denial));
            throw new RouteRefusedException(RouteRefusal.BudgetDenied, 402, denial.Message)
            {
                Code = "budget_exceeded",
                Denial = denial,
                Context = plan.Context,
            };
        }

        if (decision.Outcome == ReservationOutcome.RequestIdFinished)
        {
            throw new RouteRefusedException(RouteRefusal.BadRequest, 409,
                $"Request id '{requestId}' has already been completed; send a new id for a new call.")
            {
                Code = "request_id_reused",
                Context = plan.Context,
            };
        }
    }

    /// <summary>The label of a budget rejection: the limit that refused (e.g. <c>cost_usd_day</c>, <c>max_per_request</c>).</summary>
    private static string ReasonOf(BudgetDenial denial) => denial.Metric switch
    {
        BudgetMetric.MaxPerRequest => "max_per_request",
        BudgetMetric.CostUsd => denial.Period == BudgetPeriod.Day ? "daily_cap_usd" : "monthly_cap_usd",
        BudgetMetric.Tokens => denial.Period == BudgetPeriod.Day ? "daily_tokens" : "monthly_tokens",
        _ => denial.Period == BudgetPeriod.Day ? "daily_executions" : "monthly_executions",
    };

    /// <summary>Errors after which another model may succeed: upstream unavailable, rate limited, or the model refused.</summary>
    private static bool WorthAFallback(OpenRouterException error) => error.Kind is
        OpenRouterErrorKind.BadGateway or OpenRouterErrorKind.Unavailable or OpenRouterErrorKind.RateLimited
        or OpenRouterErrorKind.Timeout or OpenRouterErrorKind.Transport or OpenRouterErrorKind.Forbidden;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Context}: model {Model} failed ({Error}); reserving for fallback {Fallback}")]
    private partial void LogFallingBack(string context, string model, string fallback, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Budget alert for tenant {Tenant} ({Workspace}): {Metric} per {Period} crossed {Threshold}% ({Percent}% used)")]
    private partial void LogBudgetAlert(string tenant, string workspace, string metric, string period, decimal threshold, decimal percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No tenant context on a routing call; using {Context} (non-strict mode)")]
    private partial void LogFallback(string context);
}
