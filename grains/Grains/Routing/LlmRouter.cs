using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.Ledger;
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
/// <para>
/// A request id reaches upstream at most once per charge: the tenant grain refuses a second call while the id's
/// reservation is open and after it settled, and frees the id only when it was released. Duplicates of a plain call in
/// flight on this silo wait for its answer instead (<see cref="CompleteAsync"/>).
/// </para>
/// <para>
/// Its grain calls (reserve, release, the cache) go through <see cref="GrainCallRetry"/>: a call the cluster failed (the
/// grain's silo died, a duplicate activation lost a write) is sent again while that is safe. A repeated reserve carries
/// the same request id and call token, so it finds the reservation its lost attempt made; nothing that reaches upstream
/// is ever repeated by it.
/// </para>
/// </remarks>
public sealed partial class LlmRouter : ILlmRouter
{
    /// <summary>The metrics/fallback component name of routing.</summary>
    public const string Component = "openrouter_service";

    /// <summary>The <c>provider</c> label of a model selection that no provider served (upstream failed before answering).</summary>
    public const string NoProvider = "none";

    private readonly IGrainFactory _grains;
    private readonly TenantGrainReferences _tenants;
    private readonly ITenantRegistrySource _registry;
    private readonly PriceCatalogHolder _prices;
    private readonly OpenRouterClient _upstream;
    private readonly TenancyOptions _tenancy;
    private readonly BackgroundSettlements _settlements;
    private readonly LlmMetrics _metrics;
    private readonly GrainCallRetry _retry;
    private readonly TimeProvider _time;
    private readonly ILogger<LlmRouter> _logger;
    private readonly IUsageLedger? _ledger;
    private readonly bool _strict;

    // Calls in flight on this silo under a caller's request id, so that a duplicate waits for the first one's answer.
    private readonly ConcurrentDictionary<(TenantContext Context, string RequestId), InFlightCall> _inFlight = new();

    /// <summary>Creates the router; with a <paramref name="ledger"/>, refusals of known tenants are recorded as executions.</summary>
    public LlmRouter(
        IGrainFactory grains,
        ITenantRegistrySource registry,
        PriceCatalogHolder prices,
        OpenRouterClient upstream,
        IOptions<TenancyOptions> tenancy,
        BackgroundSettlements settlements,
        LlmMetrics metrics,
        GrainCallRetry retry,
        TimeProvider time,
        ILogger<LlmRouter> logger,
        IUsageLedger? ledger = null)
    {
        ArgumentNullException.ThrowIfNull(tenancy);
        _grains = grains;
        _tenants = new TenantGrainReferences(grains);
        _registry = registry;
        _prices = prices;
        _upstream = upstream;
        _tenancy = tenancy.Value;
        _settlements = settlements;
        _metrics = metrics;
        _retry = retry;
        _time = time;
        _logger = logger;
        _ledger = ledger;
        _strict = _tenancy.ResolveStrict(Environment.GetEnvironmentVariable);
    }

    /// <inheritdoc />
    public Task<RouteResult> CompleteAsync(RouteRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RecordingRefusalsAsync(request, () => CompleteOrShareAsync(request, cancellationToken));
    }

    /// <inheritdoc />
    public Task<RouteResult> StreamAsync(RouteRequest request, Func<ChatCompletionChunk, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onChunk);

        // A stream cannot be shared: a duplicate of a streamed call is refused as in progress by the tenant grain.
        return RecordingRefusalsAsync(request, () => RunAsync(Plan(request), onChunk, cancellationToken));
    }

    /// <summary>Routes the call; a refusal of it is recorded in the usage ledger before the caller sees it.</summary>
    private async Task<RouteResult> RecordingRefusalsAsync(RouteRequest request, Func<Task<RouteResult>> route)
    {
        try
        {
            return await route();
        }
        catch (RouteRefusedException refusal)
        {
            await RecordRefusalAsync(request, refusal);
            throw;
        }
    }

    private async Task<RouteResult> CompleteOrShareAsync(RouteRequest request, CancellationToken cancellationToken)
    {
        var plan = Plan(request);
        if (plan.FreshRequestId)
        {
            return await RunAsync(plan, onChunk: null, cancellationToken);
        }

        // A duplicate of a call in flight on this silo waits for that call's answer instead of asking the tenant grain,
        // which would refuse it as in progress. Only the same request from the same workspace shares an answer.
        var key = (plan.Context, plan.RequestId);
        var call = new InFlightCall(plan.Body);
        while (!_inFlight.TryAdd(key, call))
        {
            if (!_inFlight.TryGetValue(key, out var running))
            {
                continue;
            }

            if (!SameRequest(running.Body, plan.Body))
            {
                return await RunAsync(plan, onChunk: null, cancellationToken);
            }

            try
            {
                return await running.Answer.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The first caller went away; its call settled or released what it used. This one asks the grain.
                return await RunAsync(plan, onChunk: null, cancellationToken);
            }
        }

        try
        {
            var result = await RunAsync(plan, onChunk: null, cancellationToken);
            call.Answer.TrySetResult(result);
            return result;
        }
        catch (Exception error)
        {
            call.Fail(error);
            throw;
        }
        finally
        {
            _inFlight.TryRemove(KeyValuePair.Create(key, call));
        }
    }

    private async Task<RouteResult> RunAsync(RoutePlan plan, Func<ChatCompletionChunk, CancellationToken, ValueTask>? onChunk, CancellationToken cancellationToken)
    {
        var tenant = _tenants.For(plan.Context.Tenant);
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

        var requestId = plan.RequestId;
        for (var i = 0; ; i++)
        {
            var attempt = await ReserveAsync(tenant, plan, plan.Attempts[i], requestId, i == 0 ? plan.Downshift : [], fallback: i > 0);
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

                // A released attempt leaves the id free, so the fallback runs under it and the id's one ledger row is
                // the call's outcome. An attempt that may have been charged settled the id; the fallback takes an id
                // of its own.
                if (error.ChargeMayHaveOccurred)
                {
                    requestId = $"{plan.RequestId}~{i + 1}";
                }
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="attempt"/>'s worst case, or that of one of the <paramref name="downshift"/> models when the
    /// tenant grain switches to it; returns the attempt that was granted, or throws the refusal. The tenant grain checks
    /// the tenant's rate limits in the same decision, once per call: a <paramref name="fallback"/> attempt is not counted
    /// again.
    /// </summary>
    private async Task<PlannedAttempt> ReserveAsync(ITenantGrain tenant, RoutePlan plan, PlannedAttempt attempt, string requestId, IReadOnlyList<PlannedAttempt> downshift, bool fallback)
    {
        var reservation = new ReservationRequest
        {
            RequestId = requestId,
            Workspace = plan.Context.Workspace,
            Model = attempt.Model,
            EstimatedCostUsd = attempt.Estimate.CostUsd,
            EstimatedTokens = attempt.Estimate.TotalTokens,
            FreshRequestId = plan.FreshRequestId,
            CallToken = plan.CallToken,
            Fallback = fallback,
            Downshift = downshift.Count == 0
                ? null
                : [.. downshift.Select(d => new ReservationAlternative { Model = d.Model, EstimatedCostUsd = d.Estimate.CostUsd, EstimatedTokens = d.Estimate.TotalTokens })],
        };

        // A repeated reserve of one request id and call token finds the reservation an earlier attempt made (AlreadyReserved).
        var decision = await _retry.RunAsync(() => tenant.ReserveAsync(reservation), $"reserve {plan.Context.Tenant}/{requestId}");
        switch (decision.Outcome)
        {
            case ReservationOutcome.Denied:
                var denial = decision.Denial!;
                _metrics.RecordBudgetRejection(plan.Context, denial.LimitName());
                throw new RouteRefusedException(RouteRefusal.BudgetDenied, denial.Message)
                {
                    Code = "budget_exceeded",
                    Denial = denial,
                    Context = plan.Context,
                };
            case ReservationOutcome.RateLimited:
                var wait = decision.RetryAfter ?? TimeSpan.FromSeconds(1);
                _metrics.RecordBudgetRejection(plan.Context, "rate_limited");
                throw new RouteRefusedException(RouteRefusal.RateLimited,
                    $"Tenant '{plan.Context.Tenant}' reached its rate limit (requests_per_minute {plan.Policy.RequestsPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}, tokens_per_minute {plan.Policy.TokensPerMinute?.ToString(CultureInfo.InvariantCulture) ?? "unlimited"}); retry in {Math.Ceiling(wait.TotalSeconds)} s.")
                {
                    Code = "rate_limited",
                    RetryAfter = wait,
                    Context = plan.Context,
                };
            case ReservationOutcome.InProgress:
                throw new RouteRefusedException(RouteRefusal.RequestIdConflict,
                    $"Request id '{requestId}' belongs to a call that is still running; nothing was sent upstream for this one. Retry later to learn its outcome, or send a new id for a new call.")
                {
                    Code = "request_in_progress",
                    RetryAfter = TimeSpan.FromSeconds(1),
                    Context = plan.Context,
                };
            case ReservationOutcome.RequestIdFinished:
                throw new RouteRefusedException(RouteRefusal.RequestIdConflict,
                    $"Request id '{requestId}' has already been completed; send a new id for a new call.")
                {
                    Code = "request_id_reused",
                    Context = plan.Context,
                };
        }

        if (decision.Reservation!.Model != attempt.Model && downshift.FirstOrDefault(d => d.Model == decision.Reservation.Model) is { } cheaper)
        {
            LogDownshift(plan.Context.ToString(), attempt.Model, cheaper.Model, attempt.Estimate.CostUsd, cheaper.Estimate.CostUsd);
            return cheaper;
        }

        return attempt;
    }

    /// <summary>Whether two requests are the same call (compared as sent on the wire); only on a collision of ids.</summary>
    private static bool SameRequest(ChatCompletionRequest first, ChatCompletionRequest second) =>
        ReferenceEquals(first, second)
        || JsonSerializer.SerializeToUtf8Bytes(first, OpenRouterJsonContext.Default.ChatCompletionRequest)
            .AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(second, OpenRouterJsonContext.Default.ChatCompletionRequest));

    /// <summary>Errors after which another model may succeed: upstream unavailable, rate limited, or the model refused.</summary>
    private static bool WorthAFallback(OpenRouterException error) => error.Kind is
        OpenRouterErrorKind.BadGateway or OpenRouterErrorKind.Unavailable or OpenRouterErrorKind.RateLimited
        or OpenRouterErrorKind.Timeout or OpenRouterErrorKind.Transport or OpenRouterErrorKind.Forbidden;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Context}: model {Model} failed ({Error}); reserving for fallback {Fallback}")]
    private partial void LogFallingBack(string context, string model, string fallback, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No tenant context on a routing call; using {Context} (non-strict mode)")]
    private partial void LogFallback(string context);
}

/// <summary>A call in flight under a caller's request id, and the answer its duplicates on this silo wait for.</summary>
internal sealed class InFlightCall(ChatCompletionRequest body)
{
    public ChatCompletionRequest Body { get; } = body;

    public TaskCompletionSource<RouteResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Hands the failure to the duplicates (none may be waiting, so it is marked observed).</summary>
    public void Fail(Exception error)
    {
        if (Answer.TrySetException(error))
        {
            _ = Answer.Task.Exception;
        }
    }
}
